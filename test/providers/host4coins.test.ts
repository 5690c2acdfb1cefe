import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorSummary } from "../../src/providers/host4coins/client.ts";
import {
  defaultOption,
  mapInvoiceStatus,
  mapServiceStatus,
  periodMonths,
  redactTaskText,
} from "../../src/providers/host4coins/driver.ts";
import {
  HOST4COINS_CAPABILITIES,
  host4coins,
  host4coinsTaskRef,
} from "../../src/providers/host4coins/index.ts";
import { parseH4cDate, renewOption } from "../../src/providers/host4coins/schemas.ts";
import { createDriver } from "../../src/providers/registry.ts";
import { type ProviderDriver, ProviderError } from "../../src/providers/types.ts";
import {
  type Host4CoinsFake,
  host4coinsDemoData,
  startHost4coinsFake,
} from "../fakes/providers/host4coins.ts";
import { describeDriverContract } from "./contract.ts";

/** A fixed instant, so that the fake's relative demo dates are known exactly. */
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

describeDriverContract({
  kind: "host4coins",
  start: () => startHost4coinsFake({ now: NOW }),
  expected: {
    balance: { amount: "150000.00", currency: "SAT" },
    services: { count: 4, first: { id: "101", status: "active", expiresAt: iso(NOW + 3 * DAY) } },
    missingServiceId: "999",
    invoices: { count: 4, unpaidOrOverdueIds: ["8Xq2mVt4LsJ9pRw3NkYc7A"] },
    domains: { count: 2, first: { name: "host4coins.best", expiresAt: iso(NOW + 20 * DAY) } },
  },
  mutating: {
    run: (d) => d.renewService!("101"),
    matches: (r) => r.method === "POST" && r.path.startsWith("/api/v1/service/101/"),
  },
});

