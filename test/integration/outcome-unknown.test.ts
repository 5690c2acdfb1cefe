import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import type { Account } from "../../src/core/accounts.ts";
import { type ActionName, approve, renderCard, requestConfirmation } from "../../src/core/confirmations.ts";
import type { CommandContext } from "../../src/core/context.ts";
import { auditLog, confirmationRequests } from "../../src/db/schema.ts";
import { createDriver } from "../../src/providers/registry.ts";
import {
  MUTATING_CAPABILITIES,
  type MutatingCapability,
  PROVIDER_KINDS,
  type ProviderDriver,
  type ProviderKind,
} from "../../src/providers/types.ts";
import type { FakeRequest, Fault } from "../fakes/providers/fake-server.ts";
import { startHost4coinsFake } from "../fakes/providers/host4coins.ts";
import { startHostBillFake } from "../fakes/providers/hostbill.ts";
import { startHostkeyFake } from "../fakes/providers/hostkey.ts";
import { startTheHostFake } from "../fakes/providers/thehost.ts";
import type { ProviderFake } from "../fakes/providers/types.ts";

/**
 * "Never invite a double payment": for every mutating method of every driver (all six kinds), a call that was sent
 * and then answered late, cut off, with a 5xx or with something unreadable ends the request as
 * "outcome unknown — check the provider", never "failed", with no button to run it again. Only an
 * answer that proves nothing happened (credentials refused, payment refused for lack of funds, the
 * request refused as invalid) may end it as "failed". Every case runs through the confirmation
 * path (request, approve, driver, simulator) with the simulator's fault injection; the "after" faults
 * let the simulator apply the request first, as a provider that acted and then lost its answer.
 */

const WORKSPACE = "T1";
const CHANNEL = "C0PAY";
const REQUESTER = "UREQ";
const APPROVER = "UADM";
/** The driver's timeout here: a "hang" after the request was applied becomes a timeout. */
const TIMEOUT_MS = 700;

const ACTION_OF: Record<MutatingCapability, ActionName> = {
  reboot: "reboot",
  powerOn: "poweron",
  powerOff: "poweroff",
  reinstall: "reinstall",
  renewService: "renew",
  setAutorenew: "autorenew",
  cancelService: "cancel",
  renewDomain: "domain-renew",
  setNameservers: "domain-ns",
};

/** Which simulator requests change something (reads are never faulted). */
const MUTATION: Record<ProviderKind, (r: FakeRequest) => boolean> = {
  hostens: (r) => r.method !== "GET",
  time4vps: (r) => r.method !== "GET",
  hostbill: (r) => r.method !== "GET",
  host4coins: (r) => r.method !== "GET",
  hostkey: (r) => {
    const action = (r.body as Record<string, string> | undefined)?.action;
    return (
      (r.path === "/eq.php" && ["on", "off", "reboot", "order_instance"].includes(action ?? "")) ||
      (r.path === "/whmcs.php" && action === "request_cancellation")
    );
  },
  thehost: (r) => r.query.get("sok") === "ok",
};

/** Sent, then the answer is lost or unusable: the outcome is unknown. */
const AFTER_SENDING: [string, Fault][] = [
  ["a timeout after the request was applied", { kind: "hang" }],
  ["a connection reset after the request was applied", { kind: "reset" }],
  ["HTTP 502 after the request was applied", { kind: "status", status: 502, text: "Bad gateway" }],
  ["HTTP 500 with a JSON body", { kind: "status", status: 500, json: { error: "internal" } }],
  ["a truncated body", { kind: "truncated" }],
  ["an HTML page with HTTP 200", { kind: "html", status: 200 }],
  ["a body that is not JSON", { kind: "wrongContentType" }],
];

/** Refused before anything happened: the request may end as failed. */
const PROVES_NOTHING: [string, Fault, RegExp][] = [
  ["credentials refused (HTTP 401)", { kind: "status", status: 401, text: "Unauthorized" }, /credentials/],
  ["payment refused for lack of funds (HTTP 402)", { kind: "status", status: 402 }, /balance .* too low/],
  ["the request refused as invalid (HTTP 422)", { kind: "status", status: 422 }, /refused the request/],
];

interface Target {
  kind: ProviderKind;
  fake: ProviderFake;
  account: Account;
  driver: ProviderDriver;
  params: Partial<Record<MutatingCapability, Record<string, unknown>>>;
}

async function startFake(kind: ProviderKind): Promise<ProviderFake> {
  switch (kind) {
    case "hostens":
    case "time4vps":
    case "hostbill":
      return startHostBillFake({ kind });
    case "host4coins":
      return startHost4coinsFake();
    case "hostkey":
      // Without a PIN: a PIN refusal is its own flow (tested in confirmations and the chat tests).
      return startHostkeyFake({ data: { pin: null } });
    case "thehost":
      return startTheHostFake();
  }
}

