import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createDriver } from "../../src/providers/registry.ts";
import { type ProviderDriver, ProviderError, type ProviderKind } from "../../src/providers/types.ts";
import { type FakeResponse, type FakeServer, startFakeServer } from "../fakes/providers/fake-server.ts";

/**
 * The HostBill drivers (Hostens, Time4VPS) against response bodies that third-party clients of
 * these APIs handle: test/fixtures/real/{time4vps,hostens}/, sources in their SOURCES.md. Each
 * fixture is served as recorded (status and body) on a loopback server and read through the
 * driver's public methods only.
 */

interface Recorded {
  status: number;
  body: unknown;
}

function fixture(provider: "time4vps" | "hostens", name: string): Recorded {
  const url = new URL(`../fixtures/real/${provider}/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as Recorded;
}
const t4v = (name: string) => fixture("time4vps", name);
const hostens = (name: string) => fixture("hostens", name);
const ok = (body: unknown): Recorded => ({ status: 200, body });

const PASSWORD = "client-area-Pass-9137";

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Serves `routes` ("METHOD /path" under /api) and answers anything else HTTP 404. */
async function replay(kind: ProviderKind, routes: Record<string, Recorded>): Promise<ProviderDriver> {
  server = await startFakeServer((req): FakeResponse => {
    const hit = routes[`${req.method} ${req.path.replace(/^\/api/, "")}`];
    return hit
      ? { status: hit.status, json: hit.body }
      : { status: 404, json: { error: ["Route not found"] } };
  });
  return createDriver(kind, {
    credentials: { username: "ops@example.com", password: PASSWORD },
    baseUrl: `${server.origin}/api`,
    timeoutMs: 2_000,
    retries: 0,
  });
}

async function providerError(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const posts = () => server?.requests.filter((r) => r.method === "POST") ?? [];

describe("time4vps: error bodies real clients handle", () => {
  it("HTTP 401 ipnotallowed says the bot's IP is not on the API access list", async () => {
    const d = await replay("time4vps", { "GET /service": t4v("error-ipnotallowed.json") });
    const err = await providerError(d.listServices!());
    expect(err.code).toBe("AUTH_FAILED");
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/IP address/);
    expect(err.message).not.toMatch(/rejected the credentials/);
  });

  it("HTTP 401 wronglogin+unauthorized is rejected credentials", async () => {
    const d = await replay("time4vps", { "GET /details": t4v("error-wronglogin-401.json") });
    const err = await providerError(d.verifyCredentials());
    expect(err.code).toBe("AUTH_FAILED");
    expect(err.message).toBe("Time4VPS rejected the credentials.");
  });

  it("HTTP 200 wronglogin (the official PHP library's check) is rejected credentials", async () => {
    const d = await replay("time4vps", { "GET /details": t4v("error-wronglogin-200.json") });
    expect((await providerError(d.verifyCredentials())).code).toBe("AUTH_FAILED");
  });

  it("HTTP 401 wait_x_between_action on a reboot is a rate limit naming the wait, not a lost login", async () => {
    const d = await replay("time4vps", {
      "GET /server/748457": t4v("server-details-ip-only.json"),
      "POST /server/748457/reboot": t4v("error-wait-between-actions.json"),
    });
    const err = await providerError(d.reboot!("748457"));
    expect(err.code).toBe("RATE_LIMITED");
    expect(err.retryable).toBe(true);
    expect(err.message).toContain("24 s");
    expect(posts()).toHaveLength(1);
  });

  it("the same answer while following a task is retryable, never a failed task", async () => {
    const d = await replay("time4vps", {
      "GET /server/275301/task/4948782": t4v("error-wait-between-actions.json"),
    });
    const err = await providerError(d.getTask!("275301:4948782"));
    expect(err.code).toBe("RATE_LIMITED");
    expect(err.retryable).toBe(true);
  });

  it("'Invalid task ID' is NOT_FOUND", async () => {
    const d = await replay("time4vps", { "GET /server/1/task/2": t4v("error-invalid-task-id.json") });
    expect((await providerError(d.getTask!("1:2"))).code).toBe("NOT_FOUND");
  });
});

describe("time4vps: reinstall and its task as real clients see them", () => {
  const oses = ok([{ os: "kvm-ubuntu-24.04-gpt-x86_64", title: "Ubuntu 24.04" }]);

  it("starts a reinstall on a server whose details carry only an ip, and follows {task_id}", async () => {
    const d = await replay("time4vps", {
      "GET /server/275301": t4v("server-details-ip-only.json"),
      "GET /server/275301/oses": oses,
      "POST /server/275301/reinstall": t4v("reinstall-started.json"),
    });
    const res = await d.reinstall!("275301", { osId: "kvm-ubuntu-24.04-gpt-x86_64" });
    expect(res.taskRef).toBe("275301:4948782");
    expect(res.summary).toMatch(/^Reinstall of server 275301 with Ubuntu 24.04 started/);
    expect(res.summary).toContain(`read it in ${server!.origin}/clientarea`);
    expect(posts()[0]?.body).toEqual({ os: "kvm-ubuntu-24.04-gpt-x86_64" });
  });

  it.each([["task-recreate-pending.json"], ["task-recreate-pending-short.json"]])(
    "reads %s (completed: null) as running",
    async (name) => {
      const d = await replay("time4vps", { "GET /server/275301/task/4948782": t4v(name) });
      const status = await d.getTask!("275301:4948782");
      expect(status.state).toBe("running");
      expect(status.summary).toBe("Reinstall of server 275301 is queued.");
    },
  );

  it.each([
    ["task-recreate-done-html.json", "Xk9mP3qR7", "Reinstall"],
    ["task-reset-password-done-html.json", "ACTUAL_PASSWORD", "Password reset"],
    ["task-reset-password-done-plain.json", "Xk9$mP3qR7", "Password reset"],
    ["task-recreate-done-legacy-text.json", "secret", "Reinstall"],
  ])("%s: finished, and the password is nowhere in the summary", async (name, password, what) => {
    const d = await replay("time4vps", { "GET /server/275301/task/4948782": t4v(name) });
    const status = await d.getTask!("275301:4948782");
    expect(status.state).toBe("succeeded");
    expect(status.summary).toBe(
      `${what} of server 275301 finished. The new root password is not posted here: read it in ${server!.origin}/clientarea (the server's task results).`,
    );
    expect(status.summary).not.toContain(password);
  });
});

