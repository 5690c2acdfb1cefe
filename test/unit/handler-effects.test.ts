import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { ConsoleMessenger } from "../../src/chat/console/messenger.ts";
import { actionHandlers, commandTree } from "../../src/core/commands/index.ts";
import type { Actor, CommandDef, Effects, Param } from "../../src/core/context.ts";
import type { Button, Outcome, Reply } from "../../src/core/reply.ts";
import type { Capability, ProviderDriver, Service } from "../../src/providers/types.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { addBoundAccount } from "../helpers/accounts.ts";
import { testConfig } from "../helpers/config.ts";

/**
 * Every command and button declares what it may do before it answers (`mayCallProvider`,
 * `mayOpenForm`); Discord decides from that whether to acknowledge first. Here each one runs
 * against a driver that records its calls, and the declaration must cover what it did:
 * - a provider call needs `mayCallProvider`, and comes after the request was acknowledged;
 * - a form needs `mayOpenForm`.
 * Buttons are pressed as the replies and posted messages offer them.
 */

const actor: Actor = {
  platform: "console",
  workspaceId: "local",
  channelId: "console",
  userId: "LOCAL",
  userIsPlatformAdmin: true,
};

const soon = new Date(Date.now() + 3 * 86_400_000);
const service: Service = {
  id: "302",
  label: "web",
  product: "VPS",
  status: "active",
  expiresAt: soon,
  autorenew: false,
  raw: {},
};

/** A driver with every capability that tells `record` about each call. */
function recordingDriver(record: (event: string) => void): ProviderDriver {
  const call =
    <T>(name: string, value: T) =>
    async (..._args: unknown[]): Promise<T> => {
      record(`provider ${name}`);
      return value;
    };
  const done = { summary: "done" };
  const driver = {
    kind: "hostens",
    verifyCredentials: call("verifyCredentials", undefined),
    getBalance: call("getBalance", { amount: "1.00", currency: "EUR" }),
    listServices: call("listServices", [service]),
    getService: call("getService", service),
    listInvoices: call("listInvoices", []),
    listDomains: call("listDomains", [
      { id: "9", name: "example.com", expiresAt: soon, status: "active", autorenew: false, raw: {} },
    ]),
    reboot: call("reboot", done),
    powerOn: call("powerOn", done),
    powerOff: call("powerOff", done),
    listOperatingSystems: call("listOperatingSystems", [{ id: "7", name: "Debian 12" }]),
    reinstall: call("reinstall", done),
    renewService: call("renewService", done),
    setAutorenew: call("setAutorenew", done),
    cancelService: call("cancelService", done),
    renewDomain: call("renewDomain", done),
    setNameservers: call("setNameservers", done),
    getTask: call("getTask", { state: "succeeded" as const, summary: "done" }),
  } as const;
  const capabilities = new Set(
    Object.keys(driver).filter((k) => k !== "kind" && k !== "verifyCredentials") as Capability[],
  );
  return { ...driver, capabilities };
}

/** Arguments each parameter gets (by name; else by type). */
const SAMPLES: Record<string, unknown> = {
  account: "prod",
  label: "prod",
  service: "302",
  id: "302",
  os: "7",
  domain: "example.com",
  nameservers: "ns1.example.net ns2.example.net",
  user: "BOB",
  reason: "moving",
  time: "09:00",
  tz: "UTC",
  "two-person": "none",
  preview: false,
};
/** Commands that would undo the setup the others need take the spare account. */
const OVERRIDES: Record<string, Record<string, unknown>> = {
  "accounts remove": { label: "spare" },
  unbind: { label: "spare" },
};

/** Second runs that take another path: the provider picker, the OS picker. */
const VARIANTS: { path: string[]; args: Record<string, unknown> }[] = [
  { path: ["accounts", "add"], args: {} },
  { path: ["reinstall"], args: { service: "302", account: "prod" } },
];

function sampleArgs(def: CommandDef): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const sample = (p: Param): unknown => {
    if (p.name in SAMPLES) return SAMPLES[p.name];
    if (p.choices?.length) return p.choices[0];
    if (p.type === "integer") return p.min ?? 1;
    if (p.type === "boolean") return true;
    return "x";
  };
  for (const p of def.params) args[p.name] = sample(p);
  return { ...args, ...OVERRIDES[def.path.join(" ")] };
}

function buttonsOf(out: Outcome | Reply): Button[] {
  const reply = "blocks" in out ? out : out.kind === "reply" || out.kind === "update" ? out.reply : undefined;
  return (reply?.blocks ?? []).flatMap((b) => (b.kind === "actions" ? b.buttons : []));
}

interface Run {
  name: string;
  def: Effects;
  events: string[];
  out: Outcome;
}

