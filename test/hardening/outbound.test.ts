import type dns from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { blockedKind, parsePrivateAllowance } from "../../src/providers/_shared/address-guard.ts";
import { outboundPolicy, setOutboundPolicy } from "../../src/providers/_shared/outbound.ts";
import { createDriver } from "../../src/providers/registry.ts";
import { type ProviderDriver, ProviderError, type ProviderKind } from "../../src/providers/types.ts";
import type { FakeRequest } from "../fakes/providers/fake-server.ts";
import { startHost4coinsFake } from "../fakes/providers/host4coins.ts";
import { startHostBillFake } from "../fakes/providers/hostbill.ts";
import { HOSTKEY_FAKE_PIN, startHostkeyFake } from "../fakes/providers/hostkey.ts";
import { startTheHostFake } from "../fakes/providers/thehost.ts";
import type { ProviderFake } from "../fakes/providers/types.ts";

/**
 * Outbound safety on the real HTTP stack (ky -> undici -> sockets; nothing mocked): no driver
 * follows a redirect with its credentials, and the private-address guard lets no request reach
 * a local server, whatever form the address takes.
 */

interface Case {
  kind: ProviderKind;
  start(): Promise<ProviderFake>;
  mutate(d: ProviderDriver): Promise<unknown>;
  isMutation(r: FakeRequest): boolean;
}

const form = (r: FakeRequest) =>
  typeof r.body === "object" && r.body ? (r.body as Record<string, string>) : {};

const CASES: Case[] = [
  {
    kind: "host4coins",
    start: () => startHost4coinsFake(),
    mutate: async (d) => {
      for (const s of await d.listServices!()) {
        const full = await d.getService!(s.id);
        if (full.renewOptions?.length) return d.renewService!(s.id);
      }
      throw new Error("the fake has no renewable service");
    },
    isMutation: (r) => r.method === "POST" && /^\/api\/v1\/service\/[^/]+\/[^/]+$/.test(r.path),
  },
  {
    kind: "hostens",
    start: () => startHostBillFake({ kind: "hostens" }),
    mutate: (d) => d.reboot!("302"),
    isMutation: (r) => r.method === "POST" && r.path.endsWith("/reboot"),
  },
  {
    // HostBill at another host: named by its display name in every message.
    kind: "hostbill",
    start: () => startHostBillFake({ kind: "hostbill", domains: true }),
    mutate: (d) => d.reboot!("302"),
    isMutation: (r) => r.method === "POST" && r.path.endsWith("/reboot"),
  },
  {
    kind: "time4vps",
    start: () => startHostBillFake({ kind: "time4vps" }),
    mutate: (d) => d.reboot!("302"),
    isMutation: (r) => r.method === "POST" && r.path.endsWith("/reboot"),
  },
  {
    kind: "hostkey",
    start: () => startHostkeyFake(),
    mutate: async (d) => d.reboot!((await d.listServices!())[0]!.id, { pin: HOSTKEY_FAKE_PIN }),
    isMutation: (r) => form(r).action === "reboot",
  },
  {
    kind: "thehost",
    start: () => startTheHostFake(),
    mutate: async (d) => d.renewDomain!((await d.listDomains!())[0]!.id, { years: 1 }),
    isMutation: (r) => r.query.get("func") === "domain.renew",
  },
];

const REDIRECTS = [301, 302, 303, 307, 308];

/** A server that records everything it receives: connections, requests, headers, bodies. */
async function startRecorder(host = "127.0.0.1") {
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const sockets: { local: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      res.setHeader("connection", "close");
      res.setHeader("content-type", "application/json");
      res.end("{}");
    });
  });
  server.on("connection", (s) => sockets.push({ local: s.localAddress ?? "" }));
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    seen,
    sockets,
    /** Every byte it received, for "no credential arrived" checks. */
    everything: () =>
      seen.map((s) => `${s.method} ${s.url} ${JSON.stringify(s.headers)} ${s.body}`).join("\n"),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const initialPolicy = outboundPolicy();
afterEach(() => setOutboundPolicy(initialPolicy));