describe("time4vps: server records real clients read", () => {
  const services = ok({
    services: [
      {
        id: "748457",
        domain: "vps748457.example.com",
        name: "Linux 4",
        status: "Active",
        total: "3.99",
        billingcycle: "Monthly",
        next_due: "2026-12-20",
      },
      {
        id: "748458",
        domain: "web.example.com",
        name: "Linux 8",
        status: "Active",
        total: "7.99",
        billingcycle: "Annually",
        next_due: "2027-01-02",
      },
    ],
  });

  it("joins the server list (server_id, domain, ip, label) to the services", async () => {
    const d = await replay("time4vps", {
      "GET /service": services,
      "GET /server": t4v("server-list-dashboard.json"),
      "GET /balance": ok({ details: { currency: "EUR", acc_credit: "0.00", acc_balance: "0.00" } }),
    });
    const list = await d.listServices!();
    expect(list.map((s) => [s.id, s.hostname, s.ipv4, s.label])).toEqual([
      ["748457", "vps748457.example.com", "198.51.100.7", "vps748457.example.com"],
      ["748458", "web.example.com", "198.51.100.8", "web"],
    ]);
    expect(list[0]?.renewalPrice).toEqual({ amount: "3.99", currency: "EUR" });
  });

  it("refuses a reboot while active_task is set ({name, activated}), without a POST", async () => {
    const d = await replay("time4vps", { "GET /server/748457": t4v("server-details-busy.json") });
    const err = await providerError(d.reboot!("748457"));
    expect(err.code).toBe("VALIDATION");
    expect(err.message).toContain("busy (Reboot in progress)");
    expect(posts()).toHaveLength(0);
  });

  it("keeps last_tasks in raw without the passwords of a reset and a reinstall", async () => {
    const d = await replay("time4vps", {
      "GET /service/748457": ok({
        service: services.body && (services.body as { services: unknown[] }).services[0],
      }),
      "GET /server/748457": t4v("server-details-last-tasks.json"),
      "GET /balance": ok({ details: { currency: "EUR", acc_credit: "0.00", acc_balance: "0.00" } }),
    });
    const svc = await d.getService!("748457");
    const raw = JSON.stringify(svc.raw);
    expect(raw).toContain("last_tasks");
    expect(raw).toContain("VM rebooted successfully");
    for (const secret of ["Hq7vP2xLm9", "Zr4tW8kQ1s"]) expect(raw).not.toContain(secret);
    expect(raw).not.toContain("innerHTML");
    expect(svc.ipv4).toBe("198.51.100.7");
  });
});

