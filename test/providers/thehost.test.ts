import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/observability/logger.ts";
import { registerSecret, scrub } from "../../src/observability/secrets.ts";
import { decodeEnvelope, splitBaseUrl } from "../../src/providers/billmanager/client.ts";
import { thehost } from "../../src/providers/billmanager/index.ts";
import { unwrapBillmgr } from "../../src/providers/billmanager/schemas.ts";
import { createDriver, getProvider } from "../../src/providers/registry.ts";
import { ProviderError } from "../../src/providers/types.ts";
import type { FakeRequest } from "../fakes/providers/fake-server.ts";
import {
  startTheHostFake,
  THEHOST_LOGIN,
  THEHOST_PASSWORD,
  type TheHostFake,
  type TheHostFakeDomain,
  theHostDemoDomains,
  theHostSeedDomains,
} from "../fakes/providers/thehost.ts";
import { describeDriverContract } from "./contract.ts";

const isFunc = (func: string) => (r: FakeRequest) => r.query.get("func") === func;

describeDriverContract({
  kind: "thehost",
  start: () => startTheHostFake({ data: { domains: theHostSeedDomains() } }),
  expected: {
    domains: { count: 2, first: { name: "thedomain.com.ua", expiresAt: "2027-02-16T00:00:00.000Z" } },
  },
  mutating: { run: (d) => d.renewDomain!("200"), matches: isFunc("domain.renew") },
});

const AUTHINFO = `${THEHOST_LOGIN}:${THEHOST_PASSWORD}`;

