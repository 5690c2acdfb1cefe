import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../src/observability/logger.ts";
import { scrub } from "../../src/observability/secrets.ts";
import { decodeEnvelope, envelopeProblem } from "../../src/providers/hostkey/client.ts";
import { generateRootPassword, isValidRootPassword } from "../../src/providers/hostkey/driver.ts";
import { createDriver } from "../../src/providers/registry.ts";
import { type ProviderDriver, ProviderError } from "../../src/providers/types.ts";
import type { FakeRequest } from "../fakes/providers/fake-server.ts";
import {
  HOSTKEY_FAKE_PIN,
  type HostkeyFake,
  type HostkeyFakeData,
  hostkeyDay,
  startHostkeyFake,
} from "../fakes/providers/hostkey.ts";
import { describeDriverContract } from "./contract.ts";

const action = (r: FakeRequest): string | undefined => (r.body as Record<string, string> | undefined)?.action;
const form = (r: FakeRequest): Record<string, string> => (r.body ?? {}) as Record<string, string>;

describeDriverContract({
  kind: "hostkey",
  start: () => startHostkeyFake(),
  expected: {
    balance: { amount: "998.39", currency: "EUR" },
    services: {
      count: 3,
      first: { id: "34533", status: "active", expiresAt: `${hostkeyDay(3)}T00:00:00.000Z` },
    },
    missingServiceId: "99999",
    invoices: { count: 6, unpaidOrOverdueIds: ["23455", "23451"] },
  },
  mutating: {
    run: (d) => d.reboot!("34533", { pin: HOSTKEY_FAKE_PIN }),
    matches: (r) => r.path === "/eq.php" && action(r) === "reboot",
  },
});