describe("hostbill: listing services does not depend on /balance", () => {
  const denied: Recorded = { status: 403, body: { error: ["Access denied"] } };

  it("takes the currency from the invoices when /balance is refused", async () => {
    const d = await replay("time4vps", {
      "GET /service": ok({
        services: [
          {
            id: "1",
            domain: "a.example",
            status: "Active",
            total: "5.00",
            billingcycle: "Monthly",
            next_due: "2026-12-01",
          },
        ],
      }),
      "GET /server": ok([]),
      "GET /balance": denied,
      "GET /invoice": ok({ invoices: [{ id: "9", total: "5.00", status: "Paid", currency: "EUR" }] }),
    });
    const [svc] = await d.listServices!();
    expect(svc?.renewalPrice).toEqual({ amount: "5.00", currency: "EUR" });
  });

  it("lists services without a price when no currency is readable at all, and the server list may be refused too", async () => {
    const d = await replay("hostens", {
      "GET /service": hostens("service-list-minimal.json"),
      "GET /server": denied,
      "GET /balance": denied,
      "GET /invoice": denied,
    });
    const list = await d.listServices!();
    expect(list.map((s) => [s.id, s.label, s.status, s.expiresAt])).toEqual([
      ["4110", "shop.example.com", "unknown", null],
      ["4111", "vpn.example.com", "unknown", null],
    ]);
    expect(list.every((s) => s.renewalPrice === undefined)).toBe(true);
  });
});

describe("hostens: minimal records a third-party dashboard reads", () => {
  it("reads next_due and total of a service that has nothing else", async () => {
    const d = await replay("hostens", {
      "GET /service/4110": hostens("service-minimal.json"),
      "GET /server/4110": { status: 404, body: { error: ["Server not found"] } },
    });
    const svc = await d.getService!("4110");
    expect(svc.expiresAt?.toISOString()).toBe("2026-12-24T00:00:00.000Z");
    expect(svc.label).toBe("shop.example.com");
    // No billingcycle: the price of one period is unknown, so none is shown.
    expect(svc.renewalPrice).toBeUndefined();
  });

  it("reads invoice status and paybefore when date and duedate are missing", async () => {
    const d = await replay("hostens", {
      "GET /invoice": hostens("invoice-list-minimal.json"),
      "GET /balance": ok({ details: { currency: "USD", acc_credit: "0.00", acc_balance: "4.00" } }),
    });
    const invoices = await d.listInvoices!();
    expect(invoices.map((i) => [i.id, i.status, i.dueAt?.toISOString(), i.total])).toEqual([
      ["900101", "paid", "2026-10-24T00:00:00.000Z", { amount: "4.00", currency: "USD" }],
      [
        "900102",
        Date.now() >= Date.parse("2026-12-25T00:00:00Z") ? "overdue" : "unpaid",
        "2026-12-24T00:00:00.000Z",
        { amount: "4.00", currency: "USD" },
      ],
    ]);
  });

  it("reads the admin-API style {success:false, error:[...]} as a refusal with its text", async () => {
    const d = await replay("hostens", { "GET /invoice": hostens("admin-api-error.json") });
    const err = await providerError(d.listInvoices!());
    expect(err.code).toBe("VALIDATION");
    expect(err.message).toBe("Hostens refused the request: Wrong parameter.");
  });
});

