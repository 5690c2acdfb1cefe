import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeHostBillEnvelope } from "../../src/providers/hostbill/client.ts";
import { redactTaskText } from "../../src/providers/hostbill/driver.ts";
import { hostens, time4vps } from "../../src/providers/hostbill/index.ts";
import {
  billingCycleMonths,
  invoiceBaseStatus,
  serviceStatus,
} from "../../src/providers/hostbill/schemas.ts";
import { createDriver } from "../../src/providers/registry.ts";
import { type Capability, type ProviderDriver, ProviderError } from "../../src/providers/types.ts";
import {
  fakeDay,
  type HostBillFake,
  type HostBillFakeOptions,
  startHostBillFake,
} from "../fakes/providers/hostbill.ts";
import { describeDriverContract } from "./contract.ts";

const now = new Date();
const midnight = (offset: number) => `${fakeDay(now, offset)}T00:00:00.000Z`;

for (const kind of ["hostens", "time4vps"] as const) {
  describeDriverContract({
    kind,
    start: () => startHostBillFake({ kind, now }),
    expected: {
      balance: { amount: "25.50", currency: kind === "hostens" ? "USD" : "EUR" },
      services: { count: 4, first: { id: "302", status: "active", expiresAt: midnight(3) } },
      missingServiceId: "999",
      invoices: { count: 4, unpaidOrOverdueIds: ["308977", "308978"] },
      ...(kind === "hostens"
        ? { domains: { count: 3, first: { name: "testname.com", expiresAt: midnight(20) } } }
        : {}),
    },
    mutating: {
      run: (d) => d.reboot!("302"),
      matches: (r) => r.method === "POST" && r.path === "/api/server/302/reboot",
    },
  });
}

const errorOf = async (p: Promise<unknown>): Promise<ProviderError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
};

function setup(kind: "hostens" | "time4vps", opts: Omit<HostBillFakeOptions, "kind"> = {}) {
  const ctx = {} as {
    fake: HostBillFake;
    driver: ProviderDriver;
    make: (credentials?: unknown) => ProviderDriver;
  };
  beforeEach(async () => {
    ctx.fake = await startHostBillFake({ kind, now, ...opts });
    ctx.make = (credentials?: unknown) =>
      createDriver(kind, {
        credentials: credentials ?? ctx.fake.credentials,
        baseUrl: ctx.fake.baseUrl,
        timeoutMs: 2_000,
        retries: 0,
      });
    ctx.driver = ctx.make();
  });
  afterEach(async () => {
    await ctx.fake.close();
  });
  return ctx;
}

const posts = (fake: HostBillFake, path: string) =>
  fake.requests.filter((r) => r.method !== "GET" && r.path === `/api${path}`);

describe("hostbill registry entries", () => {
  it("use the documented base URLs and a Basic-auth login", () => {
    expect(hostens.defaultBaseUrl).toBe("https://billing.hostens.com/api");
    expect(time4vps.defaultBaseUrl).toBe("https://billing.time4vps.com/api");
    expect(hostens.credentialFields.map((f) => [f.key, f.secret])).toEqual([
      ["username", false],
      ["password", true],
    ]);
  });

  it("rejects credentials without a password", () => {
    expect(() => createDriver("time4vps", { credentials: { username: "a@b.c" } })).toThrow(/password/);
  });

  it("declares exactly what each API offers", () => {
    const base: Capability[] = [
      "getBalance",
      "listServices",
      "getService",
      "listInvoices",
      "reboot",
      "listOperatingSystems",
      "reinstall",
      "cancelService",
      "getTask",
    ];
    const creds = { username: "a@b.c", password: "pw-123456" };
    const h = createDriver("hostens", { credentials: creds });
    const t = createDriver("time4vps", { credentials: creds });
    expect([...h.capabilities].sort()).toEqual(
      [...base, "listDomains", "renewDomain", "setNameservers"].sort(),
    );
    expect([...t.capabilities].sort()).toEqual([...base].sort());
    // Time4VPS has no domain routes: the methods do not exist at all.
    expect(t.listDomains).toBeUndefined();
    expect(t.renewDomain).toBeUndefined();
    expect(t.setNameservers).toBeUndefined();
    // Neither API can power on/off, renew a service or toggle service autorenew.
    for (const d of [h, t]) {
      expect(d.powerOn).toBeUndefined();
      expect(d.powerOff).toBeUndefined();
      expect(d.renewService).toBeUndefined();
      expect(d.setAutorenew).toBeUndefined();
    }
  });
});

