import { describe, expect, it } from "vitest";
import {
  type ActionResult,
  type Capability,
  can,
  MUTATING_CAPABILITIES,
  type ProviderDriver,
} from "../../providers/types.ts";
import { reply, textReply } from "../reply.ts";
import { plainText, strong } from "../rich.ts";
import { ACTION_NAMES, ACTIONS, type ActionName, actionNamed, PIN_ACTIONS } from "./catalog.ts";

const hostens = { label: "prod", kind: "hostens", displayName: null } as const;

/** A driver that records each mutating call; `missing` declares a capability without its method. */
function recordingDriver(caps: Capability[], missing: Capability[] = []) {
  const calls: [string, ...unknown[]][] = [];
  const record =
    (name: string) =>
    async (...args: unknown[]): Promise<ActionResult> => {
      calls.push([name, ...args]);
      return { summary: `${name} done` };
    };
  const driver: ProviderDriver = {
    kind: "hostens",
    capabilities: new Set([...caps, ...missing]),
    verifyCredentials: async () => {},
  };
  for (const c of caps) Object.assign(driver, { [c]: record(c) });
  return { driver, calls };
}

const service = { serviceId: "302", serviceName: "web" };
const domain = { domainId: "48", domainName: "example.com" };

/** Params a command would build, the driver call they make, and the card's sentence. */
const CASES: [ActionName, Record<string, unknown>, [string, ...unknown[]], string][] = [
  [
    "reboot",
    service,
    ["reboot", "302", { pin: undefined }],
    "Reboot web (302) on account prod (Hostens). The server is unreachable while it restarts.",
  ],
  [
    "poweron",
    { serviceId: "302" },
    ["powerOn", "302", { pin: undefined }],
    "Power on service 302 on account prod (Hostens).",
  ],
  [
    "poweroff",
    service,
    ["powerOff", "302", { pin: undefined }],
    "Power off web (302) on account prod (Hostens). It stays down until someone powers it on.",
  ],
  [
    "reinstall",
    { ...service, osId: "7", osName: "Debian 12" },
    ["reinstall", "302", { osId: "7", pin: undefined }],
    "Reinstall web (302) on account prod (Hostens) with Debian 12.",
  ],
  [
    "renew",
    { ...service, optionId: "m1", optionLabel: "1 month" },
    ["renewService", "302", { optionId: "m1" }],
    "Renew web (302) on account prod (Hostens) (1 month). This spends money from the account balance.",
  ],
  [
    "renew",
    service,
    ["renewService", "302", undefined],
    "Renew web (302) on account prod (Hostens). This spends money from the account balance.",
  ],
  [
    "autorenew",
    { ...service, enabled: false },
    ["setAutorenew", "302", false],
    "Turn autorenew off for web (302) on account prod (Hostens). The service expires unless renewed by hand.",
  ],
  [
    "cancel",
    { ...service, immediate: true, reason: "moved" },
    ["cancelService", "302", { immediate: true, reason: "moved" }],
    'Cancel web (302) on account prod (Hostens) immediately. Reason: "moved".',
  ],
  [
    "domain-renew",
    // An alert's Renew button gives no years: one.
    domain,
    ["renewDomain", "48", { years: 1 }],
    "Renew domain example.com for 1 year(s) on account prod (Hostens). This spends money.",
  ],
  [
    "domain-ns",
    { ...domain, nameservers: ["ns1.host.net", "ns2.host.net"] },
    ["setNameservers", "48", ["ns1.host.net", "ns2.host.net"]],
    "Set the nameservers of example.com on account prod (Hostens) to ns1.host.net, ns2.host.net.",
  ],
];