describe("hostbill: list shapes PHP produces", () => {
  it("reads a list keyed by id (json_encode of an associative array) and an OS map", async () => {
    const d = await replay("time4vps", {
      "GET /service": ok({
        services: {
          "748457": {
            id: "748457",
            domain: "a.example",
            status: "Active",
            total: "1.00",
            billingcycle: "Monthly",
            next_due: "2026-12-01",
          },
          "748458": {
            id: "748458",
            domain: "b.example",
            status: "Active",
            total: "2.00",
            billingcycle: "Monthly",
            next_due: "2026-12-02",
          },
        },
      }),
      "GET /server": ok({ "748457": { server_id: 748457, domain: "a.example", ip: "192.0.2.1", label: "" } }),
      "GET /balance": ok({ details: { currency: "EUR", acc_credit: "0.00", acc_balance: "0.00" } }),
      "GET /server/748457/oses": ok({ "kvm-debian-12": "Debian 12", "kvm-ubuntu-24.04": "Ubuntu 24.04" }),
    });
    expect((await d.listServices!()).map((s) => [s.id, s.ipv4])).toEqual([
      ["748457", "192.0.2.1"],
      ["748458", undefined],
    ]);
    expect(await d.listOperatingSystems!("748457")).toEqual([
      { id: "kvm-debian-12", name: "Debian 12" },
      { id: "kvm-ubuntu-24.04", name: "Ubuntu 24.04" },
    ]);
  });

  it("reads an empty account (no services key) as no services", async () => {
    const d = await replay("hostens", { "GET /service": ok({}) });
    expect(await d.listServices!()).toEqual([]);
  });
});

describe("hostbill: a contact login with narrow privileges", () => {
  const denied: Recorded = { status: 403, body: { error: ["Access denied"] } };

  it("is accepted when it may list services but not read the account details", async () => {
    const d = await replay("hostens", {
      "GET /details": denied,
      "GET /service": hostens("service-list-minimal.json"),
    });
    await expect(d.verifyCredentials()).resolves.toBeUndefined();
  });

  it("is still refused when the login itself is wrong", async () => {
    const d = await replay("hostens", {
      "GET /details": t4v("error-wronglogin-401.json"),
      "GET /service": hostens("service-list-minimal.json"),
    });
    expect((await providerError(d.verifyCredentials())).message).toBe("Hostens rejected the credentials.");
    expect(server!.count((r) => r.path === "/api/service")).toBe(0);
  });
});

describe("hostbill: a service shown without its server details", () => {
  it("when Time4VPS asks to wait between calls on the server", async () => {
    const d = await replay("time4vps", {
      "GET /service/4110": hostens("service-minimal.json"),
      "GET /server/4110": t4v("error-wait-between-actions.json"),
      "GET /balance": ok({ details: { currency: "EUR", acc_credit: "0.00", acc_balance: "0.00" } }),
    });
    const svc = await d.getService!("4110");
    expect(svc.id).toBe("4110");
    expect(svc.ipv4).toBeUndefined();
  });
});

describe("the recorded payloads", () => {
  // A text check by nature: it keeps the recorded payloads, this file and SOURCES.md in step.
  it("each have a test here and a line in their SOURCES.md", () => {
    const self = readFileSync(new URL(import.meta.url), "utf8");
    for (const provider of ["time4vps", "hostens"] as const) {
      const dir = new URL(`../fixtures/real/${provider}/`, import.meta.url);
      const sources = readFileSync(new URL("SOURCES.md", dir), "utf8");
      const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
      expect(files.length).toBeGreaterThan(3);
      for (const f of files) {
        expect(self, `${provider}/${f} is read by a test`).toContain(`"${f}"`);
        expect(sources, `${provider}/${f} is in SOURCES.md`).toContain(`\`${f}\``);
      }
    }
  });
});