/** A server each simulator can act on (its demo data; HostBill's 301 is not a server). */
const SERVICE: Partial<Record<ProviderKind, string>> = {
  hostens: "302",
  time4vps: "302",
  hostbill: "302",
  host4coins: "101",
  hostkey: "34533",
};

/** Parameters for each mutating method, from what the simulator lists. */
async function paramsFor(kind: ProviderKind, driver: ProviderDriver): Promise<Target["params"]> {
  const services = driver.listServices ? await driver.listServices() : [];
  const service = services.find((s) => s.id === SERVICE[kind]) ?? services[0];
  const domains = driver.listDomains ? await driver.listDomains() : [];
  const domain = domains[0];
  const out: Target["params"] = {};
  for (const cap of MUTATING_CAPABILITIES) {
    if (!driver.capabilities.has(cap)) continue;
    const serviceId = service?.id;
    switch (cap) {
      case "reboot":
      case "powerOn":
      case "powerOff":
        out[cap] = { serviceId };
        break;
      case "reinstall": {
        const os = (await driver.listOperatingSystems!(String(serviceId)))[0];
        out[cap] = { serviceId, osId: os?.id, osName: os?.name };
        break;
      }
      case "renewService":
        out[cap] = { serviceId, optionId: service?.renewOptions?.[0]?.id };
        break;
      case "setAutorenew":
        out[cap] = { serviceId, enabled: true };
        break;
      case "cancelService":
        out[cap] = { serviceId, immediate: false, reason: "outcome test" };
        break;
      case "renewDomain":
        out[cap] = { domainId: domain?.id, domainName: domain?.name, years: 1 };
        break;
      case "setNameservers":
        out[cap] = {
          domainId: domain?.id,
          domainName: domain?.name,
          nameservers: ["ns1.example.net", "ns2.example.net"],
        };
        break;
    }
  }
  return out;
}