describe("hostbill error envelope", () => {
  const decode = decodeHostBillEnvelope("time4vps");
  it.each([
    [{ error: ["wronglogin"] }, 200, "AUTH_FAILED"],
    [{ error: "wronglogin" }, 200, "AUTH_FAILED"],
    [{}, 401, undefined],
    [{ error: ["Unauthorized"] }, 401, "AUTH_FAILED"],
    [{ error: ["Invalid task ID"] }, 200, "NOT_FOUND"],
    [{ error: ["Service not found"] }, 200, "NOT_FOUND"],
    [{ error: ["Oops"] }, 404, "NOT_FOUND"],
    [{ error: ["Insufficient funds to complete the order"] }, 200, "INSUFFICIENT_FUNDS"],
    [{ error: ["You can run one task per server at a time"] }, 200, "VALIDATION"],
    [{ success: false }, 200, "VALIDATION"],
    [{ error: ["boom"] }, 500, "UPSTREAM"],
    [{ success: true, details: {} }, 200, undefined],
    [{ services: [], error: [] }, 200, undefined],
    [[{ os: "x", title: "y" }], 200, undefined],
  ])("%j with HTTP %i -> %s", (body, status, code) => {
    expect(decode(body, status)?.code).toBe(code);
  });

  it("names the provider and quotes the error text", () => {
    expect(decode({ error: ["Domain is locked"] }, 200)?.message).toBe(
      "Time4VPS refused the request: Domain is locked.",
    );
    expect(decode({ error: ["wronglogin"] }, 200)?.message).toBe("Time4VPS rejected the credentials.");
  });
});

describe("hostbill normalization", () => {
  it.each([
    ["Active", "active"],
    ["Pending", "pending"],
    ["Suspended", "suspended"],
    ["Terminated", "cancelled"],
    ["Cancelled", "cancelled"],
    ["Expired", "expired"],
    ["Fraud", "unknown"],
  ])("service status %s -> %s", (raw, status) => {
    expect(serviceStatus(raw)).toBe(status);
  });

  it.each([
    ["Monthly", 1],
    ["Quarterly", 3],
    ["Semi-Annually", 6],
    ["Annually", 12],
    ["Biennially", 24],
    ["Triennially", 36],
    ["a", 12],
    ["One Time", undefined],
    ["Free", undefined],
  ])("billing cycle %s -> %s months", (raw, months) => {
    expect(billingCycleMonths(raw)).toBe(months);
  });

  it.each([
    ["Paid", "paid"],
    ["Unpaid", "unpaid"],
    ["Collections", "unpaid"],
    ["Cancelled", "cancelled"],
    ["Refunded", "cancelled"],
    ["Something new", "unpaid"],
  ])("invoice status %s -> %s", (raw, status) => {
    expect(invoiceBaseStatus(raw)).toBe(status);
  });

  it.each([
    ["VM recreated successfully. Password: s3cr3tPW", "VM recreated successfully. Password: [redacted]"],
    ["root password is hunter22", "root password is [redacted]"],
    [
      "Console: https://user:pa55@vnc.example.com:6080/x",
      "Console: https://[redacted]@vnc.example.com:6080/x",
    ],
    ['{"password":"abc123"}', '{"password":"[redacted]"}'],
    ["VM rebooted successfully", "VM rebooted successfully"],
  ])("redacts task results %j", (text, expected) => {
    expect(redactTaskText(text)).toBe(expected);
  });
});

