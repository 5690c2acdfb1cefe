import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import type { Account } from "../../src/core/accounts.ts";
import { expireStale, recoverInterrupted } from "../../src/core/confirmations.ts";
import type { Actor, Clock } from "../../src/core/context.ts";
import { grantRole } from "../../src/core/permissions.ts";
import { auditLog, confirmationRequests } from "../../src/db/schema.ts";
import { createLogger } from "../../src/observability/logger.ts";
import type { FakeRequest } from "../fakes/providers/fake-server.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { HOSTKEY_FAKE_PIN, startHostkeyFake } from "../fakes/providers/hostkey.ts";
import type { ProviderFake } from "../fakes/providers/types.ts";
import {
  buttonClick,
  type FakeSlack,
  signedPost,
  slashCommand,
  startFakeSlack,
  viewSubmission,
} from "../fakes/slack.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { freshPostgres } from "../helpers/db.ts";

const ADMIN1 = "UADMINA";
const ADMIN2 = "UADMINB";
const OPERATOR = "UOPER1";
const VIEWER = "UVIEW1";
const CHANNEL = "C0OPS";

class TestClock implements Clock {
  offsetMs = 0;
  now() {
    return new Date(Date.now() + this.offsetMs);
  }
}

const isReboot = (r: FakeRequest) => r.method === "POST" && /\/server\/\d+\/reboot$/.test(r.path);

interface Env {
  slack: FakeSlack;
  hostens: HostBillFake;
  hostkey: ProviderFake;
  app: Hostops;
  clock: TestClock;
  events: string;
  databaseUrl?: string;
  drop?: () => Promise<void>;
  logs: string[];
}

async function setup(dbKind: "pglite" | "postgres"): Promise<Env> {
  const slack = await startFakeSlack();
  slack.admins.add(ADMIN1).add(ADMIN2);
  const hostens = await startHostBillFake({ kind: "hostens" });
  const hostkey = await startHostkeyFake();
  const clock = new TestClock();
  let databaseUrl: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  if (dbKind === "postgres") {
    const pg = await freshPostgres("confirm");
    databaseUrl = pg.url;
    drop = pg.drop;
  }
  const logs: string[] = [];
  const app = await startHostops({
    config: testConfig({ SLACK_API_URL: slack.apiUrl, DATABASE_URL: databaseUrl }),
    clock,
    log: createLogger({ level: "debug", sink: { write: (l) => logs.push(l) } }),
    overrides: {
      memoryDb: dbKind === "pglite",
      providerRetries: 0,
      slackProcessBeforeResponse: true,
      noTimers: true,
      taskPollMs: 1,
    },
  });
  return {
    slack,
    hostens,
    hostkey,
    app,
    clock,
    events: `http://127.0.0.1:${app.port}/slack/events`,
    databaseUrl,
    drop,
    logs,
  };
}

async function addBound(app: Hostops, label: string, fake: ProviderFake): Promise<Account> {
  const account = await app.core.accounts.add({
    platform: "slack",
    workspaceId: "T1",
    label,
    kind: fake.kind,
    baseUrl: fake.baseUrl,
    credentials: fake.credentials,
    createdBy: ADMIN1,
  });
  await app.core.accounts.bind(account, CHANNEL, ADMIN1);
  return account;
}