describe("never invite a double payment: every mutating method of every driver", () => {
  let app: Hostops;
  /** The mutating capabilities of each kind, as its driver declares them. */
  const declared = new Map<ProviderKind, MutatingCapability[]>();
  let accounts = 0;

  const ctx = (userId: string): CommandContext => ({
    core: app.core,
    actor: {
      platform: "slack",
      workspaceId: WORKSPACE,
      channelId: CHANNEL,
      userId,
      userIsPlatformAdmin: true,
    },
    role: "admin",
    log: app.core.log,
    acknowledge: async () => {},
  });

  beforeAll(async () => {
    app = await startHostops({
      config: loadConfig({
        PORT: "0",
        LOG_LEVEL: "silent",
        HOSTOPS_SECRET_KEY: Buffer.alloc(32, 5).toString("base64"),
        HOSTOPS_PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS),
      }),
      overrides: { memoryDb: true, providerRetries: 0, noTimers: true, taskPollMs: 1 },
    });
    for (const kind of PROVIDER_KINDS) {
      const t = await target(kind);
      declared.set(
        kind,
        MUTATING_CAPABILITIES.filter((c) => t.driver.capabilities.has(c)),
      );
      await t.fake.close();
    }
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
  });

  /**
   * A fresh simulator and account per case: a request applied before its answer was lost leaves
   * the simulator's server busy, which the next case must not see.
   */
  async function target(kind: ProviderKind): Promise<Target> {
    const fake = await startFake(kind);
    const account = await app.core.accounts.add({
      platform: "slack",
      workspaceId: WORKSPACE,
      label: `${kind}-${++accounts}`,
      kind,
      // The "other HostBill host" kind is known by the name the admin gives it.
      displayName: kind === "hostbill" ? "Acme Hosting" : undefined,
      baseUrl: fake.baseUrl,
      credentials: fake.credentials,
      createdBy: APPROVER,
    });
    await app.core.accounts.bind(account, CHANNEL, APPROVER);
    const driver = createDriver(kind, {
      credentials: fake.credentials,
      baseUrl: fake.baseUrl,
      retries: 0,
      timeoutMs: 5_000,
    });
    return { kind, fake, account, driver, params: await paramsFor(kind, driver) };
  }

  /** Runs `check` on a fresh target for every (kind, mutating capability). */
  async function eachCase(check: (t: Target, cap: MutatingCapability) => Promise<void>): Promise<void> {
    for (const [kind, caps] of declared)
      for (const cap of caps) {
        const t = await target(kind);
        try {
          await check(t, cap);
        } finally {
          await t.fake.close();
        }
      }
  }

  /** Requests the action, approves it, and returns the stored request, the answer and the card. */
  async function run(t: Target, cap: MutatingCapability) {
    const action = ACTION_OF[cap];
    await requestConfirmation(ctx(REQUESTER), { account: t.account, action, params: t.params[cap]! });
    const [row] = await app.db.db
      .select()
      .from(confirmationRequests)
      .orderBy(desc(confirmationRequests.createdAt))
      .limit(1);
    const sentBefore = t.fake.count(MUTATION[t.kind]);
    const outcome = await approve(ctx(APPROVER), row!.id);
    await app.core.background.idle();
    const sent = t.fake.count(MUTATION[t.kind]) - sentBefore;
    const [after] = await app.db.db
      .select()
      .from(confirmationRequests)
      .where(eq(confirmationRequests.id, row!.id));
    const answer = outcome.kind === "reply" ? outcome.reply.text : JSON.stringify(outcome);
    const card = JSON.stringify(renderCard(after!, t.account, app.core));
    return { request: after!, answer, card, sent };
  }

  it("covers all five kinds and every mutating capability they declare", () => {
    expect([...declared.keys()].sort()).toEqual([...PROVIDER_KINDS].sort());
    for (const [kind, caps] of declared) expect(caps.length, kind).toBeGreaterThan(0);
    expect([...declared.values()].flat().length).toBeGreaterThanOrEqual(12);
  });

  it("without a fault every one of them goes through (so the faults below are what change the outcome)", async () => {
    await eachCase(async (t, cap) => {
      const r = await run(t, cap);
      expect(["succeeded", "executing"], `${t.kind} ${cap}: ${r.request.resultSummary}`).toContain(
        r.request.status,
      );
      expect(r.sent, `${t.kind} ${cap}`).toBe(1);
    });
  }, 60_000);

  for (const [label, fault] of AFTER_SENDING) {
    it(`${label}: outcome unknown, never failed, no retry offered, sent once`, async () => {
      await eachCase(async (t, cap) => {
        t.fake.fault(fault, { match: MUTATION[t.kind], times: 1, afterHandler: true });
        const r = await run(t, cap);
        const what = `${t.kind} ${cap} (${r.request.resultSummary})`;
        expect(r.request.status, what).toBe("unknown");
        expect(r.sent, what).toBe(1);
        expect(r.answer, what).toMatch(/^Outcome unknown — check the provider\./);
        expect(r.answer, what).not.toMatch(/^Failed|try again (shortly|later|in a minute)/i);
        expect(r.request.resultSummary, what).toMatch(/may have been applied/);
        // The card says so and offers no button: nothing invites a second run.
        expect(r.card, what).toContain("outcome unknown — check the provider");
        expect(r.card, what).not.toContain("confirm:approve");
        const [audit] = await app.db.db
          .select()
          .from(auditLog)
          .where(eq(auditLog.requestId, r.request.id))
          .orderBy(desc(auditLog.at))
          .limit(1);
        expect(audit?.outcome, what).toBe("unknown");
      });
    }, 60_000);
  }

  for (const [label, fault, message] of PROVES_NOTHING) {
    it(`${label}: nothing happened, so the request may end as failed`, async () => {
      await eachCase(async (t, cap) => {
        t.fake.fault(fault, { match: MUTATION[t.kind] });
        const r = await run(t, cap);
        const what = `${t.kind} ${cap} (${r.request.resultSummary})`;
        expect(r.request.status, what).toBe("failed");
        expect(r.answer, what).toMatch(/^Failed: /);
        expect(r.request.resultSummary, what).toMatch(message);
        expect(r.card, what).not.toContain("confirm:approve");
      });
    }, 60_000);
  }

  it("a refusal before sending (connection refused: nothing was sent) ends as failed", async () => {
    const fake = await startHostkeyFake({ data: { pin: null } });
    const account = await app.core.accounts.add({
      platform: "slack",
      workspaceId: WORKSPACE,
      label: "hostkey-gone",
      kind: "hostkey",
      baseUrl: fake.baseUrl,
      credentials: fake.credentials,
      createdBy: APPROVER,
    });
    await app.core.accounts.bind(account, CHANNEL, APPROVER);
    await requestConfirmation(ctx(REQUESTER), { account, action: "reboot", params: { serviceId: "34533" } });
    const [row] = await app.db.db
      .select()
      .from(confirmationRequests)
      .orderBy(desc(confirmationRequests.createdAt))
      .limit(1);
    // The provider is gone: every connection is refused before a byte is sent.
    await fake.close();
    const outcome = await approve(ctx(APPROVER), row!.id);
    const [after] = await app.db.db
      .select()
      .from(confirmationRequests)
      .where(eq(confirmationRequests.id, row!.id));
    expect(after!.status).toBe("failed");
    expect(outcome.kind === "reply" ? outcome.reply.text : "").toMatch(/^Failed: .*ECONNREFUSED/);
  });
});
