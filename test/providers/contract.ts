import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/observability/logger.ts";
import type { ProviderFeatures } from "../../src/providers/registry.ts";
import { createDriver } from "../../src/providers/registry.ts";
import type { Money, ProviderDriver, ProviderKind, ServiceStatus } from "../../src/providers/types.ts";
import { PROVIDER_NAMES, ProviderError } from "../../src/providers/types.ts";
import type { FakeRequest } from "../fakes/providers/fake-server.ts";
import type { ProviderFake } from "../fakes/providers/types.ts";

/**
 * The driver contract every provider runs against its fake: normalization, error mapping,
 * retries only for reads, and no credential in any error or log line.
 */
export interface ContractSpec {
  kind: ProviderKind;
  /** Title of the suite when one kind runs it more than once (e.g. with and without domains). */
  title?: string;
  /** The provider name the admin gave the account (kinds that stand for many hosts). */
  displayName?: string;
  /** What detection found for the account (given to the driver as the account store would). */
  features?: ProviderFeatures;
  start(): Promise<ProviderFake>;
  expected: {
    balance?: Money;
    services?: { count: number; first: { id: string; status: ServiceStatus; expiresAt: string | null } };
    /** getService with this id must throw NOT_FOUND. */
    missingServiceId?: string;
    invoices?: { count: number; unpaidOrOverdueIds: string[] };
    domains?: { count: number; first: { name: string; expiresAt: string | null } };
  };
  /** A mutating driver call and a predicate for the request it makes (for "no retry after 500"). */
  mutating?: { run(driver: ProviderDriver): Promise<unknown>; matches(req: FakeRequest): boolean };
}