async function caught(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

function expectNoCredential(text: string): void {
  expect(text).not.toContain(THEHOST_PASSWORD);
  expect(text).not.toContain(AUTHINFO);
  expect(text).not.toContain(encodeURIComponent(AUTHINFO));
  expect(text).not.toContain(new URLSearchParams({ a: AUTHINFO }).toString().slice(2));
  expect(text).not.toContain(THEHOST_LOGIN);
}

describe("thehost driver", () => {
  let fake: TheHostFake;
  const lines: string[] = [];
  const log = createLogger({ level: "debug", sink: { write: (l) => lines.push(l) } });
  const make = (
    over: { credentials?: unknown; retries?: number; timeoutMs?: number; baseUrl?: string } = {},
  ) =>
    createDriver("thehost", {
      credentials: over.credentials ?? fake.credentials,
      baseUrl: over.baseUrl ?? fake.baseUrl,
      retries: over.retries ?? 0,
      timeoutMs: over.timeoutMs ?? 2_000,
      log,
    });

  beforeAll(async () => {
    fake = await startTheHostFake({ data: { domains: theHostSeedDomains() } });
  });
  afterAll(async () => {
    await fake.close();
    expectNoCredential(lines.join("\n"));
  });
  beforeEach(() => {
    fake.reset();
    fake.domains.splice(0, fake.domains.length, ...theHostSeedDomains());
  });

  describe("registry entry", () => {
    it("documents the base URL and keeps the password secret", () => {
      expect(thehost.defaultBaseUrl).toBe("https://my.thehost.com.ua/manager/billmgr");
      expect(getProvider("thehost")).toBe(thehost);
      expect(thehost.credentialFields.find((f) => f.key === "password")?.secret).toBe(true);
      expect(thehost.credentialFields.map((f) => f.key)).toEqual(["login", "password"]);
    });

    it.each([
      [{ login: "reseller" }, "password"],
      [{ password: "x" }, "login"],
      [{ login: "a:b", password: "x" }, "login"],
    ])("refuses credentials %j", (credentials, field) => {
      const err = (() => {
        try {
          createDriver("thehost", { credentials });
        } catch (e) {
          return e as ProviderError;
        }
        return undefined;
      })();
      expect(err?.code).toBe("VALIDATION");
      expect(err?.message).toContain(field);
    });

    it("declares exactly the domain capabilities and nothing the API lacks", () => {
      const d = make();
      expect([...d.capabilities].sort()).toEqual(["listDomains", "renewDomain", "setNameservers"]);
      for (const m of ["getBalance", "listServices", "getService", "listInvoices", "getTask", "renewService"])
        expect((d as unknown as Record<string, unknown>)[m], m).toBeUndefined();
    });
  });

  describe("requests", () => {
    it("sends GET /manager/billmgr?func=domain&authinfo=LOGIN:PASSWORD&out=json, once", async () => {
      await make().verifyCredentials();
      expect(fake.requests).toHaveLength(1);
      const [r] = fake.requests;
      expect(r?.method).toBe("GET");
      expect(r?.path).toBe("/manager/billmgr");
      expect(r?.query.get("func")).toBe("domain");
      expect(r?.query.get("out")).toBe("json");
      // The password has ":", "&", "%" and "+": it only arrives intact if the query is encoded.
      expect(r?.query.get("authinfo")).toBe(AUTHINFO);
    });

    it("requests the endpoint itself even when the base URL ends in a slash", async () => {
      await make({ baseUrl: `${fake.baseUrl}/` }).listDomains!();
      expect(fake.requests[0]?.path).toBe("/manager/billmgr");
    });

    it.each([
      ["https://my.thehost.com.ua/manager/billmgr", "https://my.thehost.com.ua/manager/", "billmgr"],
      ["http://127.0.0.1:9/manager/billmgr/", "http://127.0.0.1:9/manager/", "billmgr"],
      ["http://127.0.0.1:9", "http://127.0.0.1:9", ""],
    ])("splits %s into prefix and endpoint", (base, prefixUrl, path) => {
      expect(splitBaseUrl(base)).toEqual({ prefixUrl, path });
    });
  });

  describe("listDomains", () => {
    it("normalizes the seed's list: string ids, YYYY-MM-DD expiry, status text, unknown autorenew", async () => {
      const list = await make().listDomains!();
      expect(list.map((d) => [d.id, d.name, d.expiresAt?.toISOString(), d.status, d.autorenew])).toEqual([
        ["200", "thedomain.com.ua", "2027-02-16T00:00:00.000Z", "active", null],
        // TH-14: delegated (active) although it expired in 2022; the expiry is reported as it is.
        ["220", "thedomain2.com.ua", "2022-02-16T00:00:00.000Z", "active", null],
      ]);
      expect(list[0]?.raw).toMatchObject({ account_id: "100", domainstatus: "2", autoperiod: "-" });
    });

    it.each([
      ["0", "no data"],
      ["1", "not paid"],
      ["2", "active"],
      ["3", "registered, not delegated"],
      ["4", "removed"],
      ["5", "registering"],
      ["6", "transferring"],
      ["7", "renewing"],
      ["9", "unknown (code 9)"],
    ])("maps domainstatus %s to %s", async (code, status) => {
      fake.domains.splice(0, fake.domains.length, { ...theHostSeedDomains()[0]!, domainstatus: code });
      expect((await make().listDomains!())[0]?.status).toBe(status);
    });

    it.each([
      ["2027-02-16", "2027-02-16T00:00:00.000Z"],
      ["0000-00-00", null],
      ["", null],
      ["-", null],
    ])("reads expire %j as %s", async (expire, iso) => {
      fake.domains.splice(0, fake.domains.length, { ...theHostSeedDomains()[0]!, expire });
      expect((await make().listDomains!())[0]?.expiresAt?.toISOString() ?? null).toBe(iso);
    });

    it.each([
      ["-", null],
      ["", null],
      ["0", false],
      ["12", true],
    ])("reads autoperiod %j as autorenew %s", async (autoperiod, autorenew) => {
      fake.domains.splice(0, fake.domains.length, { ...theHostSeedDomains()[0]!, autoperiod });
      expect((await make().listDomains!())[0]?.autorenew).toBe(autorenew);
    });

    it("accepts the ISPsystem doc form with {$: value} wrappers", async () => {
      const doc = await startTheHostFake({ data: { domains: theHostSeedDomains() }, format: "doc" });
      try {
        const d = createDriver("thehost", { credentials: doc.credentials, baseUrl: doc.baseUrl, retries: 0 });
        const list = await d.listDomains!();
        expect(list.map((x) => [x.id, x.name, x.expiresAt?.toISOString(), x.status])).toEqual([
          ["200", "thedomain.com.ua", "2027-02-16T00:00:00.000Z", "active"],
          ["220", "thedomain2.com.ua", "2022-02-16T00:00:00.000Z", "active"],
        ]);
        expect(list[0]?.raw).toMatchObject({ id: "200", account_id: "100" });
        // Mutations answer {"doc":{"result":{"$":"OK"},…}} in this form.
        await expect(d.renewDomain!("200")).resolves.toMatchObject({ summary: expect.any(String) });
      } finally {
        await doc.close();
      }
    });

    it("takes a single doc-form row sent as an object instead of a list", async () => {
      fake.fault(
        { kind: "json", json: { doc: { elem: { id: { $: "7" }, name: { $: "One.Example" } } } } },
        { times: 1 },
      );
      const list = await make().listDomains!();
      expect(list).toEqual([
        expect.objectContaining({
          id: "7",
          name: "one.example",
          expiresAt: null,
          status: "no data",
          autorenew: null,
        }),
      ]);
    });

    it("accepts numeric ids", async () => {
      fake.fault(
        { kind: "json", json: { elem: [{ id: 5, name: "n.example", domainstatus: 2 }] } },
        { times: 1 },
      );
      expect((await make().listDomains!())[0]).toMatchObject({ id: "5", status: "active" });
    });

    it("removes secret fields from raw", async () => {
      fake.fault(
        {
          kind: "json",
          json: { elem: [{ id: "1", name: "a.example", authinfo: "x", password: "y", epp: "z" }] },
        },
        { times: 1 },
      );
      const raw = (await make().listDomains!())[0]?.raw as Record<string, unknown>;
      expect(Object.keys(raw).sort()).toEqual(["id", "name"]);
    });

    it("keeps the demo data useful: one domain expiring within days and one not paid", () => {
      const now = Date.UTC(2030, 0, 1);
      const demo: TheHostFakeDomain[] = theHostDemoDomains(now);
      expect(demo.map((d) => [d.expire, d.domainstatus])).toEqual([
        ["2030-10-28", "2"],
        ["2030-01-05", "2"],
        ["2030-01-26", "1"],
      ]);
    });
  });

  describe("errors inside HTTP 200", () => {
    it("maps the ISPsystem auth error to AUTH_FAILED without any credential", async () => {
      const err = await caught(make({ credentials: fake.wrongCredentials }).verifyCredentials());
      expect(err.code).toBe("AUTH_FAILED");
      expect(err.message).toBe("TheHost rejected the credentials.");
      expect(err.status).toBe(200);
    });

    it.each([
      ["flat object", { error: { type: "auth", msg: "Invalid username or password" } }, "AUTH_FAILED"],
      ["flat string", { error: "Invalid login or password" }, "AUTH_FAILED"],
      [
        "doc value",
        { doc: { error: { $type: "value", $object: "ns0", msg: { $: "Bad value" } } } },
        "VALIDATION",
      ],
      [
        "doc missed",
        { doc: { error: { $type: "missed", $object: "elid", msg: { $: "Required" } } } },
        "VALIDATION",
      ],
      ["doc access", { doc: { error: { $type: "access", msg: { $: "Access denied" } } } }, "AUTH_FAILED"],
      [
        "doc funds",
        { doc: { error: { $type: "payment", msg: { $: "Not enough money" } } } },
        "INSUFFICIENT_FUNDS",
      ],
      [
        "funds text",
        { error: { type: "xml", msg: "Insufficient funds on the account" } },
        "INSUFFICIENT_FUNDS",
      ],
      ["not found", { doc: { error: { $type: "objectnotfound", msg: { $: "No object" } } } }, "NOT_FOUND"],
      ["unknown", { doc: { error: { $type: "sys", msg: { $: "Internal error" } } } }, "UPSTREAM"],
      ["result not OK", { result: "ERROR" }, "UNEXPECTED_RESPONSE"],
      ["a bare list", [{ id: "1" }], "UNEXPECTED_RESPONSE"],
      ["a bare string", "OK", "UNEXPECTED_RESPONSE"],
    ])("decodes %s as %s", async (_label, json, code) => {
      fake.fault({ kind: "json", json }, { times: 1 });
      const err = await caught(make().listDomains!());
      expect(err.code).toBe(code);
    });

    it("passes a non-2xx body without an error element to the HTTP status mapping", () => {
      expect(decodeEnvelope({}, 500)).toBeUndefined();
      expect(decodeEnvelope(null, 503)).toBeUndefined();
      expect(decodeEnvelope({ elem: [] }, 200)).toBeUndefined();
      expect(decodeEnvelope({ result: "OK" }, 200)).toBeUndefined();
      expect(decodeEnvelope({ doc: { error: { $type: "auth" } } }, 403)?.code).toBe("AUTH_FAILED");
    });

    it("scrubs credentials that the server echoes back in an error message", async () => {
      const echoed = `Bad request billmgr?func=domain&authinfo=${AUTHINFO}&x=${encodeURIComponent(AUTHINFO)} for ${AUTHINFO}`;
      fake.fault(
        { kind: "json", json: { doc: { error: { $type: "value", msg: { $: echoed } } } } },
        { times: 1 },
      );
      const err = await caught(make().listDomains!());
      expect(err.code).toBe("VALIDATION");
      expect(err.message).toContain("TheHost refused the request");
      expectNoCredential(`${err.message} ${err.stack} ${JSON.stringify(err)}`);
    });

    it("shows the server's reason for a refused action", async () => {
      fake.fault(
        {
          kind: "json",
          json: { doc: { error: { $type: "value", $object: "autoperiod", msg: { $: "Invalid period" } } } },
        },
        { match: isFunc("domain.renew"), times: 1 },
      );
      const err = await caught(make().renewDomain!("200"));
      expect(err.code).toBe("VALIDATION");
      expect(err.message).toBe("TheHost refused the request: Invalid period.");
    });
  });

  describe("renewDomain", () => {
    it("submits domain.renew with the documented parameters and the domain's payer account", async () => {
      const r = await make().renewDomain!("200");
      const renew = fake.requests.find(isFunc("domain.renew"));
      expect(Object.fromEntries(renew!.query)).toEqual({
        func: "domain.renew",
        elid: "200",
        autoperiod: "12",
        payfrom: "account100",
        paynow: "on",
        sok: "ok",
        authinfo: AUTHINFO,
        out: "json",
      });
      expect(r.taskRef).toBeUndefined();
      expect(r.summary).toBe(
        'TheHost accepted the renewal of thedomain.com.ua for 1 year, paid from payer account 100; its status shows "renewing" until the registry confirms.',
      );
      expectNoCredential(r.summary);
    });

    it("renews for several years and the fake moves the expiry, showing 'renewing' once", async () => {
      const d = make();
      await d.renewDomain!("thedomain.com.ua", { years: 2 });
      expect(fake.requests.find(isFunc("domain.renew"))?.query.get("autoperiod")).toBe("24");
      const after = (await d.listDomains!()).find((x) => x.id === "200");
      expect(after?.status).toBe("renewing");
      expect(after?.expiresAt?.toISOString()).toBe("2029-02-16T00:00:00.000Z");
      expect((await d.listDomains!()).find((x) => x.id === "200")?.status).toBe("active");
    });

    it.each([0, -1, 1.5, 11, Number.NaN])("refuses %s years before any call", async (years) => {
      const err = await caught(make().renewDomain!("200", { years }));
      expect(err.code).toBe("VALIDATION");
      expect(fake.requests).toHaveLength(0);
    });

    it("answers NOT_FOUND for a domain the reseller does not have, without renewing", async () => {
      const err = await caught(make().renewDomain!("999"));
      expect(err.code).toBe("NOT_FOUND");
      expect(fake.count(isFunc("domain.renew"))).toBe(0);
    });

    it("never retries a renewal that timed out, and says it may have gone through", async () => {
      fake.fault({ kind: "hang" }, { match: isFunc("domain.renew") });
      const err = await caught(make({ retries: 3, timeoutMs: 200 }).renewDomain!("200"));
      expect(err.code).toBe("NETWORK");
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/did not answer.*may still have been applied/);
      expect(fake.count(isFunc("domain.renew"))).toBe(1);
    });

    it("treats a 200 answer with a result other than OK as a failure that may have been applied", async () => {
      fake.fault({ kind: "json", json: { result: "ERROR" } }, { match: isFunc("domain.renew"), times: 1 });
      const err = await caught(make().renewDomain!("200"));
      expect(err.code).toBe("UNEXPECTED_RESPONSE");
      expect(err.message).toMatch(/other than "OK".*check the domain in the TheHost panel/);
    });

    it("refuses to renew a domain listed without a payer account", async () => {
      fake.fault(
        { kind: "json", json: { elem: [{ id: "1", name: "a.example", domainstatus: "2" }] } },
        { times: 1 },
      );
      const err = await caught(make().renewDomain!("1"));
      expect(err.code).toBe("UNEXPECTED_RESPONSE");
      expect(fake.count(isFunc("domain.renew"))).toBe(0);
    });
  });

  describe("setNameservers", () => {
    it("submits domain.edit with ns0..ns3, changens=on and sok=ok", async () => {
      const r = await make().setNameservers!("220", ["NS1.Example.net.", " ns2.example.net "]);
      const edit = fake.requests.find(isFunc("domain.edit"));
      expect(Object.fromEntries(edit!.query)).toEqual({
        func: "domain.edit",
        elid: "220",
        ns0: "ns1.example.net",
        ns1: "ns2.example.net",
        ns2: "",
        ns3: "",
        changens: "on",
        sok: "ok",
        authinfo: AUTHINFO,
        out: "json",
      });
      expect(r.summary).toBe(
        "TheHost accepted the new nameservers of thedomain2.com.ua: ns1.example.net, ns2.example.net.",
      );
      expect(fake.domains.find((d) => d.id === "220")?.ns).toEqual(["ns1.example.net", "ns2.example.net"]);
    });

    it("sends four nameservers", async () => {
      const ns = ["a.ns.example", "b.ns.example", "c.ns.example", "d.ns.example"];
      await make().setNameservers!("200", ns);
      expect(fake.domains.find((d) => d.id === "200")?.ns).toEqual(ns);
    });

    it.each([
      [[], /1 to 4/],
      [["a.example", "b.example", "c.example", "d.example", "e.example"], /1 to 4/],
      [["ns_1.example"], /ns_1\.example/],
      [["-ns.example"], /-ns\.example/],
      [["localhost"], /localhost/],
      [["ns1.example", "NS1.example."], /twice/],
    ])("refuses %j before any call", async (ns, why) => {
      const err = await caught(make().setNameservers!("200", ns));
      expect(err.code).toBe("VALIDATION");
      expect(err.message).toMatch(why);
      expect(fake.requests).toHaveLength(0);
    });

    it("answers NOT_FOUND for an unknown domain", async () => {
      const err = await caught(make().setNameservers!("nope.example", ["ns1.example.net"]));
      expect(err.code).toBe("NOT_FOUND");
      expect(fake.count(isFunc("domain.edit"))).toBe(0);
    });

    it("is never retried after a 503", async () => {
      fake.fault({ kind: "status", status: 503 }, { match: isFunc("domain.edit") });
      const err = await caught(make({ retries: 3 }).setNameservers!("200", ["ns1.example.net"]));
      expect(err.code).toBe("UPSTREAM");
      expect(fake.count(isFunc("domain.edit"))).toBe(1);
    });
  });

  describe("fake", () => {
    it("answers unknown paths with a 404 page and unknown functions with an error element", async () => {
      const bad = await fetch(`${fake.origin}/manager/nothing?out=json`);
      expect(bad.status).toBe(404);
      const q = new URLSearchParams({ func: "nothing", authinfo: AUTHINFO, out: "json" });
      const body = (await (await fetch(`${fake.baseUrl}?${q}`)).json()) as unknown;
      expect(unwrapBillmgr(body)).toMatchObject({ error: { type: "missed", object: "func" } });
    });

    it("echoes authinfo in the contact redirect, as the seed shows", async () => {
      const q = new URLSearchParams({ func: "contcat.create.1", ctype: "generic", cname: "c1", sok: "ok" });
      q.set("authinfo", AUTHINFO);
      q.set("out", "json");
      const body = (await (await fetch(`${fake.baseUrl}?${q}`)).json()) as Record<string, string>;
      expect(body.result).toBe("OK");
      expect(body["domaincontact.id"]).toMatch(/^\d+$/);
      expect(body.redirect).toContain(encodeURIComponent(AUTHINFO));
    });
  });
});