describe("hostkey driver", () => {
  let fake: HostkeyFake | undefined;
  let lines: string[] = [];

  async function setup(
    data: Partial<HostkeyFakeData> = {},
  ): Promise<{ fake: HostkeyFake; driver: ProviderDriver }> {
    fake = await startHostkeyFake({ data });
    lines = [];
    const log = createLogger({ level: "debug", sink: { write: (l) => lines.push(l) } });
    const driver = createDriver("hostkey", {
      credentials: fake.credentials,
      baseUrl: fake.baseUrl,
      timeoutMs: 2_000,
      retries: 0,
      log,
    });
    return { fake, driver };
  }

  const calls = (f: HostkeyFake, module: string, act?: string) =>
    f.requests.filter((r) => r.path === `/${module}.php` && (act === undefined || action(r) === act));

  afterEach(async () => {
    vi.useRealTimers();
    await fake?.close();
    fake = undefined;
  });

  describe("credentials and session token", () => {
    it("declares exactly the capabilities HOSTKEY offers (no renew, autorenew or domains)", async () => {
      const { driver } = await setup();
      expect([...driver.capabilities].sort()).toEqual(
        [
          "cancelService",
          "getBalance",
          "getService",
          "getTask",
          "listInvoices",
          "listOperatingSystems",
          "listServices",
          "powerOff",
          "powerOn",
          "reboot",
          "reinstall",
        ].sort(),
      );
      const d = driver as unknown as Record<string, unknown>;
      for (const m of ["renewService", "setAutorenew", "listDomains", "renewDomain", "setNameservers"])
        expect(d[m], m).toBeUndefined();
    });

    it("requires an API key", () => {
      expect(() => createDriver("hostkey", { credentials: { apiKey: "  " } })).toThrow(ProviderError);
    });

    it("logs in with the key and caches the token across calls", async () => {
      const { fake, driver } = await setup();
      await driver.getBalance!();
      await driver.listInvoices!();
      const logins = calls(fake, "auth", "login");
      expect(logins).toHaveLength(1);
      expect(form(logins[0]!).key).toBe(fake.credentials.apiKey);
      const token = [...fake.tokens.keys()][0]!;
      for (const r of fake.requests.filter((r) => action(r) !== "login")) {
        expect(form(r).token).toBe(token);
        expect(r.rawBody).not.toContain(fake.credentials.apiKey);
      }
    });

    it("shares one login between concurrent calls", async () => {
      const { fake, driver } = await setup();
      await Promise.all([driver.getBalance!(), driver.listInvoices!(), driver.getService!("34533")]);
      expect(calls(fake, "auth", "login")).toHaveLength(1);
    });

    it("registers the session token as a secret as soon as it arrives", async () => {
      const { fake, driver } = await setup();
      await driver.verifyCredentials();
      const token = [...fake.tokens.keys()][0]!;
      expect(scrub(`token ${token} leaked`)).not.toContain(token);
      expect(scrub(`key ${fake.credentials.apiKey}`)).not.toContain(fake.credentials.apiKey);
    });

    it("logs in again before token_expire instead of waiting for a rejection", async () => {
      const { fake, driver } = await setup();
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(Date.now());
      await driver.getBalance!();
      // 30 s before expiry: inside the one-minute margin, the token is not used again.
      vi.setSystemTime(Date.now() + (7_200 - 30) * 1000);
      await driver.getBalance!();
      expect(fake.requests.map((r) => action(r))).toEqual(["login", "get_client", "login", "get_client"]);
    });

    it("logs in again once when HOSTKEY rejects an expired token, then repeats the call", async () => {
      const { fake, driver } = await setup();
      await driver.getBalance!();
      fake.expireTokens();
      await expect(driver.getBalance!()).resolves.toEqual({ amount: "998.39", currency: "EUR" });
      expect(fake.requests.map((r) => action(r))).toEqual([
        "login",
        "get_client",
        "get_client",
        "login",
        "get_client",
      ]);
    });

    it("never loops: a second rejection after a fresh login is final", async () => {
      const { fake, driver } = await setup();
      fake.fault(
        { kind: "json", json: { code: -1, message: "authentication required" } },
        { match: (r) => action(r) === "get_client" },
      );
      const err = (await driver.getBalance!().catch((e: unknown) => e)) as ProviderError;
      expect(err).toBeInstanceOf(ProviderError);
      expect(err.code).toBe("AUTH_FAILED");
      expect(calls(fake, "whmcs", "get_client")).toHaveLength(2);
      expect(calls(fake, "auth", "login")).toHaveLength(2);
    });

    it.each([
      ["the [ext] auth envelope", { code: -1, message: "authentication required" }],
      ["result -1 with an error", { result: -1, error: "Invalid key" }],
      ["result ERROR", { result: "ERROR", error: "Invalid API key" }],
      ["a bare -1", { result: -1 }],
    ])("maps a refused login (%s) to AUTH_FAILED", async (_name, body) => {
      const { fake, driver } = await setup();
      fake.fault({ kind: "json", json: body }, { times: 1 });
      const err = (await driver.verifyCredentials().catch((e: unknown) => e)) as ProviderError;
      expect(err.code).toBe("AUTH_FAILED");
      expect(err.message).toMatch(/^HOSTKEY rejected the credentials/);
    });

    it("maps HTTP 403 at login to AUTH_FAILED", async () => {
      const { fake, driver } = await setup();
      fake.fault({ kind: "status", status: 403, text: "Forbidden" }, { times: 1 });
      const err = (await driver.verifyCredentials().catch((e: unknown) => e)) as ProviderError;
      expect(err.code).toBe("AUTH_FAILED");
    });

    it("keeps a provider-side failure at login an upstream error, not bad credentials", async () => {
      const { fake, driver } = await setup();
      fake.fault(
        { kind: "json", json: { result: -1, error: "Internal error, please try again later" } },
        { times: 1 },
      );
      const err = (await driver.verifyCredentials().catch((e: unknown) => e)) as ProviderError;
      expect(err.code).toBe("UPSTREAM");
    });
  });

  describe("envelope predicate", () => {
    it.each([
      [{ result: "OK" }, undefined],
      [{ result: "success", client: {} }, undefined],
      [{ result: { token: "t" } }, undefined],
      [{ result: "Not ready", key: "k" }, undefined],
      [{ result: "Stage", scope: " (1/5) OS installation started" }, undefined],
      [
        { result: -1, error: "reinstall: extra software Odoo (#49) is not compatible with Ubuntu 22.04" },
        "refused",
      ],
      [{ result: "-1" }, "error"],
      [{ result: "OK", error: "something broke" }, "error"],
      [{ code: -1, message: "authentication required" }, "auth"],
      [{ result: "OK", scope: "Invalid pin code", debug: "Blocked For Security Purposes", key: "d8" }, "pin"],
      [{ result: "FAIL" }, "error"],
      [{ result: -1, error: "No server with ID 99999 found" }, "not_found"],
      [{ result: -1, error: "Insufficient funds on the credit balance" }, "funds"],
      [{}, "malformed"],
      [[1, 2], "malformed"],
      [null, "malformed"],
    ])("%j -> %s", (body, kind) => {
      expect(envelopeProblem(body)?.kind).toBe(kind);
    });

    it("lets the HTTP status speak when a failed response has no envelope", () => {
      expect(decodeEnvelope({}, 500)).toBeUndefined();
      expect(decodeEnvelope({ result: -1, error: "x" }, 500)?.code).toBe("UPSTREAM");
      expect(decodeEnvelope({}, 200)?.code).toBe("UNEXPECTED_RESPONSE");
    });
  });

  describe("services", () => {
    it("normalizes eq/show and whmcs/get_billing_data", async () => {
      const { driver } = await setup();
      const list = await driver.listServices!();
      // auth/info's `servers` is an object keyed by id, so the order is numeric.
      expect(list.map((s) => s.id)).toEqual(["17405", "32645", "34533"]);
      const vm = list.find((s) => s.id === "34533")!;
      expect(vm).toMatchObject({
        label: "nl-vmmini",
        hostname: "nl-vmmini",
        product: "VM instance 4/4/60 SSD",
        status: "active",
        ipv4: "31.207.44.105",
        autorenew: null,
        renewalPrice: { amount: "5.00", currency: "EUR" },
        billingCycleMonths: 1,
      });
      expect(vm.expiresAt?.toISOString()).toBe(`${hostkeyDay(3)}T00:00:00.000Z`);
      expect(list.find((s) => s.id === "32645")).toMatchObject({ status: "active", product: "BM i3/8/240" });
      const legacy = list.find((s) => s.id === "17405")!;
      expect(legacy.status).toBe("suspended");
      expect(legacy.billingCycleMonths).toBe(3);
      expect(legacy.expiresAt?.toISOString()).toBe(`${hostkeyDay(-2)}T00:00:00.000Z`);
    });

    it("strips the root password tag and other secrets from raw", async () => {
      const { fake, driver } = await setup();
      const list = await driver.listServices!();
      const raw = JSON.stringify(list.map((s) => s.raw));
      for (const s of fake.data.servers) {
        const pass = (s.show.tags as { tag: string; value: string }[]).find(
          (t) => t.tag === "password",
        )!.value;
        expect(raw).not.toContain(pass);
      }
      expect(raw).toContain("nl-vmmini");
    });

    it("reads the server ids from auth/info and runs eq/show with modest concurrency", async () => {
      const base = await startHostkeyFake();
      const template = base.data.servers[0]!;
      await base.close();
      const servers = Array.from({ length: 10 }, (_, i) => {
        const s = structuredClone(template);
        (s.show.server_data as Record<string, unknown>).id = 50000 + i;
        return s;
      });
      const { fake, driver } = await setup({ servers, showDelayMs: 30 });
      const list = await driver.listServices!();
      expect(list).toHaveLength(10);
      expect(calls(fake, "auth", "info")).toHaveLength(1);
      expect(fake.stats.maxShowsInFlight).toBeGreaterThan(1);
      expect(fake.stats.maxShowsInFlight).toBeLessThanOrEqual(4);
    });

    it("skips a listed server that eq/show no longer knows (stale token list) with a warning", async () => {
      const { driver } = await setup({ tokenServers: ["34533", "40404"] });
      const list = await driver.listServices!();
      expect(list.map((s) => s.id)).toEqual(["34533"]);
      expect(lines.join("\n")).toContain("listed server not found");
    });

    it("still lists a server when its billing data fails, without a renewal price", async () => {
      const { fake, driver } = await setup();
      fake.fault(
        { kind: "json", json: { result: -1, error: "billing temporarily unavailable" } },
        { match: (r) => action(r) === "get_billing_data" },
      );
      const s = await driver.getService!("34533");
      expect(s.expiresAt?.toISOString()).toBe(`${hostkeyDay(3)}T00:00:00.000Z`);
      expect(s.renewalPrice).toBeUndefined();
      expect(lines.join("\n")).toContain("billing data unavailable");
    });

    it("refuses a non-numeric server id without calling HOSTKEY", async () => {
      const { fake, driver } = await setup();
      const err = (await driver.getService!("abc").catch((e: unknown) => e)) as ProviderError;
      expect(err.code).toBe("VALIDATION");
      expect(fake.count()).toBe(0);
    });
  });

  describe("balance and invoices", () => {
    it("refuses a credit that is not a decimal", async () => {
      const base = await startHostkeyFake();
      const client = structuredClone(base.data.client);
      await base.close();
      (client.client as Record<string, unknown>).credit = "2.5.00";
      const { driver } = await setup({ client });
      const err = (await driver.getBalance!().catch((e: unknown) => e)) as ProviderError;
      expect(err.code).toBe("UNEXPECTED_RESPONSE");
    });

    it("pages whmcs/get_invoices with limitstart/limitnum until totalresults", async () => {
      const { fake, driver } = await setup();
      const list = await driver.listInvoices!();
      expect(list).toHaveLength(6);
      const pages = calls(fake, "whmcs", "get_invoices");
      expect(pages).toHaveLength(2);
      expect(form(pages[0]!).limitstart).toBeUndefined();
      expect(form(pages[1]!)).toMatchObject({ limitstart: "5", limitnum: "100" });
      const status = Object.fromEntries(list.map((i) => [i.id, i.status]));
      expect(status).toEqual({
        "23455": "overdue",
        "23451": "unpaid",
        "23449": "paid",
        "18580": "paid",
        "10116": "paid",
        "9874": "cancelled",
      });
      const first = list.find((i) => i.id === "23451")!;
      expect(first.total).toEqual({ amount: "5.00", currency: "EUR" });
      expect(first.dueAt?.toISOString()).toBe(`${hostkeyDay(3)}T00:00:00.000Z`);
    });

    it("warns and stops when the list stays incomplete (paging ignored)", async () => {
      const { fake, driver } = await setup({ honourPaging: false });
      const list = await driver.listInvoices!();
      expect(list).toHaveLength(5);
      expect(calls(fake, "whmcs", "get_invoices")).toHaveLength(2);
      expect(lines.join("\n")).toContain("invoice list is incomplete");
    });

    it("keeps an invoice whose total is an invalid decimal or missing as unknown, never 0.00", async () => {
      const base = await startHostkeyFake();
      const invoices = structuredClone(base.data.invoices).slice(0, 2);
      await base.close();
      invoices[0]!.total = "2.5.00";
      delete invoices[1]!.total;
      const { driver } = await setup({ invoices });
      const list = await driver.listInvoices!();
      expect(list[0]!.total).toBeNull();
      expect(list[1]!.total).toBeNull();
      expect(list[0]!.status).toBe("overdue");
      expect(lines.join("\n")).toContain("invoice total is missing or not a number");
    });
  });

  describe("power actions and tasks", () => {
    it("sends no PIN when none is given; an account with a PIN refuses, and the refusal says so", async () => {
      const { fake, driver } = await setup();
      for (const run of [() => driver.reboot!("34533"), () => driver.powerOff!("34533", { pin: " " })]) {
        const err = (await run().catch((e: unknown) => e)) as ProviderError;
        expect(err.code).toBe("VALIDATION");
        expect(err.pinRejected).toBe(true);
        expect(err.message).toMatch(/rejected the PIN \(missing or wrong/);
      }
      for (const r of [...calls(fake, "eq", "reboot"), ...calls(fake, "eq", "off")])
        expect(form(r)).not.toHaveProperty("pin");
      const before = fake.count();
      const err = (await driver.powerOn!("34533", { pin: "12a4" }).catch((e: unknown) => e)) as ProviderError;
      expect(err.code).toBe("VALIDATION");
      expect(err.notSent).toBe(true);
      expect(fake.count()).toBe(before);
    });

    it("works without a PIN on an account that switched it off, as HOSTKEY's own clients do", async () => {
      const { fake, driver } = await setup({ pin: null });
      const started = await driver.reboot!("34533");
      expect(started.taskRef).toMatch(/^[0-9a-f]{32}$/);
      expect(form(calls(fake, "eq", "reboot")[0]!)).not.toHaveProperty("pin");
      const re = await driver.reinstall!("34533", { osId: "183" });
      expect(re.taskRef).toMatch(/^deploy:[0-9a-f]{32}$/);
      expect(form(calls(fake, "eq", "order_instance")[0]!)).not.toHaveProperty("pin");
    });

    it("reports a wrong PIN (answered with result OK) once, without retry or re-login, and never echoes it", async () => {
      const { fake, driver } = await setup();
      const wrong = "8642";
      const err = (await driver.reboot!("34533", { pin: wrong }).catch((e: unknown) => e)) as ProviderError;
      expect(err.code).toBe("VALIDATION");
      expect(err.message).toMatch(/rejected the PIN/);
      expect(err.pinRejected).toBe(true);
      expect(`${err.message} ${String(err.stack)}`).not.toContain(wrong);
      expect(calls(fake, "eq", "reboot")).toHaveLength(1);
      expect(calls(fake, "auth", "login")).toHaveLength(1);
      expect(lines.join("\n")).not.toContain(wrong);
      // The PIN is a secret only while its call runs: short digit strings elsewhere stay readable.
      expect(scrub(`invoice ${wrong}`)).toBe(`invoice ${wrong}`);
    });

    it("sends the PIN as a string, keeping leading zeros", async () => {
      const { fake, driver } = await setup({ pin: "0042" });
      await driver.powerOn!("34533", { pin: "0042" });
      expect(form(calls(fake, "eq", "on")[0]!).pin).toBe("0042");
    });

    it("reboots, returns the callback key, and reads the final result once from memory", async () => {
      const { fake, driver } = await setup();
      const started = await driver.reboot!("34533", { pin: HOSTKEY_FAKE_PIN });
      expect(started.taskRef).toMatch(/^[0-9a-f]{32}$/);
      expect(started.summary).toContain("34533");
      expect(form(calls(fake, "eq", "reboot")[0]!)).toMatchObject({ id: "34533", pin: HOSTKEY_FAKE_PIN });
      const done = await driver.getTask!(started.taskRef!);
      expect(done.state).toBe("succeeded");
      expect(done.summary).toContain("Post is rebooted");
      // The key is deleted after OK: the second poll is answered from the driver's memory.
      expect(await driver.getTask!(started.taskRef!)).toEqual(done);
      expect(calls(fake, "eq_callback", "check")).toHaveLength(1);
    });

    it("powers off and on, and the fake's server follows", async () => {
      const { fake, driver } = await setup({ taskPendingPolls: 1 });
      const off = await driver.powerOff!("32645", { pin: HOSTKEY_FAKE_PIN });
      const running = await driver.getTask!(off.taskRef!);
      expect(running.state).toBe("running");
      expect(fake.data.servers[1]!.power).toBe("on");
      expect((await driver.getTask!(off.taskRef!)).state).toBe("succeeded");
      expect(fake.data.servers[1]!.power).toBe("off");
      const on = await driver.powerOn!("32645", { pin: HOSTKEY_FAKE_PIN });
      await driver.getTask!(on.taskRef!);
      expect((await driver.getTask!(on.taskRef!)).state).toBe("succeeded");
      expect(fake.data.servers[1]!.power).toBe("on");
    });

    it.each([
      ["an error", { result: -1, error: "IPMI is not reachable" }, /action failed: IPMI is not reachable/],
      [
        "a PIN failure",
        { result: "OK", scope: "Invalid pin code", debug: "Blocked For Security Purposes" },
        /PIN/,
      ],
    ])("reports %s from eq_callback as a failed task and remembers it", async (_n, body, summary) => {
      const { fake, driver } = await setup();
      fake.fault({ kind: "json", json: body }, { times: 1, match: (r) => r.path === "/eq_callback.php" });
      const first = await driver.getTask!("aa719bfc59c3626c059950c1dcb4dbfa");
      expect(first.state).toBe("failed");
      expect(first.summary).toMatch(summary);
      expect(await driver.getTask!("aa719bfc59c3626c059950c1dcb4dbfa")).toEqual(first);
    });

    it("answers NOT_FOUND for a key HOSTKEY no longer knows", async () => {
      const { driver } = await setup();
      const err = (await driver.getTask!("0123456789abcdef0123456789abcdef").catch(
        (e: unknown) => e,
      )) as ProviderError;
      expect(err.code).toBe("NOT_FOUND");
    });

    it("redacts passwords that an async result carries", async () => {
      const { fake, driver } = await setup();
      fake.fault(
        {
          kind: "json",
          json: {
            result: "OK",
            scope: "password=HY14U9qL\n# Password is valid for 120 seconds.",
            context: {},
          },
        },
        { times: 1, match: (r) => r.path === "/eq_callback.php" },
      );
      const done = await driver.getTask!("f28dfd83fbc1dbb914710774d8e9e30a");
      expect(done.state).toBe("succeeded");
      expect(done.summary).not.toContain("HY14U9qL");
    });
  });

  describe("operating systems and reinstall", () => {
    it("lists the active OSes that fit the server's kind", async () => {
      const { driver } = await setup();
      expect(await driver.listOperatingSystems!("34533")).toEqual([
        { id: "183", name: "RockyLinux 8" },
        { id: "187", name: "Ubuntu 22.04" },
        { id: "180", name: "Debian 11" },
      ]);
      // Bare metal: Debian 11 is tagged vm only; Windows (active 0) never shows.
      expect((await driver.listOperatingSystems!("32645")).map((o) => o.id)).toEqual(["183", "187"]);
    });

    it("reinstalls with a strong generated root password that it never returns or logs", async () => {
      const { fake, driver } = await setup();
      const started = await driver.reinstall!("34533", {
        osId: "183",
        pin: HOSTKEY_FAKE_PIN,
        sshKey: "ssh-ed25519 AAAA me",
      });
      const sent = form(calls(fake, "eq", "order_instance")[0]!);
      expect(sent).toMatchObject({ id: "34533", os_id: "183", pin: HOSTKEY_FAKE_PIN, hostname: "nl-vmmini" });
      expect(sent.ssh_key).toBe("ssh-ed25519 AAAA me");
      const pass = sent.root_pass!;
      expect(pass).toBe(fake.data.servers[0]!.lastRootPass);
      expect(isValidRootPassword(pass)).toBe(true);
      expect(started.summary).toMatch(/root password was set/);
      expect(started.summary).toMatch(/HOSTKEY panel/);
      expect(JSON.stringify(started)).not.toContain(pass);

      // While the deploy runs HOSTKEY answers "result": "OK" with scope "pending": still running.
      const pending = await driver.getTask!(started.taskRef!);
      expect(pending).toEqual({ state: "running", summary: expect.stringContaining("pending") });
      const done = await driver.getTask!(started.taskRef!);
      expect(done.state).toBe("succeeded");
      expect(done.summary).toContain("IP 31.207.44.105");
      expect(JSON.stringify(done)).not.toContain(pass);
      // HOSTKEY keeps the new root password as a server tag; raw never shows it.
      const after = await driver.getService!("34533");
      expect(JSON.stringify(after.raw)).not.toContain(pass);
      expect(lines.join("\n")).not.toContain(pass);
      expect(scrub(`pw ${pass}`)).not.toContain(pass);
    });

    it("passes on HOSTKEY's incompatibility error as VALIDATION", async () => {
      const { fake, driver } = await setup();
      const err = (await driver.reinstall!("32645", { osId: "180", pin: HOSTKEY_FAKE_PIN }).catch(
        (e: unknown) => e,
      )) as ProviderError;
      expect(err.code).toBe("VALIDATION");
      expect(err.message).toMatch(/not compatible/);
      expect(calls(fake, "eq", "order_instance")).toHaveLength(1);
    });

    it("reports a reinstall refused for want of the PIN as a PIN rejection (nothing done)", async () => {
      const { fake, driver } = await setup();
      const err = (await driver.reinstall!("34533", { osId: "183" }).catch(
        (e: unknown) => e,
      )) as ProviderError;
      expect(err.pinRejected).toBe(true);
      expect(err.message).toMatch(/rejected the PIN/);
      expect(fake.data.servers[0]!.lastRootPass).toBeUndefined();
    });

    it("generates different passwords every time", () => {
      const seen = new Set(Array.from({ length: 20 }, () => generateRootPassword()));
      expect(seen.size).toBe(20);
    });
  });

  describe("cancellation", () => {
    it.each([
      [true, "1", /immediate/],
      [false, "0", /end of its current billing period/],
    ])("immediate=%s sends cancellation_type %s", async (immediate, type, summary) => {
      const { fake, driver } = await setup();
      const r = await driver.cancelService!("32645", { immediate, reason: "moving to a bigger box" });
      expect(r.summary).toMatch(summary);
      expect(r.taskRef).toBeUndefined();
      expect(form(calls(fake, "whmcs", "request_cancellation")[0]!)).toMatchObject({
        id: "32645",
        cancellation_type: type,
        terminate_reason_custom: "moving to a bigger box",
      });
      expect(fake.data.servers[1]!.cancellation).toEqual({
        type: Number(type),
        reason: "moving to a bigger box",
      });
    });

    it("passes on a refused cancellation", async () => {
      const { driver } = await setup();
      await driver.cancelService!("32645", { immediate: false, reason: "" });
      const err = (await driver.cancelService!("32645", { immediate: false, reason: "" }).catch(
        (e: unknown) => e,
      )) as ProviderError;
      expect(err).toBeInstanceOf(ProviderError);
      expect(err.message).toMatch(/cancellation request already exists/);
    });
  });

  describe("HOSTKEY's root password rules", () => {
    it("every generated password satisfies them, at every allowed length (property)", () => {
      fc.assert(
        fc.property(fc.integer({ min: 8, max: 30 }), (length) => {
          const pass = generateRootPassword(length);
          expect(pass).toHaveLength(length);
          expect(isValidRootPassword(pass)).toBe(true);
          expect(pass).not.toMatch(/[@#]/);
          expect(pass).toMatch(/^[A-Za-z0-9][A-Za-z0-9%_+-]*$/);
          expect(pass).toMatch(/[%_+-]/);
        }),
        { numRuns: 500 },
      );
    });

    it("the rules refuse what HOSTKEY refuses", () => {
      for (const bad of [
        "Ab1-",
        "Abcdefg1",
        "-Abcdef1",
        "Abcdef1@-",
        "Abcdef1#-",
        "abcdef1-",
        "A".repeat(31),
      ])
        expect(isValidRootPassword(bad), bad).toBe(false);
      expect(isValidRootPassword("Abcdef1-")).toBe(true);
      expect(() => generateRootPassword(7)).toThrow(RangeError);
    });
  });

  describe("real payloads (test/fixtures/real/hostkey, see SOURCES.md)", () => {
    const fixture = (name: string): unknown =>
      JSON.parse(readFileSync(new URL(`../fixtures/real/hostkey/${name}`, import.meta.url), "utf8"));
    const isAction = (module: string, act: string) => (r: FakeRequest) =>
      r.path === `/${module}.php` && action(r) === act;

    it("auth-login-top-level: takes the token from the top level", async () => {
      const { fake, driver } = await setup();
      fake.fault(
        { kind: "json", json: fixture("auth-login-top-level.json") },
        { match: isAction("auth", "login") },
      );
      await expect(driver.verifyCredentials()).resolves.toBeUndefined();
      // The simulator's own top-level shape works through every call.
      const top = await setup({ loginShape: "top" });
      expect(await top.driver.listServices!()).toHaveLength(3);
    });

    it("a login that gives the token as a token-shaped scope (HOSTKEY's MCP server's fallback)", async () => {
      const { fake, driver } = await setup();
      fake.fault(
        { kind: "json", json: { result: { scope: "0123456789abcdef0123456789abcdef" } } },
        { match: isAction("auth", "login") },
      );
      await expect(driver.verifyCredentials()).resolves.toBeUndefined();
    });

    it("auth-login-no-appropriate-servers: an empty list and clear messages, not an upstream failure", async () => {
      const { fake, driver } = await setup();
      fake.fault(
        { kind: "json", json: fixture("auth-login-no-appropriate-servers.json") },
        { match: isAction("auth", "login") },
      );
      await expect(driver.verifyCredentials()).resolves.toBeUndefined();
      expect(await driver.listServices!()).toEqual([]);
      const err = (await driver.getBalance!().catch((e: unknown) => e)) as ProviderError;
      expect(err.code).toBe("NOT_FOUND");
      expect(err.message).toMatch(/no servers \(NO_APPROPRIATE_SERVERS\)/);
      expect(err.message).not.toMatch(/internal error|upstream/i);
    });

    it.each([
      ["eq-callback-deploy-pending.json", "running", /pending/],
      ["eq-callback-not-ready.json", "running", /still working/],
      ["eq-callback-stage-error-null.json", "running", /still working/],
      ["eq-callback-deploy-done.json", "succeeded", /IP 1\.2\.3\.4/],
      ["eq-callback-error-cancelled.json", "failed", /order cancelled in panel/],
      ["eq-callback-context-cancelled.json", "failed", /cancelled/],
      ["eq-callback-context-error.json", "failed", /deploy aborted by panel/],
    ])("%s: a reinstall task is %s", async (name, state, summary) => {
      const { fake, driver } = await setup();
      const started = await driver.reinstall!("34533", { osId: "183", pin: HOSTKEY_FAKE_PIN });
      fake.fault(
        { kind: "json", json: fixture(name) },
        { match: isAction("eq_callback", "check"), times: 1 },
      );
      const t = await driver.getTask!(started.taskRef!);
      expect(t.state).toBe(state);
      expect(t.summary).toMatch(summary);
    });

    it("eq-callback-deploy-pending: a pending deploy never counts as done, however often it is polled", async () => {
      const { fake, driver } = await setup();
      const started = await driver.reinstall!("34533", { osId: "183", pin: HOSTKEY_FAKE_PIN });
      fake.fault(
        { kind: "json", json: fixture("eq-callback-deploy-pending.json") },
        { match: isAction("eq_callback", "check") },
      );
      for (let i = 0; i < 3; i++) expect((await driver.getTask!(started.taskRef!)).state).toBe("running");
    });

    it("eq-callback-key-gone: an unknown key is NOT_FOUND, not success", async () => {
      const { fake, driver } = await setup();
      const started = await driver.reboot!("34533", { pin: HOSTKEY_FAKE_PIN });
      fake.fault(
        { kind: "json", json: fixture("eq-callback-key-gone.json") },
        { match: isAction("eq_callback", "check") },
      );
      const err = (await driver.getTask!(started.taskRef!).catch((e: unknown) => e)) as ProviderError;
      expect(err.code).toBe("NOT_FOUND");
    });

    it("error-code-1: a non-zero code is an error with the provider's text", async () => {
      const { fake, driver } = await setup();
      fake.fault(
        { kind: "json", json: fixture("error-code-1.json") },
        { match: isAction("whmcs", "get_client") },
      );
      const err = (await driver.getBalance!().catch((e: unknown) => e)) as ProviderError;
      expect(err.code).toBe("UPSTREAM");
      expect(err.message).toContain("boom");
    });

    it("result-ok: a bare OK to a power action is accepted, without a task key", async () => {
      const { fake, driver } = await setup();
      fake.fault({ kind: "json", json: fixture("result-ok.json") }, { match: isAction("eq", "reboot") });
      const r = await driver.reboot!("34533", { pin: HOSTKEY_FAKE_PIN });
      expect(r.taskRef).toBeUndefined();
      expect(r.summary).toMatch(/no task key/);
    });

    it("eq-show-empty-server-data: the service keeps the id asked for", async () => {
      const { fake, driver } = await setup();
      fake.fault(
        { kind: "json", json: fixture("eq-show-empty-server-data.json") },
        { match: isAction("eq", "show") },
      );
      const s = await driver.getService!("34533");
      expect(s.id).toBe("34533");
      expect(s.label).toBe("Server 34533");
      expect(s.status).toBe("active"); // from billing_status "Active"
    });

    it("eq-show-status-active-hostname-tag and eq-show-hostname-in-server-data: status and hostname", async () => {
      const { fake, driver } = await setup();
      fake.fault(
        { kind: "json", json: fixture("eq-show-status-active-hostname-tag.json") },
        { match: isAction("eq", "show"), times: 1 },
      );
      const a = await driver.getService!("34533");
      expect(a.hostname).toBe("hostkey101");
      expect(a.status).toBe("active");
      fake.fault(
        { kind: "json", json: fixture("eq-show-hostname-in-server-data.json") },
        { match: isAction("eq", "show"), times: 1 },
      );
      const b = await driver.getService!("34533");
      expect(b.hostname).toBe("tf-pending-fix-20260819-1425");
      expect(b.label).toBe("tf-pending-fix-20260819-1425");
    });

    it("unauthorized-401: logs in again once and repeats the call", async () => {
      const { fake, driver } = await setup();
      await driver.verifyCredentials();
      const text = readFileSync(
        new URL("../fixtures/real/hostkey/unauthorized-401.txt", import.meta.url),
        "utf8",
      );
      fake.fault({ kind: "status", status: 401, text }, { match: isAction("eq", "show"), times: 1 });
      expect((await driver.getService!("34533")).id).toBe("34533");
      expect(calls(fake, "auth", "login")).toHaveLength(2);
    });

    it("an 'Invalid hash' answer (Terraform provider's code -2) logs in again once", async () => {
      const { fake, driver } = await setup({ authFailure: { code: -2, message: "Invalid hash" } });
      await driver.verifyCredentials();
      fake.expireTokens();
      expect((await driver.getService!("34533")).id).toBe("34533");
      expect(calls(fake, "auth", "login")).toHaveLength(2);
    });

    it("reads server ids given as server objects (as the Terraform provider does)", async () => {
      const { fake, driver } = await setup();
      fake.fault(
        {
          kind: "json",
          json: { result: { servers: [{ id: 34533, status: "rent", hostname: "nl-vmmini" }] } },
        },
        { match: isAction("auth", "info") },
      );
      expect((await driver.listServices!()).map((x) => x.id)).toEqual(["34533"]);
    });

    it("power_off is a powered-off machine, not a suspension", async () => {
      const { fake, driver } = await setup();
      (fake.data.servers[2]!.billing as Record<string, unknown>).billing_status = "Active";
      const s = await driver.getService!("17405");
      expect(s.status).toBe("stopped");
    });
  });
});