for (const dbKind of ["pglite", "postgres"] as const) {
  describe(`confirmations through Slack on ${dbKind}`, () => {
    let env: Env;
    const post = (body: string) => signedPost(env.events, body, { secret: SIGNING_SECRET });
    const command = async (text: string, user: string) => {
      const responseUrl = env.slack.responseUrl();
      await post(slashCommand(text, { user, channel: CHANNEL, responseUrl }));
      return env.slack.waitFor((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
    };
    const click = async (actionId: string, requestId: string, user: string) => {
      const responseUrl = env.slack.responseUrl();
      await post(buttonClick(actionId, requestId, { user, channel: CHANNEL, responseUrl }));
      return env.slack.waitFor((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
    };
    /** The newest card posted, and the request id its Approve button carries. */
    const lastCard = () => {
      const card = [...env.slack.calls]
        .reverse()
        .find((c) => c.method === "chat.postMessage" && !c.body.thread_ts)!;
      const actions = (
        card.body.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]
      ).find((b) => b.type === "actions");
      const approve = actions?.elements?.find((e) => e.action_id.startsWith("confirm:approve"));
      return {
        card,
        requestId: approve?.value ?? "",
        approveId: approve?.action_id ?? "",
        denyId: actions?.elements?.[1]?.action_id ?? "",
      };
    };
    const status = async (id: string) =>
      (await env.app.db.db.select().from(confirmationRequests).where(eq(confirmationRequests.id, id)))[0]!;

    beforeAll(async () => {
      env = await setup(dbKind);
      await addBound(env.app, "eu", env.hostens);
      await grantRole(env.app.db, {
        actor: {
          platform: "slack",
          workspaceId: "T1",
          channelId: CHANNEL,
          userId: ADMIN1,
          userIsPlatformAdmin: true,
        },
        subject: OPERATOR,
        role: "operator",
        scope: "channel",
      });
    });
    afterAll(async () => {
      await env.app.stop();
      await env.hostens.close();
      await env.hostkey.close();
      await env.slack.close();
      await env.drop?.();
    });

    it("posts a card for a reboot request and reboots only after an admin approves", async () => {
      const reboots = env.hostens.count(isReboot);
      const ack = await command("reboot 302", OPERATOR);
      expect(ack.body.response_type).toBe("ephemeral");
      expect(JSON.stringify(ack.body)).toContain("Request posted");
      const { card, requestId } = lastCard();
      expect(JSON.stringify(card.body)).toContain("Reboot");
      expect(JSON.stringify(card.body)).toContain(`<@${OPERATOR}>`);
      expect(env.hostens.count(isReboot)).toBe(reboots);

      const refused = await click("confirm:approve#0", requestId, VIEWER);
      expect(JSON.stringify(refused.body)).toContain("Only admins");
      const operatorRefused = await click("confirm:approve#0", requestId, OPERATOR);
      expect(JSON.stringify(operatorRefused.body)).toContain("Only admins");
      expect(env.hostens.count(isReboot)).toBe(reboots);

      const from = env.slack.calls.length;
      const approved = await click("confirm:approve#0", requestId, ADMIN1);
      expect(JSON.stringify(approved.body)).toContain("Approved");
      expect(env.hostens.count(isReboot)).toBe(reboots + 1);
      await env.app.core.background.idle();
      expect((await status(requestId)).status).toBe("succeeded");
      // The card was updated in place without buttons, and the outcome posted in its thread.
      const since = env.slack.calls.slice(from);
      const last = since.filter((c) => c.method === "chat.update").at(-1);
      expect(JSON.stringify(last?.body)).not.toContain("confirm:approve");
      expect(JSON.stringify(last?.body)).toContain("done");
      const thread = since.find((c) => c.method === "chat.postMessage" && c.body.thread_ts);
      expect(JSON.stringify(thread?.body)).toMatch(/succeeded/);

      const again = await click("confirm:approve#0", requestId, ADMIN2);
      expect(JSON.stringify(again.body)).toContain(`Already approved by <@${ADMIN1}>`);
      expect(env.hostens.count(isReboot)).toBe(reboots + 1);
    });

    it("enforces the two-person rule on a reinstall, showing the provider's warning", async () => {
      await command(`reinstall 302 ${env.hostens.state.oses[0]!.os}`, ADMIN1);
      const { card, requestId } = lastCard();
      expect(JSON.stringify(card.body)).toContain("All data in the server will be lost");
      const self = await click("confirm:approve#0", requestId, ADMIN1);
      expect(JSON.stringify(self.body)).toContain("Two-person rule");
      expect((await status(requestId)).status).toBe("pending");
      await click("confirm:approve#0", requestId, ADMIN2);
      await env.app.core.background.idle();
      expect((await status(requestId)).status).toBe("succeeded");
    });

    it("denies: nothing runs and the buttons go away", async () => {
      const before = env.hostens.cancellations.length;
      await command('cancel 303 --immediate "moving out"', OPERATOR);
      const { requestId } = lastCard();
      const denied = await click("confirm:deny#1", requestId, ADMIN2);
      expect(JSON.stringify(denied.body)).toContain("Denied");
      expect((await status(requestId)).status).toBe("denied");
      const late = await click("confirm:approve#0", requestId, ADMIN1);
      expect(JSON.stringify(late.body)).toContain("Already denied");
      expect(env.hostens.cancellations.length).toBe(before);
    });

    it("cannot approve an expired request", async () => {
      const rebootsBefore = env.hostens.count(isReboot);
      await command("reboot 302", OPERATOR);
      const { requestId } = lastCard();
      env.clock.offsetMs = 16 * 60_000;
      try {
        const r = await click("confirm:approve#0", requestId, ADMIN1);
        expect(JSON.stringify(r.body)).toContain("expired");
        expect((await status(requestId)).status).toBe("expired");
      } finally {
        env.clock.offsetMs = 0;
      }
      expect(env.hostens.count(isReboot)).toBe(rebootsBefore);
    });

    it("marks pending requests past expiry as expired in the sweep", async () => {
      await command("reboot 302", OPERATOR);
      const { requestId } = lastCard();
      env.clock.offsetMs = 20 * 60_000;
      try {
        expect(await expireStale(env.app.core)).toBeGreaterThanOrEqual(1);
      } finally {
        env.clock.offsetMs = 0;
      }
      expect((await status(requestId)).status).toBe("expired");
    });

    it("HOSTKEY's PIN: asked only once HOSTKEY wants it, a wrong PIN is typed again, never stored or logged", async () => {
      const account = await addBound(env.app, "nl", env.hostkey);
      const [server] = await env.app.core.accounts.driverFor(account).listServices!();
      const offCalls = () =>
        env.hostkey.requests.filter((r) => (r.body as Record<string, string>).action === "off");
      await command(`poweroff ${server!.id} nl`, OPERATOR);
      const first = lastCard();
      // Nothing says yet that this account has a PIN (HOSTKEY's own clients never send one).
      expect(JSON.stringify(first.card.body)).not.toContain("Approve (PIN)");
      const refused = await click(first.approveId, first.requestId, ADMIN1);
      expect(JSON.stringify(refused.body)).toMatch(/rejected the PIN.*still waiting/);
      expect(offCalls()).toHaveLength(1);
      expect(offCalls()[0]!.body).not.toHaveProperty("pin");
      const waiting = await status(first.requestId);
      expect(waiting.status).toBe("pending");
      expect(waiting.needsPin).toBe(true);
      expect(waiting.approvals).toEqual([]);
      const updated = env.slack.calls.filter((c) => c.method === "chat.update").at(-1)!;
      expect(JSON.stringify(updated.body)).toContain("Approve (PIN)");

      const openForm = async () => {
        const before = env.slack.calls.length;
        await post(
          buttonClick(first.approveId, first.requestId, {
            user: ADMIN1,
            channel: CHANNEL,
            responseUrl: env.slack.responseUrl(),
          }),
        );
        const open = await env.slack.waitFor(
          (c) => c.method === "views.open" && env.slack.calls.indexOf(c) >= before,
        );
        return open.body.view as { callback_id: string; private_metadata: string };
      };
      const view = await openForm();
      expect(view.callback_id).toBe("confirm:pin");
      // A wrong PIN: HOSTKEY refuses, nothing is done, the form says so and the request still waits.
      const wrong = await post(viewSubmission(view, { pin: "9999" }, { user: ADMIN1 }));
      expect(wrong.status).toBe(200);
      const wrongAnswer = await wrong.text();
      expect(wrongAnswer).toMatch(/"response_action":"(errors|update)"/);
      expect(wrongAnswer).toContain("rejected the PIN");
      expect(wrongAnswer).not.toContain("9999");
      expect((await status(first.requestId)).status).toBe("pending");
      expect(offCalls()).toHaveLength(2);

      const again = await openForm();
      const res = await post(viewSubmission(again, { pin: HOSTKEY_FAKE_PIN }, { user: ADMIN1 }));
      expect(res.status).toBe(200);
      await env.app.core.background.idle();
      const done = await status(first.requestId);
      expect(["succeeded", "executing"]).toContain(done.status);
      expect(offCalls()).toHaveLength(3);
      expect((offCalls()[2]!.body as Record<string, string>).pin).toBe(HOSTKEY_FAKE_PIN);
      const rows =
        JSON.stringify(await env.app.db.db.select().from(confirmationRequests)) +
        JSON.stringify(await env.app.db.db.select().from(auditLog));
      expect(rows).not.toContain(`"${HOSTKEY_FAKE_PIN}"`);
      expect(rows).not.toContain('"9999"');
      // The PIN is 4 digits: look for it as a value, not inside timestamps or ports.
      expect(env.logs.join("\n")).not.toMatch(
        new RegExp(`"${HOSTKEY_FAKE_PIN}"|=${HOSTKEY_FAKE_PIN}(&|\\s|$)`),
      );

      // Learned: the next request on this account asks for the PIN up front.
      await command(`poweron ${server!.id} nl`, OPERATOR);
      expect(JSON.stringify(lastCard().card.body)).toContain("Approve (PIN)");
      await click("confirm:deny#1", lastCard().requestId, ADMIN1);
    });

    it("HOSTKEY's account form offers the PIN setting; 'ask' opens the PIN form on the first click", async () => {
      const form = await env.app.dispatcher.command({
        platform: "slack",
        workspaceId: "T1",
        channelId: CHANNEL,
        userId: ADMIN1,
        userIsPlatformAdmin: true,
        path: ["accounts", "add"],
        args: { provider: "hostkey" },
      });
      expect(form.kind).toBe("modal");
      const field =
        form.kind === "modal" ? form.modal.fields.find((f) => f.id === "cred_pinMode") : undefined;
      expect(field).toMatchObject({ kind: "select", optional: true });
      expect(field?.options?.map((o) => o.value)).toEqual(["auto", "ask", "never"]);

      const withPin = await startHostkeyFake();
      try {
        const account = await env.app.core.accounts.add({
          platform: "slack",
          workspaceId: "T1",
          label: "nl-ask",
          kind: "hostkey",
          baseUrl: withPin.baseUrl,
          credentials: { ...withPin.credentials, pinMode: "ask" },
          createdBy: ADMIN1,
        });
        await env.app.core.accounts.bind(account, CHANNEL, ADMIN1);
        await command("reboot 34533 nl-ask", OPERATOR);
        const { card, requestId, approveId } = lastCard();
        expect(JSON.stringify(card.body)).toContain("Approve (PIN)");
        const before = env.slack.calls.length;
        await post(
          buttonClick(approveId, requestId, {
            user: ADMIN1,
            channel: CHANNEL,
            responseUrl: env.slack.responseUrl(),
          }),
        );
        const open = await env.slack.waitFor(
          (c) => c.method === "views.open" && env.slack.calls.indexOf(c) >= before,
        );
        const view = open.body.view as { callback_id: string; private_metadata: string };
        await post(viewSubmission(view, { pin: HOSTKEY_FAKE_PIN }, { user: ADMIN1 }));
        await env.app.core.background.idle();
        // No attempt without the PIN: one call, with it.
        const reboots = withPin.requests.filter(
          (r) => (r.body as Record<string, string>).action === "reboot",
        );
        expect(reboots).toHaveLength(1);
        expect((reboots[0]!.body as Record<string, string>).pin).toBe(HOSTKEY_FAKE_PIN);
      } finally {
        await withPin.close();
      }
    });

    it("HOSTKEY without a PIN: approved with one click, no PIN sent, as HOSTKEY's own clients do", async () => {
      const nopin = await startHostkeyFake({ data: { pin: null } });
      try {
        const account = await addBound(env.app, "nl-nopin", nopin);
        const [server] = await env.app.core.accounts.driverFor(account).listServices!();
        await command(`reboot ${server!.id} nl-nopin`, OPERATOR);
        const { card, requestId, approveId } = lastCard();
        expect(JSON.stringify(card.body)).not.toContain("Approve (PIN)");
        const approved = await click(approveId, requestId, ADMIN1);
        expect(JSON.stringify(approved.body)).toContain("Approved");
        await env.app.core.background.idle();
        expect((await status(requestId)).status).toBe("succeeded");
        const reboots = nopin.requests.filter((r) => (r.body as Record<string, string>).action === "reboot");
        expect(reboots).toHaveLength(1);
        expect(reboots[0]!.body).not.toHaveProperty("pin");
      } finally {
        await nopin.close();
      }
    });

    it("a quorum of two admins: the first approval waits, the second executes", async () => {
      const set = await command("approvals set eu --quorum 2 --two-person none", ADMIN1);
      expect(JSON.stringify(set.body)).toContain("need 2 admin approval(s)");
      const shown = await command("approvals", OPERATOR);
      expect(JSON.stringify(shown.body)).toMatch(/eu \(Hostens\).*2/);
      const before = env.hostens.count(isReboot);
      await command("reboot 302", ADMIN1);
      const { requestId } = lastCard();
      const first = await click("confirm:approve#0", requestId, ADMIN1);
      expect(JSON.stringify(first.body)).toContain("Approved (1/2)");
      const twice = await click("confirm:approve#0", requestId, ADMIN1);
      expect(JSON.stringify(twice.body)).toContain("You already approved");
      expect(env.hostens.count(isReboot)).toBe(before);
      const card = env.slack.calls.filter((c) => c.method === "chat.update").at(-1)!;
      expect(JSON.stringify(card.body)).toContain("1/2");
      const second = await click("confirm:approve#0", requestId, ADMIN2);
      expect(JSON.stringify(second.body)).toContain("Approved");
      await env.app.core.background.idle();
      expect(env.hostens.count(isReboot)).toBe(before + 1);
      expect((await status(requestId)).approvals.map((a) => a.userId)).toEqual([ADMIN1, ADMIN2]);
      await command("approvals set eu --quorum 1 --two-person default", ADMIN1);
    });

    it("refuses an approval rule it does not understand", async () => {
      const bad = await command("approvals set eu --two-person reboots", ADMIN1);
      expect(JSON.stringify(bad.body)).toContain("`two-person` must list actions among reboot");
      const none = await command("approvals set eu", ADMIN1);
      expect(JSON.stringify(none.body)).toContain("Give `--quorum`, `--two-person` or both.");
    });

    it("a request whose stored params no longer fit its action fails on approval, clearly, and sends nothing", async () => {
      const before = env.hostens.count(isReboot);
      await command("reboot 302", OPERATOR);
      const { requestId } = lastCard();
      // A row written by another version, or edited by hand.
      await env.app.db.db
        .update(confirmationRequests)
        .set({ params: { serviceId: 302 } })
        .where(eq(confirmationRequests.id, requestId));
      const answer = await click("confirm:approve#0", requestId, ADMIN1);
      expect(JSON.stringify(answer.body)).toMatch(
        /Failed: hostops cannot run this request: its stored parameters are no longer valid \(serviceId: .*\); nothing was done/,
      );
      const after = await status(requestId);
      expect(after.status).toBe("failed");
      expect(after.resultSummary).toMatch(/no longer valid.*nothing was done/);
      expect(env.hostens.count(isReboot)).toBe(before);
      // The card is drawn from the text stored with the row, without buttons.
      const card = env.slack.calls.filter((c) => c.method === "chat.update").at(-1)!;
      expect(JSON.stringify(card.body)).toContain("Reboot");
      expect(JSON.stringify(card.body)).not.toContain("confirm:approve");
      const pending = await command("pending", OPERATOR);
      expect(pending.body.response_type).toBe("ephemeral");
    });

    it("lists open requests and shows the audit trail of a decision", async () => {
      // One request approved (and run), one denied, one left open.
      await command("reboot 302", OPERATOR);
      await click("confirm:approve#0", lastCard().requestId, ADMIN1);
      await env.app.core.background.idle();
      await command("reboot 302", OPERATOR);
      await click("confirm:deny#1", lastCard().requestId, ADMIN1);
      await command("reboot 302", OPERATOR);
      const pending = await command("pending", OPERATOR);
      expect(JSON.stringify(pending.body)).toContain("Reboot");
      const audit = await command("audit 50", ADMIN1);
      const text = JSON.stringify(audit.body);
      for (const outcome of ["requested", "approved", "executing", "succeeded", "denied"])
        expect(text).toContain(outcome);
    });
  });
}

describe("confirmation races on real Postgres", () => {
  let env: Env;
  let second: Hostops;
  /** A second replica on the same database. */
  const startSecond = () =>
    startHostops({
      config: testConfig({ SLACK_API_URL: env.slack.apiUrl, DATABASE_URL: env.databaseUrl }),
      overrides: { providerRetries: 0, noTimers: true, taskPollMs: 1 },
    });
  beforeAll(async () => {
    env = await setup("postgres");
    second = await startSecond();
    await addBound(env.app, "eu", env.hostens);
  });
  afterAll(async () => {
    await second.stop();
    await env.app.stop();
    await env.hostens.close();
    await env.hostkey.close();
    await env.slack.close();
    await env.drop?.();
  });

  const actor = (userId: string): Actor => ({
    platform: "slack",
    workspaceId: "T1",
    channelId: CHANNEL,
    userId,
    userIsPlatformAdmin: true,
  });

  it("40 simultaneous approvals on two replicas execute the reboot exactly once", async () => {
    const out = await env.app.dispatcher.command({
      ...actor(OPERATOR),
      path: ["reboot"],
      args: { service: "302" },
    });
    expect(out.kind).toBe("reply");
    const [req] = await env.app.db.db
      .select()
      .from(confirmationRequests)
      .where(eq(confirmationRequests.status, "pending"));
    const before = env.hostens.count(isReboot);
    const clicks = Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? second : env.app).dispatcher.action(actor(`UADM${i % 5}`), "confirm:approve", req!.id),
    );
    const results = await Promise.all(clicks);
    await env.app.core.background.idle();
    await second.core.background.idle();
    expect(env.hostens.count(isReboot) - before).toBe(1);
    const texts = results.map((r) => (r.kind === "reply" ? r.reply.text : r.kind));
    expect(texts.filter((t) => t.startsWith("Approved"))).toHaveLength(1);
    expect(texts.filter((t) => /Already approved by|already approved/.test(t))).toHaveLength(39);
  });

  it("a crash while executing leaves 'outcome unknown' and no second provider call", async () => {
    await env.app.dispatcher.command({ ...actor(OPERATOR), path: ["reboot"], args: { service: "302" } });
    const [req] = await env.app.db.db
      .select()
      .from(confirmationRequests)
      .where(eq(confirmationRequests.status, "pending"));
    env.hostens.fault({ kind: "hang" }, { match: isReboot, times: 1 });
    const before = env.hostens.count(isReboot);
    // The approval reaches the provider, which never answers: then the process "dies" (its pool closes).
    const inFlight = second.dispatcher
      .action(actor(ADMIN1), "confirm:approve", req!.id)
      .catch(() => undefined);
    await vi.waitFor(() => expect(env.hostens.count(isReboot)).toBeGreaterThan(before), { timeout: 10_000 });
    expect(
      (
        await env.app.db.db.select().from(confirmationRequests).where(eq(confirmationRequests.id, req!.id))
      )[0]!.status,
    ).toBe("executing");
    await second.db.close();
    env.hostens.clearFaults();
    // The surviving replica, past the grace period, recovers it without re-running it.
    env.clock.offsetMs = 10 * 60_000;
    const recovered = await recoverInterrupted(env.app.core, 60_000);
    env.clock.offsetMs = 0;
    expect(recovered.unknown).toBe(1);
    const [after] = await env.app.db.db
      .select()
      .from(confirmationRequests)
      .where(eq(confirmationRequests.id, req!.id));
    expect(after!.status).toBe("unknown");
    expect(after!.resultSummary).toContain("outcome unknown");
    const retry = await env.app.dispatcher.action(actor(ADMIN2), "confirm:approve", req!.id);
    expect(retry.kind === "reply" && retry.reply.text).toContain("Already approved");
    expect(env.hostens.count(isReboot) - before).toBe(1);
    void inFlight;
    // The second replica comes back for the other tests.
    second = await startSecond();
  });
});