describe("secret scrubbing of the authinfo pair", () => {
  it("removes login:password whole even when the password was registered first", () => {
    const pair = "scrub-login-41:scrub-pass-41";
    registerSecret("scrub-pass-41");
    registerSecret(pair);
    expect(scrub(`failed for ${pair} and ${encodeURIComponent(pair)}`)).toBe(
      "failed for [redacted] and [redacted]",
    );
  });
});

describe("unwrapBillmgr", () => {
  it.each([
    [{ elem: [{ id: "1" }] }, { elem: [{ id: "1" }] }],
    [{ doc: { elem: [{ id: { $: "1" } }] } }, { elem: [{ id: "1" }] }],
    [{ doc: { $lang: "en", result: { $: "OK" } } }, { lang: "en", result: "OK" }],
    [
      { doc: { error: { $type: "auth", $object: "badpassword", msg: { $: "m" } } } },
      { error: { type: "auth", object: "badpassword", msg: "m" } },
    ],
    [
      { doc: "x", other: 1 },
      { doc: "x", other: 1 },
    ],
    [{ v: { $: "1", $unit: "GB" } }, { v: "1" }],
  ])("turns %j into %j", (input, output) => {
    expect(unwrapBillmgr(input)).toEqual(output);
  });
});

describe("thehost real payloads and BILLmanager list and answer shapes", () => {
  const fixture = (name: string): unknown =>
    JSON.parse(readFileSync(new URL(`../fixtures/real/thehost/${name}`, import.meta.url), "utf8"));
  let fake: TheHostFake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  async function start(opts: Parameters<typeof startTheHostFake>[0] = {}) {
    fake = await startTheHostFake({ data: { domains: theHostSeedDomains() }, ...opts });
    const driver = createDriver("thehost", {
      credentials: fake.credentials,
      baseUrl: fake.baseUrl,
      retries: 0,
      timeoutMs: 2_000,
    });
    return { fake, driver };
  }

  it.each([
    ["ispmgr-user-suspend-ok.json"],
    ["ispmgr-user-resume-ok.json"],
    ["ispmgr-user-delete-ok.json"],
    ["ispmgr-session-newkey-ok.json"],
  ])("%s: an answer with ok:{} and no result is success for renew and nameservers", async (name) => {
    const { fake, driver } = await start();
    fake.fault({ kind: "json", json: fixture(name) }, { match: isFunc("domain.renew"), times: 1 });
    await expect(driver.renewDomain!("200")).resolves.toMatchObject({
      summary: expect.stringContaining("accepted"),
    });
    fake.fault({ kind: "json", json: fixture(name) }, { match: isFunc("domain.edit"), times: 1 });
    await expect(driver.setNameservers!("200", ["ns1.example.net"])).resolves.toBeDefined();
  });

  it("ispmgr-error-auth-badpassword: AUTH_FAILED, the param placeholders filled, no credential", async () => {
    const { fake, driver } = await start();
    fake.fault({ kind: "json", json: fixture("ispmgr-error-auth-badpassword.json") });
    const err = await caught(driver.listDomains!());
    expect(err.code).toBe("AUTH_FAILED");
    const renew = await caught(driver.renewDomain!("200"));
    expect(renew.code).toBe("AUTH_FAILED");
    expectNoCredential(`${err.message} ${renew.message}`);
  });

  it("ispmgr-webdomain-list: a doc list with metadata and $-attributes reads its rows", async () => {
    const { fake, driver } = await start();
    fake.fault({ kind: "json", json: fixture("ispmgr-webdomain-list.json") }, { match: isFunc("domain") });
    const list = await driver.listDomains!();
    expect(list.map((d) => [d.id, d.name])).toEqual([["1", "testsite.ru"]]);
  });

  it.each([
    ["successShape ok", { successShape: "ok" as const }],
    ["successShape empty", { successShape: "empty" as const }],
    ["doc format, ok", { successShape: "ok" as const, format: "doc" as const }],
  ])("a successful submission answered %s is success and takes effect", async (_label, opts) => {
    const { fake, driver } = await start(opts);
    const before = fake.domains.find((d) => d.id === "200")!.expire;
    await driver.renewDomain!("200");
    expect(fake.domains.find((d) => d.id === "200")!.expire > before).toBe(true);
    await driver.setNameservers!("200", ["ns1.example.net", "ns2.example.net"]);
    expect(fake.domains.find((d) => d.id === "200")!.ns).toEqual(["ns1.example.net", "ns2.example.net"]);
  });

  it("an empty list has no elem key: an empty list, not a malformed answer", async () => {
    for (const format of ["flat", "doc"] as const) {
      const { driver } = await start({ data: { domains: [] }, format });
      expect(await driver.listDomains!()).toEqual([]);
      await driver.verifyCredentials();
      await fake?.close();
      fake = undefined;
    }
  });

  it("reads every page of a paged list (p_elems, p_num, p_cnt)", async () => {
    const many = Array.from({ length: 7 }, (_, i) => ({
      ...theHostSeedDomains()[0]!,
      id: String(300 + i),
      name: `paged${i}.com.ua`,
    }));
    for (const format of ["flat", "doc"] as const) {
      const { fake: paged, driver } = await start({ data: { domains: many }, pageSize: 3, format });
      const list = await driver.listDomains!();
      expect(list.map((d) => d.id)).toEqual(many.map((d) => d.id));
      const pages = paged.requests.filter(isFunc("domain")).map((r) => r.query.get("p_num"));
      expect(pages).toEqual([null, "2", "3"]);
      // A domain on a later page can be renewed: findDomain sees every page.
      await driver.renewDomain!("306");
      await paged.close();
      fake = undefined;
    }
  });

  it("stops when the page parameter is ignored, and keeps what it has", async () => {
    const { fake, driver } = await start();
    const page = { elem: [{ id: "200", name: "thedomain.com.ua" }], p_elems: "5", p_num: "1", p_cnt: "1" };
    fake.fault({ kind: "json", json: page }, { match: isFunc("domain") });
    const list = await driver.listDomains!();
    expect(list).toHaveLength(1);
    expect(fake.count(isFunc("domain"))).toBe(2);
  });

  it("reads an expiry in a DD.MM.YYYY locale as the same calendar day", async () => {
    const { fake, driver } = await start();
    fake.fault(
      { kind: "json", json: { elem: [{ id: "200", name: "thedomain.com.ua", expire: "16.02.2027" }] } },
      { match: isFunc("domain") },
    );
    const [d] = await driver.listDomains!();
    expect(d!.expiresAt?.toISOString()).toBe("2027-02-16T00:00:00.000Z");
  });

  it("an error without $type is still an error, with its text", async () => {
    const { fake, driver } = await start();
    fake.fault({ kind: "json", json: { doc: { error: { msg: { $: "Domain is locked by registry" } } } } });
    const err = await caught(driver.listDomains!());
    expect(err.code).toBe("UPSTREAM");
    expect(err.message).toContain("Domain is locked by registry");
    fake.clearFaults();
    fake.fault({ kind: "json", json: { error: { msg: "Wrong password or login" } } });
    expect((await caught(driver.listDomains!())).code).toBe("AUTH_FAILED");
  });
});