describe("the action catalog", () => {
  it("defines each mutating capability by exactly one action, under its own name", () => {
    expect(Object.keys(ACTIONS).sort()).toEqual([...ACTION_NAMES].sort());
    for (const name of ACTION_NAMES) expect(ACTIONS[name].name).toBe(name);
    expect(ACTION_NAMES.map((n) => ACTIONS[n].capability).sort()).toEqual([...MUTATING_CAPABILITIES].sort());
    expect(PIN_ACTIONS.sort()).toEqual(["poweroff", "poweron", "reboot", "reinstall"]);
  });

  it("knows no action by another name (a row of another version, an inherited property)", () => {
    expect(actionNamed("reboot")?.name).toBe("reboot");
    expect(actionNamed("format-disk")).toBeUndefined();
    expect(actionNamed("toString")).toBeUndefined();
  });

  it.each(CASES)(
    "%s %j: calls the driver with typed params and says what it will do",
    async (name, params, call, text) => {
      const action = ACTIONS[name];
      const read = action.read(params);
      if (!read.ok) throw new Error(read.problem);
      expect(plainText(read.bound.describe(hostens))).toBe(text);
      const { driver, calls } = recordingDriver([action.capability]);
      const run = read.bound.prepare(driver);
      expect(run).toBeDefined();
      await expect(run?.(undefined)).resolves.toEqual({ summary: `${action.capability} done` });
      expect(calls).toEqual([call]);
    },
  );

  it("names the service, the account and the OS in strong (each platform marks it up its own way)", () => {
    const read = ACTIONS.reinstall.read({ ...service, osId: "7", osName: "Debian *12*" });
    if (!read.ok) throw new Error(read.problem);
    const spans = read.bound.describe(hostens);
    expect(spans).toContainEqual(strong("web"));
    expect(spans).toContainEqual(strong("prod"));
    expect(spans).toContainEqual(strong("Debian *12*"));
  });

  it("passes the approver's PIN to the actions HOSTKEY asks it for", async () => {
    const read = ACTIONS.reboot.read(service);
    if (!read.ok) throw new Error(read.problem);
    const { driver, calls } = recordingDriver(["reboot"]);
    await read.bound.prepare(driver)?.("1234");
    expect(calls).toEqual([["reboot", "302", { pin: "1234" }]]);
  });

  it.each<[ActionName, unknown, RegExp]>([
    ["reboot", {}, /^serviceId: /],
    ["reboot", { serviceId: "" }, /^serviceId: /],
    ["reboot", { serviceId: 302 }, /^serviceId: /],
    ["reboot", null, /object/],
    ["reinstall", service, /^osId: /],
    ["autorenew", { ...service, enabled: "yes" }, /^enabled: /],
    ["cancel", { ...service, reason: "x" }, /^immediate: /],
    ["domain-renew", { ...domain, years: 11 }, /^years: /],
    ["domain-ns", { ...domain, nameservers: "ns1.host.net ns2.host.net" }, /^nameservers: /],
    ["domain-ns", { ...domain, nameservers: ["ns1.host.net"] }, /^nameservers: .*at least two/],
    ["domain-ns", { ...domain, nameservers: ["ns1.host.net", "ns1.host.net"] }, /once/],
  ])("%s with params %j no longer parse: refused with the reason", (name, params, problem) => {
    const read = ACTIONS[name].read(params);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.problem).toMatch(problem);
  });

  it("keeps the params as stored, and ignores what they carry besides (the card's cost)", () => {
    const read = ACTIONS.renew.read({ ...service, cost: "4.99 EUR" });
    expect(read.ok && read.bound.params).toEqual(service);
  });

  it("has nothing to run on a driver without the method, declared or not", () => {
    const read = ACTIONS.reboot.read(service);
    if (!read.ok) throw new Error(read.problem);
    expect(read.bound.prepare(recordingDriver([]).driver)).toBeUndefined();
    expect(read.bound.prepare(recordingDriver([], ["reboot"]).driver)).toBeUndefined();
    const undeclared = recordingDriver(["powerOn"]).driver;
    Object.assign(undeclared, { reboot: async () => ({ summary: "" }) });
    expect(can(undeclared, "reboot")).toBe(false);
    expect(can(undeclared, "powerOn")).toBe(true);
  });

  it("says what each request is about in a table cell", () => {
    const subject = (name: ActionName, params: unknown) => {
      const read = ACTIONS[name].read(params);
      return read.ok ? read.bound.subject : read.problem;
    };
    expect(subject("reboot", service)).toBe("service 302 (web)");
    expect(subject("reboot", { serviceId: "302" })).toBe("service 302");
    expect(subject("reboot", { serviceId: "302", serviceName: "302" })).toBe("service 302");
    expect(subject("domain-ns", { ...domain, nameservers: ["a.host.net", "b.host.net"] })).toBe(
      "example.com",
    );
  });

  it("derives each action's command: operator role, private answer", async () => {
    for (const name of ACTION_NAMES) {
      const def = ACTIONS[name].command(async () => reply(textReply("filed")));
      expect(def.role).toBe("operator");
      expect(def.ephemeral).toBe(true);
      expect(def.params.length).toBeGreaterThan(0);
      expect(def.summary).toMatch(/\(.*approv.*\)$/);
    }
    expect(ACTIONS.reboot.command(async () => reply(textReply(""))).compactPath).toEqual([
      "service",
      "reboot",
    ]);
    expect(ACTIONS["domain-ns"].command(async () => reply(textReply(""))).path).toEqual(["domain", "ns"]);
  });
});