describe("hostens driver against the fake", () => {
  const t = setup("hostens");

  it("sends the client-area login as HTTP Basic", async () => {
    await t.driver.verifyCredentials();
    const auth = t.fake.requests.at(-1)?.headers.authorization;
    const { username, password } = t.fake.credentials;
    expect(auth).toBe(`Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`);
    expect(t.fake.requests.at(-1)?.path).toBe("/api/details");
  });

  it("treats HTTP 200 {error:[wronglogin]} as rejected credentials", async () => {
    const err = await errorOf(t.make(t.fake.wrongCredentials).listServices!());
    expect(err.code).toBe("AUTH_FAILED");
    expect(err.message).toBe("Hostens rejected the credentials.");
    expect(t.fake.requests.at(-1)?.path).toBe("/api/service");
  });

  it("treats HTTP 401 as rejected credentials too", async () => {
    t.fake.fault({ kind: "status", status: 401, text: "Unauthorized" }, { times: 1 });
    expect((await errorOf(t.driver.verifyCredentials())).code).toBe("AUTH_FAILED");
  });

  it("reads prepaid credit (acc_credit), not the unpaid total (acc_balance)", async () => {
    t.fake.state.accCredit = "7.5";
    t.fake.state.accBalance = "999.99";
    expect(await t.driver.getBalance!()).toEqual({ amount: "7.50", currency: "USD" });
  });

  it("reports success:false as an error", async () => {
    t.fake.fault({ kind: "json", json: { success: false, details: {} } }, { times: 1 });
    expect((await errorOf(t.driver.getBalance!())).code).toBe("VALIDATION");
  });

  it("joins services with GET /server for hostname and IP, and sets price and cycle", async () => {
    const list = await t.driver.listServices!();
    const byId = new Map(list.map((s) => [s.id, s]));
    const vps = byId.get("302")!;
    expect(vps).toMatchObject({
      label: "web",
      product: "Linux VPS",
      hostname: "vps1.example.com",
      ipv4: "123.123.123.123",
      autorenew: null,
      renewalPrice: { amount: "4.99", currency: "USD" },
      billingCycleMonths: 1,
    });
    expect(byId.get("301")).toMatchObject({
      status: "active",
      hostname: "examplename.com",
      expiresAt: new Date(midnight(40)),
    });
    expect(byId.get("301")!.ipv4).toBeUndefined();
    expect(byId.get("303")).toMatchObject({ status: "pending", billingCycleMonths: 12 });
    expect(byId.get("303")!.renewalPrice).toEqual({ amount: "47.88", currency: "USD" });
    // Suspended servers are missing from GET /server (HS-8): no IP, status from /service.
    expect(byId.get("304")).toMatchObject({ status: "suspended", hostname: "old.example.com" });
    expect(byId.get("304")!.ipv4).toBeUndefined();
  });

  it("accepts GET /server as one bare object, as documented (HS-6)", async () => {
    t.fake.fault(
      {
        kind: "json",
        json: { server_id: 302, domain: "bare.example.com", ip: "1.2.3.4", label: "", type: "OpenVZ" },
      },
      { times: 1, match: (r) => r.path === "/api/server" },
    );
    const vps = (await t.driver.listServices!()).find((s) => s.id === "302")!;
    expect(vps.hostname).toBe("bare.example.com");
    expect(vps.ipv4).toBe("1.2.3.4");
  });

  it("reads the account currency once per driver", async () => {
    await t.driver.listServices!();
    await t.driver.listServices!();
    expect(t.fake.count((r) => r.path === "/api/balance")).toBe(1);
  });

  it("removes the service password from raw (GET /service/@id shows it on Hostens)", async () => {
    const svc = await t.driver.getService!("301");
    expect(t.fake.state.services[0]!.password).toBe("pdtzc");
    expect(JSON.stringify(svc.raw)).not.toContain("pdtzc");
    expect(svc.raw).toMatchObject({ username: "examplen", name: "Starter Hosting" });
    expect(svc.ipv4).toBeUndefined();
  });

  it("adds server details to getService where the service is a server", async () => {
    const svc = await t.driver.getService!("302");
    expect(svc).toMatchObject({
      id: "302",
      hostname: "vps1.example.com",
      ipv4: "123.123.123.123",
      status: "active",
    });
    expect(svc.raw).toMatchObject({ service: { id: "302" }, server: { os: "ubuntu-16.04-x86_64" } });
  });

  it("refuses an id that is not a number without calling the API", async () => {
    const before = t.fake.count();
    expect((await errorOf(t.driver.getService!("../details"))).code).toBe("VALIDATION");
    expect(t.fake.count()).toBe(before);
  });

  it("detects unpaid, overdue and cancelled invoices with decimal totals", async () => {
    const list = await t.driver.listInvoices!();
    const byId = new Map(list.map((i) => [i.id, i]));
    expect(byId.get("308976")).toMatchObject({ status: "paid", total: { amount: "19.65", currency: "USD" } });
    expect(byId.get("308977")).toMatchObject({ status: "unpaid", dueAt: new Date(midnight(5)) });
    expect(byId.get("308978")).toMatchObject({
      status: "overdue",
      total: { amount: "9.99", currency: "USD" },
    });
    expect(byId.get("308979")?.status).toBe("cancelled");
    expect(byId.get("308977")?.issuedAt).toEqual(new Date(midnight(-2)));
  });

  it("is not overdue on the due day itself", async () => {
    t.fake.state.invoices[1]!.duedate = fakeDay(new Date(), 0);
    const inv = (await t.driver.listInvoices!()).find((i) => i.id === "308977")!;
    expect(inv.status).toBe("unpaid");
  });

  it("reboots a server and follows the task until it is done", async () => {
    const res = await t.driver.reboot!("302");
    expect(res.summary).toBe("Reboot of server 302 (vps1.example.com) started.");
    expect(res.taskRef).toMatch(/^302:\d+$/);
    expect(posts(t.fake, "/server/302/reboot")).toHaveLength(1);
    const status = await t.driver.getTask!(res.taskRef!);
    expect(status).toEqual({
      state: "succeeded",
      summary: "Reboot of server 302 finished: VM rebooted successfully",
    });
  });

  it("refuses a second task while one runs (one task per server)", async () => {
    await t.driver.reboot!("302");
    const err = await errorOf(t.driver.reboot!("302"));
    expect(err.code).toBe("VALIDATION");
    expect(err.message).toMatch(/busy \(Reboot in progress\)/);
    expect(posts(t.fake, "/server/302/reboot")).toHaveLength(1);
  });

  it("says NOT_FOUND when asked to reboot a service that is not a server", async () => {
    const err = await errorOf(t.driver.reboot!("301"));
    expect(err.code).toBe("NOT_FOUND");
    expect(posts(t.fake, "/server/301/reboot")).toHaveLength(0);
  });

  it("accepts a reboot answer without task_id (Time4VPS documents only 'Success')", async () => {
    t.fake.fault({ kind: "json", json: {} }, { times: 1, match: (r) => r.method === "POST" });
    const res = await t.driver.reboot!("302");
    expect(res.taskRef).toBeUndefined();
    expect(res.summary).toMatch(/gave no task id/);
  });

  it("lists the OS templates of a server", async () => {
    const oses = await t.driver.listOperatingSystems!("302");
    expect(oses[0]).toEqual({ id: "centos-7-x86_64", name: "Centos 7" });
    expect(oses).toHaveLength(3);
  });

  it("refuses a reinstall with an OS the server does not offer, before any POST", async () => {
    const err = await errorOf(t.driver.reinstall!("302", { osId: "windows-95" }));
    expect(err.code).toBe("VALIDATION");
    expect(posts(t.fake, "/server/302/reinstall")).toHaveLength(0);
  });

  it("reinstalls and redacts the new root password from the task result and raw", async () => {
    const res = await t.driver.reinstall!("302", {
      osId: "debian-12-x86_64",
      sshKey: "ssh-ed25519 AAAAC3 me@host",
    });
    expect(res.summary).toMatch(/^Reinstall of server 302 \(vps1.example.com\) with Debian 12 started/);
    expect(posts(t.fake, "/server/302/reinstall")[0]?.body).toEqual({
      os: "debian-12-x86_64",
      ssh_key: "ssh-ed25519 AAAAC3 me@host",
    });
    expect(res.summary).toContain(`read it in ${new URL(t.fake.baseUrl).origin}/clientarea`);
    const status = await t.driver.getTask!(res.taskRef!);
    const task = [...t.fake.tasks.values()].at(-1)!;
    // The fake answers as Time4VPS does: the password inside an HTML link's onclick.
    const password = /innerHTML = "([^"]+)"/.exec(task.results)?.[1];
    expect(password).toBeTruthy();
    expect(status.state).toBe("succeeded");
    expect(status.summary).toBe(
      `Reinstall of server 302 finished. The new root password is not posted here: read it in ${new URL(t.fake.baseUrl).origin}/clientarea (the server's task results).`,
    );
    // The finished task now sits in last_tasks of GET /server/@id, which getService keeps in raw.
    const svc = await t.driver.getService!("302");
    expect(JSON.stringify(svc.raw)).toContain("last_tasks");
    expect(JSON.stringify(svc.raw)).not.toContain(password!);
  });

  it("cancels at the end of the period with JSON booleans", async () => {
    const res = await t.driver.cancelService!("302", { immediate: false, reason: "moving" });
    expect(posts(t.fake, "/service/302/cancel")[0]?.body).toEqual({ immediate: false, reason: "moving" });
    expect(res.summary).toBe(
      `Cancellation of Hostens service vps1.example.com requested: it ends at the end of the paid period (next due ${fakeDay(now, 3)}).`,
    );
    expect((await t.driver.getService!("302")).status).toBe("active");
  });

  it("cancels immediately when asked, and the fake marks the service", async () => {
    await t.driver.cancelService!("304", { immediate: true, reason: "unused" });
    expect(t.fake.cancellations).toEqual([{ serviceId: "304", immediate: true, reason: "unused" }]);
    expect((await t.driver.getService!("304")).status).toBe("cancelled");
  });

  it("reports a running task, then its end", async () => {
    await t.fake.close();
    t.fake = await startHostBillFake({ kind: "hostens", now, taskPollsBeforeDone: 1 });
    const d = t.make();
    const { taskRef } = await d.reboot!("302");
    expect(await d.getTask!(taskRef!)).toEqual({
      state: "running",
      summary: "Reboot of server 302 is running.",
    });
    expect((await d.getTask!(taskRef!)).state).toBe("succeeded");
  });

  it("reads a failure from the results text", async () => {
    const { taskRef } = await t.driver.reboot!("302");
    t.fake.tasks.get(taskRef!.split(":")[1]!)!.finalResults = "Failed to reboot VM: hypervisor timeout";
    expect(await t.driver.getTask!(taskRef!)).toEqual({
      state: "failed",
      summary: "Reboot of server 302 failed: Failed to reboot VM: hypervisor timeout",
    });
  });

  it("answers NOT_FOUND for an unknown task (HTTP 200 'Invalid task ID') and VALIDATION for a bad ref", async () => {
    expect((await errorOf(t.driver.getTask!("302:1"))).code).toBe("NOT_FOUND");
    expect((await errorOf(t.driver.getTask!("nonsense"))).code).toBe("VALIDATION");
  });

  it("lists domains with expiry, lower-case status and autorenew", async () => {
    const list = await t.driver.listDomains!();
    expect(list.map((d) => [d.id, d.name, d.status, d.autorenew])).toEqual([
      ["47", "testname.com", "active", true],
      ["48", "example-shop.com", "active", false],
      ["49", "old-project.net", "expired", false],
    ]);
    expect(list[1]!.expiresAt).toEqual(new Date(midnight(6)));
  });

  it("renews a domain with a payment method from GET /payment, and the fake moves the expiry", async () => {
    const before = t.fake.state.domains[1]!.expires;
    const res = await t.driver.renewDomain!("48", { years: 2 });
    // JSON object keys that are integers come out in ascending order: "9" (PayPal) first.
    expect(posts(t.fake, "/domain/48/renew")[0]?.body).toEqual({ years: "2", pay_method: 9 });
    const after = t.fake.state.domains[1]!.expires;
    expect(Number(after.slice(0, 4)) - Number(before.slice(0, 4))).toBe(2);
    expect(res.summary).toMatch(
      /^Renewal of example-shop.com for 2 years ordered; invoice 308980 of 30.00 \(payment method PayPal\)\.$/,
    );
    const invoices = await t.driver.listInvoices!();
    expect(invoices.find((i) => i.id === "308980")).toMatchObject({
      status: "unpaid",
      total: { amount: "30.00" },
    });
  });

  it("refuses a renewal of 0 years without calling the API", async () => {
    const before = t.fake.count();
    expect((await errorOf(t.driver.renewDomain!("48", { years: 0 }))).code).toBe("VALIDATION");
    expect(t.fake.count()).toBe(before);
  });

  it("maps an in-200 funds error on renewal to INSUFFICIENT_FUNDS", async () => {
    t.fake.fault(
      { kind: "json", json: { error: ["Insufficient funds"] } },
      { times: 1, match: (r) => r.method === "POST" },
    );
    expect((await errorOf(t.driver.renewDomain!("47"))).code).toBe("INSUFFICIENT_FUNDS");
  });

  it("sets nameservers with PUT /domain/@id/ns", async () => {
    const res = await t.driver.setNameservers!("47", ["NS1.Example.net.", "ns2.example.net"]);
    expect(t.fake.requests.find((r) => r.method === "PUT")?.body).toEqual({
      nameservers: ["ns1.example.net", "ns2.example.net"],
    });
    expect(t.fake.state.domains[0]!.nameservers).toEqual(["ns1.example.net", "ns2.example.net"]);
    expect(res.summary).toBe("Nameservers of testname.com set to ns1.example.net, ns2.example.net.");
  });

  it("resets nameservers to the defaults with an empty list", async () => {
    const res = await t.driver.setNameservers!("47", []);
    expect(t.fake.requests.find((r) => r.method === "PUT")?.body).toEqual({ nameservers: [] });
    expect(res.summary).toBe("Nameservers of testname.com reset to Hostens's defaults.");
  });

  it.each([
    [["ns1.example.net"]],
    [["not a host", "ns2.example.net"]],
    [["a.example", "b.example", "c.example", "d.example", "e.example"]],
  ])("refuses nameservers %j without calling the API", async (ns) => {
    const before = t.fake.count();
    expect((await errorOf(t.driver.setNameservers!("47", ns))).code).toBe("VALIDATION");
    expect(t.fake.count()).toBe(before);
  });

  it("answers NOT_FOUND for a domain that does not exist", async () => {
    expect((await errorOf(t.driver.renewDomain!("4711"))).code).toBe("NOT_FOUND");
  });
});

describe("time4vps driver against the fake", () => {
  const t = setup("time4vps");

  it("has no domain routes (404) and the driver offers no domain methods", async () => {
    const { username, password } = t.fake.credentials;
    const res = await fetch(`${t.fake.baseUrl}/domain`, {
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` },
    });
    expect(res.status).toBe(404);
    expect(t.driver.listDomains).toBeUndefined();
  });

  it("names Time4VPS in errors", async () => {
    const err = await errorOf(t.make(t.fake.wrongCredentials).verifyCredentials());
    expect(err.message).toBe("Time4VPS rejected the credentials.");
  });

  it("serves the Time4VPS service shape (no password) and EUR prices", async () => {
    const svc = await t.driver.getService!("302");
    expect(t.fake.state.services[1]!.password).toBeUndefined();
    expect(svc).toMatchObject({ product: "Linux 4", renewalPrice: { amount: "4.99", currency: "EUR" } });
  });

  it("reboots through the same task flow as Hostens", async () => {
    const res = await t.driver.reboot!("302");
    expect((await t.driver.getTask!(res.taskRef!)).state).toBe("succeeded");
  });
});