describe("no driver follows a redirect", () => {
  let target: Awaited<ReturnType<typeof startRecorder>>;
  beforeAll(async () => {
    target = await startRecorder();
  });
  afterAll(async () => {
    await target.close();
  });

  it("the recorder would see a followed redirect (fetch's default), so the checks below can fail", async () => {
    const bait = await startHost4coinsFake();
    try {
      bait.fault({ kind: "status", status: 307, headers: { location: `http://127.0.0.1:${target.port}/x` } });
      await fetch(`${bait.baseUrl}/services`, { headers: { apiprivate: "followed-secret-1234" } });
      expect(target.everything()).toContain("followed-secret-1234");
    } finally {
      target.seen.length = 0;
      await bait.close();
    }
  });

  for (const c of CASES) {
    describe(c.kind, () => {
      let fake: ProviderFake;
      beforeAll(async () => {
        setOutboundPolicy({ allowPrivate: true });
        fake = await c.start();
      });
      afterAll(async () => {
        await fake.close();
      });
      const driver = () =>
        createDriver(c.kind, {
          credentials: fake.credentials,
          baseUrl: fake.baseUrl,
          displayName: c.kind === "hostbill" ? "Acme Hosting" : undefined,
          retries: 2,
        });

      for (const status of REDIRECTS) {
        it(`HTTP ${status} on the first (credential-bearing) call: a base-URL error naming the target, nothing sent there`, async () => {
          fake.clearFaults();
          fake.reset();
          target.seen.length = 0;
          fake.fault({
            kind: "status",
            status,
            headers: { location: `http://127.0.0.1:${target.port}/collect?from=${c.kind}` },
          });
          const err = await driver()
            .verifyCredentials()
            .then(
              () => undefined,
              (e: unknown) => e,
            );
          expect(err).toBeInstanceOf(ProviderError);
          const pe = err as ProviderError;
          expect(pe.about).toBe("baseUrl");
          expect(pe.message).toContain(`redirect to 127.0.0.1:${target.port}`);
          expect(pe.message).toMatch(/check the account's base URL/);
          expect(target.seen).toEqual([]);
          // Not retried either: one request reached the redirecting server.
          expect(fake.requests.length).toBe(1);
        });

        it(`HTTP ${status} on a mutating call: refused, the target receives nothing`, async () => {
          fake.clearFaults();
          fake.reset();
          target.seen.length = 0;
          fake.fault(
            { kind: "status", status, headers: { location: `http://127.0.0.1:${target.port}/mutate` } },
            { match: c.isMutation },
          );
          await expect(c.mutate(driver())).rejects.toBeInstanceOf(ProviderError);
          expect(fake.count(c.isMutation)).toBe(1);
          expect(target.seen).toEqual([]);
          for (const secret of Object.values(fake.credentials))
            expect(target.everything()).not.toContain(secret);
        });
      }
    });
  }
});

describe("the private-address guard", () => {
  let local: Awaited<ReturnType<typeof startRecorder>>;
  beforeAll(async () => {
    // Dual-stack: reachable as 127.0.0.1, ::1, ::ffff:127.0.0.1, 0.0.0.0, …
    local = await startRecorder("::");
  });
  beforeEach(() => {
    local.seen.length = 0;
    local.sockets.length = 0;
  });
  afterAll(async () => {
    await local.close();
  });

  const guardOn = (lookup?: typeof dns.lookup) => setOutboundPolicy({ allowPrivate: [], lookup });
  const creds: Record<ProviderKind, Record<string, string>> = {
    host4coins: { apiPublic: "pub-guard-1234", apiPrivate: "priv-guard-5678" },
    hostens: { username: "guard@example.com", password: "pw-guard-9012" },
    time4vps: { username: "guard@example.com", password: "pw-guard-9012" },
    hostbill: { username: "guard@example.com", password: "pw-guard-9012" },
    hostkey: { apiKey: "key-guard-3456" },
    thehost: { login: "guard", password: "pw-guard-7890" },
  };
  const pathOf: Record<ProviderKind, string> = {
    host4coins: "/api/v1",
    hostens: "/api/v1",
    time4vps: "/api/v1",
    hostbill: "/api",
    hostkey: "",
    thehost: "/billmgr",
  };
  const tryUrl = async (kind: ProviderKind, origin: string) => {
    const d = createDriver(kind, {
      credentials: creds[kind],
      baseUrl: `${origin}${pathOf[kind]}`,
      retries: 2,
    });
    return d.verifyCredentials().then(
      () => undefined,
      (e: unknown) => e,
    );
  };

  it("without the guard the local server is reached, so the checks below can fail", async () => {
    setOutboundPolicy({ allowPrivate: true });
    await tryUrl("host4coins", `http://127.0.0.1:${local.port}`);
    expect(local.seen.length).toBeGreaterThan(0);
    local.seen.length = 0;
    local.sockets.length = 0;
  });

  // The forms, then others: octal, trailing dot, full-width digits, percent-encoding,
  // 0.0.0.0 (reaches this host on Linux), IPv6 loopback, mapped in hex, IPv4-compatible, NAT64,
  // 6to4, the unspecified IPv6 address, and localhost names.
  const FORMS = [
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f.0.0.1",
    "[::ffff:127.0.0.1]",
    "0177.0.0.1",
    "127.0.0.1.",
    "１２７.０.０.１",
    "127%2E0.0.1",
    "0x7f000001",
    "0",
    "0.0.0.0",
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[::ffff:7f00:1]",
    "[::127.0.0.1]",
    "[64:ff9b::127.0.0.1]",
    "[2002:7f00:1::]",
    "[::]",
    "localhost",
    "LOCALHOST.",
  ];

  for (const kind of CASES.map((c) => c.kind)) {
    it(`${kind}: every local address form is refused on the base URL and reaches nothing`, async () => {
      guardOn();
      for (const host of FORMS) {
        const err = await tryUrl(kind, `http://${host}:${local.port}`);
        expect(err, host).toBeInstanceOf(ProviderError);
        expect((err as ProviderError).about, host).toBe("baseUrl");
        expect((err as ProviderError).message, host).toMatch(
          /loopback|unspecified|private|reserved|link-local|not found/,
        );
      }
      expect(local.sockets).toEqual([]);
      expect(local.seen).toEqual([]);
    });
  }

  it("refuses cloud metadata, private and shared addresses before any connection", async () => {
    guardOn();
    for (const host of [
      "169.254.169.254",
      "[fd00:ec2::254]",
      "10.0.0.1",
      "172.16.5.4",
      "192.168.1.1",
      "100.64.0.1",
      "224.0.0.1",
      "[fe80::1]",
      "[ff02::1]",
      "240.0.0.1",
      "255.255.255.255",
    ]) {
      const err = (await tryUrl("hostkey", `http://${host}:${local.port}`)) as ProviderError;
      expect(err, host).toBeInstanceOf(ProviderError);
      expect(err.message, host).toMatch(/(is|points to) an? (link-local|private|shared|multicast|reserved)/);
      expect(err.message, host).toMatch(/nothing was sent/);
    }
  });

  it("a URL with a user name or password is refused before any connection", async () => {
    setOutboundPolicy({ allowPrivate: true });
    for (const kind of ["host4coins", "hostkey", "hostens"] as const) {
      const err = (await tryUrl(kind, `http://user:pass@127.0.0.1:${local.port}`)) as ProviderError;
      expect(err.about).toBe("baseUrl");
      expect(err.message).toMatch(/user name or password/);
      expect(err.message).not.toContain("pass@");
    }
    expect(local.sockets).toEqual([]);
  });

  it("checks the address this connection resolved: a name answering a private address is refused", async () => {
    let lookups = 0;
    const fakeDns = ((_host: string, _opts: unknown, cb: (e: null, a: dns.LookupAddress[]) => void) => {
      lookups++;
      cb(null, [{ address: "127.0.0.1", family: 4 }]);
    }) as unknown as typeof dns.lookup;
    guardOn(fakeDns);
    const err = (await tryUrl(
      "host4coins",
      `http://billing.provider.example:${local.port}`,
    )) as ProviderError;
    expect(err.message).toMatch(/billing\.provider\.example is a loopback address/);
    expect(lookups).toBeGreaterThan(0);
    expect(local.sockets).toEqual([]);
  });

  it("one private address among public ones is enough to refuse", async () => {
    const fakeDns = ((_h: string, _o: unknown, cb: (e: null, a: dns.LookupAddress[]) => void) =>
      cb(null, [
        { address: "93.184.216.34", family: 4 },
        { address: "::1", family: 6 },
      ])) as unknown as typeof dns.lookup;
    guardOn(fakeDns);
    const err = (await tryUrl("hostens", `http://mixed.provider.example:${local.port}`)) as ProviderError;
    expect(err.message).toMatch(/is a loopback address/);
    expect(local.sockets).toEqual([]);
  });

  it("DNS rebinding: an allowed answer, then a private one for the next connection, is refused then", async () => {
    // 127.0.0.2 stands for "the public address" (allowed by an operator range); the rebinding
    // answer is 127.0.0.1. The server closes every connection, so each call resolves again.
    const answers = ["127.0.0.2", "127.0.0.1"];
    let i = 0;
    const rebinding = ((_h: string, _o: unknown, cb: (e: null, a: dns.LookupAddress[]) => void) =>
      cb(null, [{ address: answers[Math.min(i++, 1)]!, family: 4 }])) as unknown as typeof dns.lookup;
    setOutboundPolicy({ allowPrivate: ["127.0.0.2/32"], lookup: rebinding });
    const d = createDriver("host4coins", {
      credentials: creds.host4coins,
      baseUrl: `http://rebind.provider.example:${local.port}/api/v1`,
      retries: 0,
    });
    // The first call connects (the recorder answers {} — not a valid balance, which is fine).
    await d.getBalance!().catch(() => undefined);
    expect(local.sockets.map((s) => s.local)).toEqual(["::ffff:127.0.0.2"]);
    const err = (await d.getBalance!().then(
      () => undefined,
      (e: unknown) => e,
    )) as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toMatch(/rebind\.provider\.example is a loopback address/);
    expect(local.sockets.length).toBe(1);
    local.sockets.length = 0;
    local.seen.length = 0;
  });

  it("an operator range lets exactly that private range through", async () => {
    setOutboundPolicy({ allowPrivate: ["127.0.0.0/8"] });
    await tryUrl("host4coins", `http://127.0.0.1:${local.port}`);
    expect(local.seen.length).toBe(1);
    local.seen.length = 0;
    local.sockets.length = 0;
    setOutboundPolicy({ allowPrivate: ["10.0.0.0/8"] });
    const err = (await tryUrl("host4coins", `http://127.0.0.1:${local.port}`)) as ProviderError;
    expect(err.message).toMatch(/loopback/);
    expect(local.sockets).toEqual([]);
  });
});

describe("address classification", () => {
  it.each([
    ["127.0.0.1", "a loopback"],
    ["127.255.255.254", "a loopback"],
    ["10.255.0.1", "a private"],
    ["172.31.255.255", "a private"],
    ["192.168.0.1", "a private"],
    ["100.127.255.255", "a shared (100.64.0.0/10)"],
    ["169.254.169.254", "a link-local"],
    ["0.0.0.0", "an unspecified (0.0.0.0/8)"],
    ["224.0.0.251", "a multicast"],
    ["192.0.2.10", "a reserved"],
    ["198.18.0.1", "a reserved"],
    ["240.0.0.1", "a reserved"],
    ["255.255.255.255", "a reserved"],
    ["::1", "a loopback"],
    ["::", "an unspecified"],
    ["fc00::1", "a private (unique local)"],
    ["fdff:ffff::1", "a private (unique local)"],
    ["fe80::1%eth0", "a link-local"],
    ["febf::1", "a link-local"],
    ["ff05::2", "a multicast"],
    ["::ffff:10.1.2.3", "a private"],
    ["::ffff:a01:203", "a private"],
    ["64:ff9b::a9fe:a9fe", "a link-local"],
    ["2002:c0a8:0101::1", "a private"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "a reserved"],
    ["2001:db8::1", "a reserved"],
    ["::7f00:1", "a reserved"],
    ["64:ff9b:1::1", "a reserved"],
    ["100::1", "a reserved"],
    ["not-an-ip", "an invalid"],
  ])("%s is %s address", (address, kind) => {
    expect(blockedKind(address)).toBe(kind);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "172.32.0.1",
    "100.128.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ])("%s is public", (address) => {
    expect(blockedKind(address)).toBeUndefined();
  });

  it("reads HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS", () => {
    expect(parsePrivateAllowance(undefined)).toEqual([]);
    expect(parsePrivateAllowance("0")).toEqual([]);
    expect(parsePrivateAllowance("1")).toBe(true);
    expect(parsePrivateAllowance("true")).toBe(true);
    expect(parsePrivateAllowance("10.8.0.0/16, fd00::/8,192.168.1.5")).toEqual([
      "10.8.0.0/16",
      "fd00::/8",
      "192.168.1.5/32",
    ]);
    expect(parsePrivateAllowance("10.8.0.0/99")).toHaveProperty("error");
    expect(parsePrivateAllowance("intranet")).toHaveProperty("error");
  });

  it("the config refuses a bad HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS by name, and defaults to the guard", () => {
    // Unset: the policy read from the process environment at start (outbound.ts) stays.
    expect(loadConfig({}).HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS).toBeUndefined();
    expect(
      loadConfig({ HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS: "0" }).HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS,
    ).toEqual([]);
    expect(loadConfig({ HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS: "1" }).HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS).toBe(
      true,
    );
    expect(
      loadConfig({ HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS: "10.8.0.0/16" }).HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS,
    ).toEqual(["10.8.0.0/16"]);
    expect(() => loadConfig({ HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS: "the vpn" })).toThrowError(
      /HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS is not 1, 0 or a list of CIDR ranges/,
    );
  });
});