export function describeDriverContract(spec: ContractSpec): void {
  describe(`${spec.title ?? spec.kind} driver contract`, () => {
    let fake: ProviderFake;
    const lines: string[] = [];
    const log = createLogger({ level: "debug", sink: { write: (l) => lines.push(l) } });
    const make = (over: { credentials?: unknown; timeoutMs?: number; retries?: number } = {}) =>
      createDriver(spec.kind, {
        credentials: over.credentials ?? fake.credentials,
        baseUrl: fake.baseUrl,
        displayName: spec.displayName,
        features: spec.features,
        timeoutMs: over.timeoutMs ?? 2_000,
        retries: over.retries ?? 0,
        log,
      });
    /** The cheapest read the provider has, for the generic fault tests. */
    const read = (d: ProviderDriver) =>
      d.listServices ? d.listServices() : d.listDomains ? d.listDomains() : d.verifyCredentials();

    beforeAll(async () => {
      fake = await spec.start();
    });
    afterAll(async () => {
      await fake.close();
      const all = lines.join("\n");
      for (const secret of [...Object.values(fake.credentials), ...Object.values(fake.wrongCredentials)]) {
        expect(all).not.toContain(secret);
      }
    });
    beforeEach(() => {
      fake.clearFaults();
    });

    it("declares capabilities that match its methods", () => {
      const d = make() as unknown as Record<string, unknown>;
      for (const cap of make().capabilities) expect(typeof d[cap], cap).toBe("function");
    });

    it("verifies good credentials", async () => {
      await expect(make().verifyCredentials()).resolves.toBeUndefined();
    });

    it("rejects wrong credentials with AUTH_FAILED and no secret in the message", async () => {
      const err = await make({ credentials: fake.wrongCredentials })
        .verifyCredentials()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).code).toBe("AUTH_FAILED");
      assertNoSecret(err as ProviderError, fake);
    });

    if (spec.displayName) {
      const name = spec.displayName;
      it("names the provider as the admin did, in every error", async () => {
        const auth = (await make({ credentials: fake.wrongCredentials })
          .verifyCredentials()
          .catch((e: unknown) => e)) as ProviderError;
        fake.fault({ kind: "hang" }, { times: 1 });
        const timeout = (await read(make({ timeoutMs: 150 })).catch((e: unknown) => e)) as ProviderError;
        fake.fault({ kind: "status", status: 500, json: {} }, { times: 1 });
        const upstream = (await read(make()).catch((e: unknown) => e)) as ProviderError;
        for (const err of [auth, timeout, upstream]) {
          expect(err).toBeInstanceOf(ProviderError);
          expect(err.message).toContain(name);
          expect(err.message).not.toContain(PROVIDER_NAMES[spec.kind]);
          expect(err.displayName).toBe(name);
          expect(err.provider).toBe(spec.kind);
        }
      });
    }

    if (spec.expected.balance) {
      const balance = spec.expected.balance;
      it("reads the prepaid balance as a decimal string", async () => {
        expect(await make().getBalance!()).toEqual(balance);
      });
    }

    if (spec.expected.services) {
      const services = spec.expected.services;
      it("lists services with normalized status and expiry", async () => {
        const list = await make().listServices!();
        expect(list).toHaveLength(services.count);
        const first = list.find((s) => s.id === services.first.id);
        expect(first, "first service").toBeDefined();
        expect(first!.status).toBe(services.first.status);
        expect(first!.expiresAt?.toISOString() ?? null).toBe(services.first.expiresAt);
        for (const s of list) {
          expect(typeof s.id).toBe("string");
          expect(JSON.stringify(s.raw)).not.toMatch(/"password"\s*:/i);
        }
      });
    }

    if (spec.expected.missingServiceId) {
      const id = spec.expected.missingServiceId;
      it("answers NOT_FOUND for a service that does not exist", async () => {
        const err = await make().getService!(id).catch((e: unknown) => e);
        expect((err as ProviderError).code).toBe("NOT_FOUND");
      });
    }

    if (spec.expected.invoices) {
      const invoices = spec.expected.invoices;
      it("lists invoices and detects unpaid and overdue ones", async () => {
        const list = await make().listInvoices!();
        expect(list).toHaveLength(invoices.count);
        const open = list.filter((i) => i.status === "unpaid" || i.status === "overdue").map((i) => i.id);
        expect(open.sort()).toEqual([...invoices.unpaidOrOverdueIds].sort());
        for (const i of list) if (i.total) expect(i.total.amount).toMatch(/^-?\d+\.\d+$/);
      });
    }

    if (spec.expected.domains) {
      const domains = spec.expected.domains;
      it("lists domains with expiry", async () => {
        const list = await make().listDomains!();
        expect(list).toHaveLength(domains.count);
        const first = list.find((d) => d.name === domains.first.name);
        expect(first, "first domain").toBeDefined();
        expect(first!.expiresAt?.toISOString() ?? null).toBe(domains.first.expiresAt);
      });
    }

    it("reports an error inside a 200 body", async () => {
      fake.armEnvelopeError();
      const err = await read(make()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      assertNoSecret(err as ProviderError, fake);
    });

    it("turns a timeout into NETWORK", async () => {
      fake.fault({ kind: "hang" }, { times: 1 });
      const err = await read(make({ timeoutMs: 150 })).catch((e: unknown) => e);
      expect((err as ProviderError).code).toBe("NETWORK");
      expect((err as ProviderError).message).toMatch(/did not answer/);
    });

    it("turns a malformed body into UNEXPECTED_RESPONSE", async () => {
      fake.fault({ kind: "truncated" }, { times: 1 });
      const err = await read(make()).catch((e: unknown) => e);
      expect((err as ProviderError).code).toBe("UNEXPECTED_RESPONSE");
    });

    it("turns an HTML error page into a clear error", async () => {
      fake.fault({ kind: "html", status: 502 }, { times: 1 });
      const err = (await read(make()).catch((e: unknown) => e)) as ProviderError;
      expect(err).toBeInstanceOf(ProviderError);
      expect(err.message).not.toMatch(/<html/i);
    });

    it("retries an idempotent read after a 503", async () => {
      fake.fault({ kind: "status", status: 503 }, { times: 1 });
      const before = fake.count();
      await expect(read(make({ retries: 2 }))).resolves.toBeDefined();
      expect(fake.count() - before).toBeGreaterThanOrEqual(2);
    });

    if (spec.mutating) {
      const mutating = spec.mutating;
      it("never retries a mutating call after a 500", async () => {
        fake.fault({ kind: "status", status: 500, json: {} }, { match: mutating.matches });
        const before = fake.count(mutating.matches);
        const err = await mutating.run(make({ retries: 3 })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ProviderError);
        expect(fake.count(mutating.matches) - before).toBe(1);
      });
    }
  });
}

function assertNoSecret(err: ProviderError, fake: ProviderFake): void {
  const text = `${err.message} ${String(err.stack)} ${JSON.stringify(err)}`;
  for (const secret of [...Object.values(fake.credentials), ...Object.values(fake.wrongCredentials)]) {
    expect(text).not.toContain(secret);
  }
}
