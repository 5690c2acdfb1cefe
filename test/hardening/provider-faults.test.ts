import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDriver } from "../../src/providers/registry.ts";
import { type ProviderDriver, ProviderError, type ProviderKind } from "../../src/providers/types.ts";
import type { FakeRequest, Fault } from "../fakes/providers/fake-server.ts";
import { startHost4coinsFake } from "../fakes/providers/host4coins.ts";
import { startHostBillFake } from "../fakes/providers/hostbill.ts";
import { HOSTKEY_FAKE_PIN, startHostkeyFake } from "../fakes/providers/hostkey.ts";
import { startTheHostFake } from "../fakes/providers/thehost.ts";
import type { ProviderFake } from "../fakes/providers/types.ts";

interface Case {
  kind: ProviderKind;
  start(): Promise<ProviderFake>;
  read(d: ProviderDriver): Promise<unknown>;
  /** A mutating call, and the predicate of the request it sends. */
  mutate(d: ProviderDriver): Promise<unknown>;
  isMutation(r: FakeRequest): boolean;
}

const form = (r: FakeRequest) =>
  typeof r.body === "object" && r.body ? (r.body as Record<string, string>) : {};

const CASES: Case[] = [
  {
    kind: "hostens",
    start: () => startHostBillFake({ kind: "hostens" }),
    read: (d) => d.listServices!(),
    mutate: (d) => d.reboot!("302"),
    isMutation: (r) => r.method === "POST" && r.path.endsWith("/reboot"),
  },
  {
    kind: "host4coins",
    start: () => startHost4coinsFake(),
    read: (d) => d.listServices!(),
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
    kind: "hostkey",
    start: () => startHostkeyFake(),
    read: (d) => d.getBalance!(),
    mutate: async (d) => d.reboot!((await d.listServices!())[0]!.id, { pin: HOSTKEY_FAKE_PIN }),
    isMutation: (r) => form(r).action === "reboot",
  },
  {
    kind: "thehost",
    start: () => startTheHostFake(),
    read: (d) => d.listDomains!(),
    mutate: async (d) => d.renewDomain!((await d.listDomains!())[0]!.id, { years: 1 }),
    isMutation: (r) => r.query.get("func") === "domain.renew",
  },
];

const FAULTS: [string, Fault, RegExp][] = [
  [
    "HTTP 500",
    { kind: "status", status: 500, json: { oops: true } },
    /internal error|HTTP 500|may still have been applied|unexpected/i,
  ],
  [
    "HTTP 502 HTML page",
    { kind: "html", status: 502 },
    /HTML|internal error|HTTP 502|may still have been applied/i,
  ],
  [
    "HTTP 503",
    { kind: "status", status: 503, text: "busy" },
    /internal error|HTTP 503|not JSON|may still have been applied/i,
  ],
  ["connection reset", { kind: "reset" }, /Could not reach|may still have been applied/i],
  ["truncated JSON", { kind: "truncated" }, /unexpected|not JSON|may still have been applied/i],
  ["wrong content type", { kind: "wrongContentType" }, /not JSON|unexpected|may still have been applied/i],
  [
    "a 50 MB body",
    { kind: "huge", bytes: 50 * 1024 * 1024 },
    /larger than 10 MB|may still have been applied/i,
  ],
  ["a hang", { kind: "hang" }, /did not answer|may still have been applied/i],
];

for (const c of CASES) {
  describe(`${c.kind} under provider faults`, () => {
    let fake: ProviderFake;
    const secrets: string[] = [];
    const driver = (retries = 2) =>
      createDriver(c.kind, { credentials: fake.credentials, baseUrl: fake.baseUrl, retries, timeoutMs: 300 });
    beforeAll(async () => {
      fake = await c.start();
      secrets.push(...Object.values(fake.credentials));
    });
    afterAll(async () => {
      await fake.close();
    });

    for (const [name, fault, message] of FAULTS) {
      it(`a read facing ${name} fails with a clear message and no secret`, async () => {
        fake.clearFaults();
        fake.fault(fault);
        const err = await c.read(driver(1)).catch((e: unknown) => e);
        fake.clearFaults();
        expect(err).toBeInstanceOf(ProviderError);
        expect((err as ProviderError).message).toMatch(message);
        for (const s of secrets) expect((err as Error).message).not.toContain(s);
      });

      it(`a mutating call facing ${name} is sent once and never retried`, async () => {
        fake.clearFaults();
        const d = driver(3);
        const before = fake.count(c.isMutation);
        fake.fault(fault, { match: c.isMutation });
        const err = await c.mutate(d).catch((e: unknown) => e);
        fake.clearFaults();
        expect(err).toBeInstanceOf(ProviderError);
        expect(fake.count(c.isMutation) - before).toBe(1);
      });
    }

    it("a Retry-After storm is retried a bounded number of times, then reported as rate limiting", async () => {
      fake.clearFaults();
      fake.fault({ kind: "retryAfter", seconds: 0 });
      const before = fake.count();
      const err = await c.read(driver(2)).catch((e: unknown) => e);
      fake.clearFaults();
      expect(err).toBeInstanceOf(ProviderError);
      expect(fake.count() - before).toBeLessThanOrEqual(3 * 3);
    });

    it("a Retry-After beyond the cap is not waited for", async () => {
      fake.clearFaults();
      fake.fault({ kind: "retryAfter", seconds: 3600 });
      const started = fake.count();
      const err = await c.read(driver(2)).catch((e: unknown) => e);
      fake.clearFaults();
      expect(err).toBeInstanceOf(ProviderError);
      expect(fake.count() - started).toBeLessThanOrEqual(2);
    });

    it("recovers on the next call after a fault", async () => {
      fake.clearFaults();
      fake.fault({ kind: "status", status: 502, text: "bad gateway" }, { times: 1 });
      await c.read(driver(0)).catch(() => undefined);
      await expect(c.read(driver(0))).resolves.toBeDefined();
    });
  });
}