describe("what commands and buttons declare they may do", () => {
  let provider: HostBillFake;
  let app: Hostops;
  const runs: Run[] = [];

  beforeAll(async () => {
    provider = await startHostBillFake({ kind: "hostens" });
    app = await startHostops({
      config: testConfig({ SLACK_BOT_TOKEN: undefined, SLACK_SIGNING_SECRET: undefined }),
      overrides: { memoryDb: true, noTimers: true, noHttpServer: true, providerRetries: 0 },
    });
    const fake = { kind: "hostens" as const, baseUrl: provider.baseUrl, credentials: provider.credentials };
    for (const label of ["prod", "spare"])
      await addBoundAccount(app.core, {
        platform: "console",
        workspaceId: actor.workspaceId,
        label,
        fake,
        channel: actor.channelId,
        by: "setup",
      });

    let events: string[] = [];
    const driver = recordingDriver((e) => events.push(e));
    vi.spyOn(app.core.accounts, "driverFor").mockReturnValue(driver);
    // Cards and alerts are posted here; their buttons are pressed below.
    const offered: Button[] = [];
    app.core.messengers.set("console", new ConsoleMessenger((m) => offered.push(...buttonsOf(m.reply))));
    const acknowledge = async () => {
      events.push("ack");
    };

    const invocations = [
      ...commandTree.map((def) => ({ def, args: sampleArgs(def) })),
      ...VARIANTS.map((v) => ({ def: commandTree.find((c) => c.path.join(" ") === v.path.join(" ")), ...v })),
    ];
    for (const { def, args } of invocations) {
      if (!def) throw new Error("a variant names no command");
      const parsed = def.schema.safeParse(args);
      if (!parsed.success)
        throw new Error(`${def.path.join(" ")}: add sample arguments (${parsed.error.message})`);
      events = [];
      const out = await app.dispatcher.command({ ...actor, path: [...def.path], args }, { acknowledge });
      await app.core.background.idle();
      runs.push({ name: def.path.join(" "), def, events, out });
      offered.push(...buttonsOf(out));
    }
    // One press per button kind, each on a message no other press decided (Approve and Deny of
    // one card are pressed on different cards).
    const pressed = new Set<string>();
    const used = new Set<string>();
    for (let i = 0; i < offered.length; i++) {
      const b = offered[i];
      if (!b || pressed.has(b.id) || used.has(b.value)) continue;
      const def = actionHandlers.find((h) => h.id === b.id);
      if (!def) continue;
      pressed.add(b.id);
      used.add(b.value);
      events = [];
      const out = await app.dispatcher.action(actor, b.id, b.value, { acknowledge });
      await app.core.background.idle();
      runs.push({ name: `button ${b.id}`, def, events, out });
      offered.push(...buttonsOf(out));
    }
  }, 60_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    await app?.stop({ graceMs: 0 });
    await provider?.close();
  });

  it("runs every command and presses every kind of button", () => {
    const names = new Set(runs.map((r) => r.name));
    for (const def of commandTree) expect(names, def.path.join(" ")).toContain(def.path.join(" "));
    for (const h of actionHandlers) expect(names, `no message offered ${h.id}`).toContain(`button ${h.id}`);
  });

  it("declares mayCallProvider wherever a provider is called, and acknowledges before the call", () => {
    const undeclared = runs.filter(
      (r) => r.events.some((e) => e.startsWith("provider")) && !r.def.mayCallProvider,
    );
    expect(undeclared.map((r) => r.name)).toEqual([]);
    const early = runs.filter((r) => {
      const first = r.events.findIndex((e) => e.startsWith("provider"));
      return first >= 0 && !r.events.slice(0, first).includes("ack");
    });
    expect(early.map((r) => `${r.name}: ${r.events.join(", ")}`)).toEqual([]);
  });

  it("declares mayOpenForm wherever a form is the answer", () => {
    const undeclared = runs.filter((r) => r.out.kind === "modal" && !r.def.mayOpenForm);
    expect(undeclared.map((r) => r.name)).toEqual([]);
  });

  it("asks the adapter for its ack once per request, and not for a refusal or bad input", async () => {
    let acks = 0;
    const hooks = {
      acknowledge: async () => {
        acks++;
      },
    };
    const run = async (who: Actor, path: string[], args: Record<string, unknown>) => {
      acks = 0;
      await app.dispatcher.command({ ...who, path, args }, hooks);
      return acks;
    };
    // services asks two accounts' providers: one ack.
    expect(await run(actor, ["services"], {})).toBe(1);
    // A form only: answered as the first response.
    expect(await run(actor, ["accounts", "add"], { provider: "hostens" })).toBe(0);
    // Refused and invalid requests are answered at once, without a provider.
    const viewer = { ...actor, userId: "VIEWER", userIsPlatformAdmin: false };
    expect(await run(viewer, ["reboot"], { service: "302", account: "prod" })).toBe(0);
    expect(await run(actor, ["audit"], { n: 99 })).toBe(0);
  });
});