async function caught(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe("host4coins driver", () => {
  let fake: Host4CoinsFake;
  const make = (): ProviderDriver =>
    createDriver("host4coins", {
      credentials: fake.credentials,
      baseUrl: fake.baseUrl,
      timeoutMs: 2_000,
      retries: 0,
    });
  const requests = (method: string, path: string) =>
    fake.requests.filter((r) => r.method === method && r.path === path);

  beforeAll(async () => {
    fake = await startHost4coinsFake({ now: NOW });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    Object.assign(fake.state, host4coinsDemoData(NOW));
  });

  describe("registry entry and auth", () => {
    it("documents the base URL and asks for both key parts as secrets", () => {
      expect(host4coins.defaultBaseUrl).toBe("https://host4coins.net/api/v1/");
      expect(host4coins.credentialFields.map((f) => [f.key, f.secret])).toEqual([
        ["apiPublic", true],
        ["apiPrivate", true],
      ]);
    });

    it("refuses credentials without the private part", () => {
      expect(() => createDriver("host4coins", { credentials: { apiPublic: "abcd" } })).toThrow(/apiPrivate/);
    });

    it("sends the key as the apipublic and apiprivate headers", async () => {
      await make().verifyCredentials();
      const [req] = requests("GET", "/api/v1/balance");
      expect(req?.headers.apipublic).toBe(fake.credentials.apiPublic);
      expect(req?.headers.apiprivate).toBe(fake.credentials.apiPrivate);
    });

    it("declares exactly the documented capabilities, and no power, reinstall or cancel", () => {
      const d = make();
      expect([...d.capabilities].sort()).toEqual(
        [
          "getBalance",
          "getService",
          "getTask",
          "listDomains",
          "listInvoices",
          "listOperatingSystems",
          "listServices",
          "renewService",
          "setAutorenew",
        ].sort(),
      );
      expect(d.capabilities).toBe(HOST4COINS_CAPABILITIES);
      for (const missing of [
        "reboot",
        "powerOn",
        "powerOff",
        "reinstall",
        "cancelService",
        "renewDomain",
      ] as const) {
        expect(d.capabilities.has(missing)).toBe(false);
        expect((d as unknown as Record<string, unknown>)[missing]).toBeUndefined();
      }
    });

    it("maps a 403 on a read to AUTH_FAILED without echoing the body", async () => {
      fake.fault(
        { kind: "status", status: 403, json: { error: `bad apiprivate ${fake.credentials.apiPrivate}` } },
        { times: 1 },
      );
      const err = await caught(make().getBalance!());
      expect(err.code).toBe("AUTH_FAILED");
      expect(err.message).not.toContain(fake.credentials.apiPrivate);
    });
  });

  describe("balance", () => {
    it.each([
      [150000, "150000.00"],
      ["2500", "2500.00"],
      ["1234.5", "1234.50"],
    ])("reads %j as satoshis", async (balance, amount) => {
      fake.state.balance = balance;
      expect(await make().getBalance!()).toEqual({ amount, currency: "SAT" });
    });

    it("verifies credentials even when the balance cannot be read", async () => {
      fake.fault({ kind: "json", json: { balance: "_balance_" } }, { times: 1 });
      await expect(make().verifyCredentials()).resolves.toBeUndefined();
      expect(fake.count((r) => r.path === "/api/v1/balance")).toBe(1);
    });

    it("refuses a balance that is not a number", async () => {
      fake.fault({ kind: "json", json: { balance: "_balance_" } }, { times: 1 });
      const err = await caught(make().getBalance!());
      expect(err.code).toBe("UNEXPECTED_RESPONSE");
      expect(err.message).toMatch(/balance/);
    });
  });

  describe("services", () => {
    it("normalizes a listed service", async () => {
      const list = await make().listServices!();
      const s = list.find((x) => x.id === "101")!;
      expect(s).toMatchObject({
        label: "alpha.h4c-demo.net",
        product: "VPS_S (0.5 vCPU - 0.5 GB RAM - 16 GB Storage)",
        status: "active",
        autorenew: false,
        hostname: "alpha.h4c-demo.net",
        ipv4: "203.0.113.11",
        ipv6: "2001:db8::11",
      });
      expect(list.find((x) => x.id === "102")!.autorenew).toBe(true);
      expect(list.find((x) => x.id === "103")!.status).toBe("expired");
      expect(list.find((x) => x.id === "104")!.status).toBe("pending");
      expect((s.raw as Record<string, unknown>).family).toBe("VPS_S");
    });

    it("accepts numeric ids, status letters and epoch dates", async () => {
      fake.fault(
        {
          kind: "json",
          json: {
            services: [{ id: 7, status: "R", end_dt: 1_800_000_000, autorenew: "Yes", host_name: "" }],
            total_count: 1,
          },
        },
        { times: 1 },
      );
      const [s] = await make().listServices!();
      expect(s).toMatchObject({ id: "7", status: "active", autorenew: true, label: "service 7" });
      expect(s!.expiresAt?.toISOString()).toBe(iso(1_800_000_000_000));
      expect(s!.hostname).toBeUndefined();
    });

    it('reads "None" as no services', async () => {
      fake.fault({ kind: "json", json: { services: "None", total_count: 0 } }, { times: 1 });
      expect(await make().listServices!()).toEqual([]);
    });

    it("names the offending entry of a malformed list", async () => {
      fake.fault({ kind: "json", json: { services: [{ id: "1" }, { status: "running" }] } }, { times: 1 });
      const err = await caught(make().listServices!());
      expect(err.code).toBe("UNEXPECTED_RESPONSE");
      expect(err.message).toMatch(/service #2 at id/);
    });

    it.each([
      ["running", "active"],
      ["R", "active"],
      ["RUNNING", "active"],
      ["pending", "pending"],
      ["p", "pending"],
      ["installing", "pending"],
      ["I", "pending"],
      ["expired", "expired"],
      ["E", "expired"],
      ["suspended?", "unknown"],
      [undefined, "unknown"],
    ] as const)("maps service status %j to %s", (raw, status) => {
      expect(mapServiceStatus(raw)).toBe(status);
    });

    it("reads the details: autorenew setting, renew options, price and cycle of the cheapest", async () => {
      const s = await make().getService!("101");
      expect(s.autorenew).toBe(false);
      expect(s.expiresAt?.toISOString()).toBe(iso(NOW + 3 * DAY));
      expect(s.renewOptions).toEqual([
        { id: "4", label: "VPS - Small (year), 1 year", price: { amount: "80.00", currency: "USD" } },
        { id: "1", label: "VPS - Small, 1 month", price: { amount: "8.00", currency: "USD" } },
      ]);
      expect(s.renewalPrice).toEqual({ amount: "8.00", currency: "USD" });
      expect(s.billingCycleMonths).toBe(1);
      // raw keeps the whole answer, including whether autorenew may be changed.
      expect((s.raw as { autorenew: string }).autorenew).toBe("possible");
    });

    it('reads renew_options "None" as no options and no price', async () => {
      const s = await make().getService!("104");
      expect(s.renewOptions).toEqual([]);
      expect(s.renewalPrice).toBeUndefined();
      expect(s.billingCycleMonths).toBeUndefined();
      expect(s.status).toBe("pending");
    });

    it("says which service is missing", async () => {
      const err = await caught(make().getService!("999"));
      expect(err.code).toBe("NOT_FOUND");
      expect(err.message).toBe("Host4Coins has no service 999 (HTTP 404).");
    });

    it("refuses an id that would change the route, without calling the API", async () => {
      const err = await caught(make().getService!("../balance"));
      expect(err.code).toBe("VALIDATION");
      expect(fake.count()).toBe(0);
    });
  });

  describe("dates", () => {
    it.each([
      ["2026-01-18 12:00:00", "2026-01-18T12:00:00.000Z"],
      ["2026-01-18", "2026-01-18T00:00:00.000Z"],
      ["2026-01-18T12:00:00+02:00", "2026-01-18T10:00:00.000Z"],
      [1_800_000_000, "2027-01-15T08:00:00.000Z"],
      ["1800000000", "2027-01-15T08:00:00.000Z"],
      [1_800_000_000_000, "2027-01-15T08:00:00.000Z"],
      ["", null],
      [null, null],
      ["0000-00-00 00:00:00", null],
      ["None", null],
      ["soon", null],
    ])("parses %j", (raw, expected) => {
      expect(parseH4cDate(raw)?.toISOString() ?? null).toBe(expected);
    });
  });

  describe("renew", () => {
    it("renews with the cheapest option by default and moves the expiry", async () => {
      const r = await make().renewService!("101");
      expect(requests("POST", "/api/v1/service/101/1")).toHaveLength(1);
      expect(r.summary).toBe(
        "Host4Coins accepted the renewal of alpha.h4c-demo.net (service 101): VPS - Small, 1 month, 8.00 USD, paid from the balance.",
      );
      expect(r.taskRef).toBeUndefined();
      const after = await make().getService!("101");
      expect(after.expiresAt!.getTime()).toBeGreaterThan(NOW + 30 * DAY);
      expect((await make().getBalance!()).amount).toBe("142000.00");
    });

    it("renews with the option asked for", async () => {
      await make().renewService!("101", { optionId: "4" });
      expect(requests("POST", "/api/v1/service/101/4")).toHaveLength(1);
      expect(requests("POST", "/api/v1/service/101/4")[0]!.rawBody).toBe("");
    });

    it("refuses an option the service does not offer, before spending anything", async () => {
      const err = await caught(make().renewService!("101", { optionId: "2" }));
      expect(err.code).toBe("VALIDATION");
      expect(err.message).toMatch(/options are 4, 1/);
      expect(fake.count((r) => r.method === "POST")).toBe(0);
    });

    it('refuses a service whose renew_options are "None"', async () => {
      const err = await caught(make().renewService!("104"));
      expect(err.code).toBe("VALIDATION");
      expect(err.message).toMatch(/no renewal/);
      expect(fake.count((r) => r.method === "POST")).toBe(0);
    });

    it("turns 402 into INSUFFICIENT_FUNDS saying the balance is insufficient", async () => {
      fake.state.balance = 10;
      const err = await caught(make().renewService!("101"));
      expect(err.code).toBe("INSUFFICIENT_FUNDS");
      expect(err.message).toBe(
        "Could not renew alpha.h4c-demo.net (service 101) with VPS - Small, 1 month: Host4Coins: insufficient balance (HTTP 402 Payment required).",
      );
      expect(err.retryable).toBe(false);
    });

    it("turns 404 on the renew into NOT_FOUND that mentions stock", async () => {
      fake.fault({ kind: "status", status: 404, json: {} }, { match: (r) => r.method === "POST" });
      const err = await caught(make().renewService!("101"));
      expect(err.code).toBe("NOT_FOUND");
      expect(err.message).toMatch(/out of stock/);
    });

    it("surfaces a short, scrubbed summary of a 409 body", async () => {
      fake.fault(
        { kind: "status", status: 409, json: { error: `service busy; key=${fake.credentials.apiPrivate}` } },
        { match: (r) => r.method === "POST" },
      );
      const err = await caught(make().renewService!("103"));
      expect(err.code).toBe("VALIDATION");
      expect(err.message).toMatch(/HTTP 409\): service busy/);
      expect(err.message).not.toContain(fake.credentials.apiPrivate);
    });

    it("reads a 403 on the renew as a refused action, not as wrong credentials", async () => {
      fake.fault({ kind: "status", status: 403, text: "Forbidden" }, { match: (r) => r.method === "POST" });
      const err = await caught(make().renewService!("101"));
      expect(err.code).toBe("VALIDATION");
      expect(err.message).toMatch(/refused the action \(HTTP 403/);
    });
  });

  describe("autorenew", () => {
    it.each([
      [true, "yes", "Autorenew is on"],
      [false, "no", "Autorenew is off"],
    ])("sets it to %s with a PATCH", async (enabled, sent, summary) => {
      fake.state.services[0]!.autorenew = enabled ? "no" : "yes";
      const r = await make().setAutorenew!("101", enabled);
      const [patch] = requests("PATCH", "/api/v1/service/101");
      expect(patch?.body).toEqual({ autorenew: sent });
      expect(r.summary).toMatch(summary);
      expect((await make().getService!("101")).autorenew).toBe(enabled);
    });

    it('refuses before the PATCH when the details say autorenew is "impossible"', async () => {
      const err = await caught(make().setAutorenew!("103", true));
      expect(err.code).toBe("VALIDATION");
      expect(err.message).toMatch(/only running services/);
      expect(fake.count((r) => r.method === "PATCH")).toBe(0);
    });

    it("passes on the API's refusal with context", async () => {
      fake.fault(
        { kind: "status", status: 409, json: { error: "Only a running service can be set for autorenew" } },
        { match: (r) => r.method === "PATCH" },
      );
      const err = await caught(make().setAutorenew!("101", true));
      expect(err.code).toBe("VALIDATION");
      expect(err.message).toBe(
        "Could not turn autorenew on for alpha.h4c-demo.net (service 101): Host4Coins refused the request: it conflicts with the current state (HTTP 409): Only a running service can be set for autorenew",
      );
    });

    it("is never retried", async () => {
      fake.fault({ kind: "status", status: 503 }, { match: (r) => r.method === "PATCH" });
      const d = createDriver("host4coins", {
        credentials: fake.credentials,
        baseUrl: fake.baseUrl,
        retries: 3,
      });
      const err = await caught(d.setAutorenew!("101", true));
      expect(err.code).toBe("UPSTREAM");
      expect(fake.count((r) => r.method === "PATCH")).toBe(1);
    });
  });

  describe("invoices", () => {
    it("reads BTCPay invoices in satoshis", async () => {
      const list = await make().listInvoices!();
      expect(list.map((i) => [i.id, i.status, i.total?.amount])).toEqual([
        ["8Xq2mVt4LsJ9pRw3NkYc7A", "unpaid", "100000.00"],
        ["3FvBn7KpQw2ZxTe9LmHd4S", "paid", "250000.00"],
        ["7YhGt5RcVb8NmKq1WsXe6P", "cancelled", "50000.00"],
        ["2LpQs8DfGh4JkZx6CvBn9M", "paid", "120000.00"],
      ]);
      expect(list[0]!.total?.currency).toBe("SAT");
      expect(list[0]!.issuedAt?.toISOString()).toBe(iso(NOW - 2 * 3_600_000));
      expect(list[0]!.dueAt).toBeNull();
    });

    it.each([
      ["new", "unpaid"],
      ["New", "unpaid"],
      ["confirmed", "paid"],
      ["complete", "paid"],
      ["paid", "paid"],
      ["Settled", "paid"],
      ["expired", "cancelled"],
      ["invalid", "unknown"],
      [undefined, "unknown"],
    ] as const)("maps btcpay_status %j to %s", (raw, status) => {
      expect(mapInvoiceStatus(raw)).toBe(status);
    });

    it("refuses an invoice whose amount is not a number", async () => {
      fake.fault(
        {
          kind: "json",
          json: { invoices: [{ btcpay_id: "x", amount: "_amount_sats_", btcpay_status: "new" }] },
        },
        { times: 1 },
      );
      const err = await caught(make().listInvoices!());
      expect(err.code).toBe("UNEXPECTED_RESPONSE");
      expect(err.message).toMatch(/invoice #1 at amount/);
    });
  });

  describe("domains", () => {
    it("reads the name from the description, running as active and autorenew yes/no", async () => {
      const list = await make().listDomains!();
      expect(list.map((d) => [d.id, d.name, d.status, d.autorenew])).toEqual([
        ["136", "host4coins.best", "active", true],
        ["137", "h4c-demo.uk", "expired", false],
      ]);
      expect(list[1]!.expiresAt?.toISOString()).toBe(iso(NOW - 10 * DAY));
    });
  });

  describe("operating systems", () => {
    it("turns the id -> name map into a list sorted by id", async () => {
      expect(await make().listOperatingSystems!("101")).toEqual([
        { id: "1", name: "Debian 10" },
        { id: "2", name: "Ubuntu Server 18.04 LTS" },
        { id: "3", name: "Debian 12" },
        { id: "10", name: "Ubuntu Server 24.04 LTS" },
      ]);
    });
  });

  describe("tasks", () => {
    it("follows a task by service, action and dt_pending until it is done", async () => {
      // The SSH-key change is the documented way a task is born (seed line 272).
      const res = await fetch(`${fake.baseUrl}service/101`, {
        method: "PATCH",
        headers: {
          apipublic: fake.credentials.apiPublic!,
          apiprivate: fake.credentials.apiPrivate!,
          "content-type": "application/json",
        },
        body: JSON.stringify({ ssh_key: "old-laptop" }),
      });
      expect(res.status).toBe(200);
      const task = fake.state.tasks.find((t) => t.service_id === "101")!;
      const ref = host4coinsTaskRef(task);
      const d = make();
      expect(await d.getTask!(ref)).toEqual({
        state: "running",
        summary:
          'Host4Coins task "change_ssh_key" on alpha.h4c-demo.net: pending (new key old-laptop, the server will reboot).',
      });
      expect((await d.getTask!(ref)).state).toBe("succeeded");
      expect(requests("GET", "/api/v1/tasks").every((r) => r.query.get("status") === "all")).toBe(true);
    });

    it.each([
      ["pending", "running"],
      ["doing", "running"],
      ["done", "succeeded"],
      ["failed", "failed"],
      ["cancelled", "failed"],
    ] as const)("maps task status %s to %s", async (status, state) => {
      fake.fault(
        {
          kind: "json",
          json: { tasks: [{ service_id: 5, action: "reboot", status, dt_pending: "2026-01-14 10:00:00" }] },
        },
        { times: 1 },
      );
      const ref = host4coinsTaskRef({
        service_id: "5",
        action: "reboot",
        dt_pending: "2026-01-14T10:00:00Z",
      });
      expect((await make().getTask!(ref)).state).toBe(state);
    });

    it("picks the task with the ref's dt_pending among several", async () => {
      fake.state.tasks.push({ ...fake.state.tasks[0]!, status: "failed", dt_pending: "2026-01-10 09:00:00" });
      const old = host4coinsTaskRef({
        service_id: "102",
        action: "change_ssh_key",
        dt_pending: "2026-01-10 09:00:00",
      });
      expect((await make().getTask!(old)).state).toBe("failed");
      const latest = host4coinsTaskRef({ service_id: "102", action: "change_ssh_key" });
      expect((await make().getTask!(latest)).state).toBe("failed");
    });

    it("redacts passwords from the task text", async () => {
      fake.state.tasks[0]!.status_extended = "reinstalled, root password: Hunter2Secret";
      const ref = host4coinsTaskRef(fake.state.tasks[0]!);
      const t = await make().getTask!(ref);
      expect(t.summary).not.toContain("Hunter2Secret");
      expect(t.summary).toMatch(/password: \[redacted\]/);
    });

    it.each([
      ["root password is abc123", "root password is [redacted]"],
      ["pwd=abc123, done", "pwd=[redacted], done"],
      ["password changed", "password changed"],
    ])("redactTaskText(%j)", (input, output) => {
      expect(redactTaskText(input)).toBe(output);
    });

    it("answers NOT_FOUND for a task the list no longer has", async () => {
      const err = await caught(
        make().getTask!(host4coinsTaskRef({ service_id: "101", action: "change_ssh_key" })),
      );
      expect(err.code).toBe("NOT_FOUND");
    });

    it("refuses a ref that is not a Host4Coins task ref", async () => {
      const err = await caught(make().getTask!("42"));
      expect(err.code).toBe("VALIDATION");
      expect(fake.count()).toBe(0);
    });
  });

  describe("errors", () => {
    it("reads an error member in a 200 body as a failure with its text", async () => {
      fake.armEnvelopeError();
      const err = await caught(make().listServices!());
      expect(err.code).toBe("UPSTREAM");
      expect(err.message).toBe("Host4Coins reported an error: Temporary failure, try again later");
    });

    it("ignores an empty error member in a good body", async () => {
      fake.fault({ kind: "json", json: { balance: 5, error: null } }, { times: 1 });
      expect((await make().getBalance!()).amount).toBe("5.00");
    });

    it("keeps 5xx as UPSTREAM and retryable", async () => {
      fake.fault({ kind: "status", status: 500, json: { error: "boom" } }, { times: 1 });
      const err = await caught(make().listDomains!());
      expect(err.code).toBe("UPSTREAM");
      expect(err.retryable).toBe(true);
    });

    it.each([
      [{ error: "Service  is\nnot running" }, "Service is not running"],
      [{ message: "Conflict" }, "Conflict"],
      [{ errors: ["a", "b"] }, "a; b"],
      ["plain text", "plain text"],
      ["<html><body>502</body></html>", undefined],
      [{ other: 1 }, undefined],
      [{ error: "x".repeat(300) }, `${"x".repeat(199)}…`],
    ])("summarizes the error body %j", (body, summary) => {
      expect(errorSummary(body)).toBe(summary);
    });
  });

  describe("helpers", () => {
    it.each([
      ["M", 1],
      ["month", 1],
      ["Y", 12],
      ["year", 12],
      ["3M", 3],
      ["2 years", 24],
      ["other", undefined],
      [undefined, undefined],
    ] as const)("period %j is %j months", (period, months) => {
      expect(periodMonths(period)).toBe(months);
    });

    it("falls back to the first option when prices cannot be compared", () => {
      const opts = [
        renewOption.parse({ id: "9", price: "30", currency: "USD", period: "M" }),
        renewOption.parse({ id: "8", price: "20", currency: "EUR", period: "M" }),
      ];
      expect(defaultOption(opts)?.id).toBe("9");
      expect(
        defaultOption([opts[0]!, renewOption.parse({ id: "7", price: "10", currency: "USD" })])?.id,
      ).toBe("7");
    });
  });
});

/**
 * No third-party Host4Coins client exists to record answers from
 * (test/fixtures/real/host4coins/SOURCES.md), so the driver treats every text it shows or
 * keeps as possibly carrying a secret, in any markup.
 */
describe("host4coins: secrets in answers", () => {
  let fake: Host4CoinsFake;
  const make = (): ProviderDriver =>
    createDriver("host4coins", { credentials: fake.credentials, baseUrl: fake.baseUrl, retries: 0 });
  beforeAll(async () => {
    fake = await startHost4coinsFake({ now: NOW });
  });
  afterAll(async () => {
    await fake.close();
  });

  it("shows no password hidden in markup of a task's status_extended", async () => {
    const task = fake.state.tasks[0]!;
    task.status_extended = `done. Password: \t<a onclick='this.innerHTML = "H4cMarkupPw77"'>Click to show</a>`;
    const t = await make().getTask!(host4coinsTaskRef(task));
    expect(t.summary).not.toContain("H4cMarkupPw77");
    expect(t.summary).not.toMatch(/onclick|innerHTML|<a/);
  });

  it("keeps no secret-named field, and no labelled secret in a text, in the service or its raw", async () => {
    const row = fake.state.services[0]! as unknown as Record<string, unknown>;
    row.root_password = "H4cRootPw-0042";
    row.description = "VPS Small (initial root password: H4cInitPw-0043)";
    const d = make();
    // The whole normalized service (label, product, raw), not only raw.
    const list = JSON.stringify(await d.listServices!());
    const one = JSON.stringify(await d.getService!(String(row.id)));
    for (const text of [list, one]) {
      expect(text).not.toContain("H4cRootPw-0042");
      expect(text).not.toContain("H4cInitPw-0043");
      expect(text).toContain("VPS Small");
    }
  });
});
