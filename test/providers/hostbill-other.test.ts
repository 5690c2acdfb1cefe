import { afterEach, describe, expect, it } from "vitest";
import { hostbill } from "../../src/providers/hostbill/index.ts";
import { createDriver, detectFeatures } from "../../src/providers/registry.ts";
import { PROVIDER_NAMES, ProviderError, providerName } from "../../src/providers/types.ts";
import { fakeDay, type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { describeDriverContract } from "./contract.ts";

/**
 * "HostBill (other host)": any host whose client area runs HostBill, at the base URL and under
 * the name the admin gives. The driver contract runs for a host that sells domains and for one
 * that does not, with the domain capabilities detected from the API.
 */
const now = new Date();
const midnight = (offset: number) => `${fakeDay(now, offset)}T00:00:00.000Z`;
const NAME = "Acme Hosting";

for (const domains of [true, false]) {
  describeDriverContract({
    kind: "hostbill",
    title: `hostbill (${NAME}, ${domains ? "with" : "without"} domains)`,
    displayName: NAME,
    features: { domains },
    start: () => startHostBillFake({ kind: "hostbill", domains, now }),
    expected: {
      balance: { amount: "25.50", currency: "GBP" },
      services: { count: 4, first: { id: "302", status: "active", expiresAt: midnight(3) } },
      missingServiceId: "999",
      invoices: { count: 4, unpaidOrOverdueIds: ["308977", "308978"] },
      ...(domains ? { domains: { count: 3, first: { name: "testname.com", expiresAt: midnight(20) } } } : {}),
    },
    mutating: {
      run: (d) => d.reboot!("302"),
      matches: (r) => r.method === "POST" && r.path === "/api/server/302/reboot",
    },
  });
}

describe("hostbill (other host) registry entry", () => {
  let fake: HostBillFake | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it("has no default base URL and is named by the admin", () => {
    expect(hostbill.defaultBaseUrl).toBeNull();
    expect(hostbill.customName).toBe(true);
    expect(hostbill.credentialFields.map((f) => f.key)).toEqual(["username", "password"]);
    expect(providerName({ kind: "hostbill", displayName: NAME })).toBe(NAME);
    expect(providerName({ kind: "hostbill", displayName: null })).toBe(PROVIDER_NAMES.hostbill);
    expect(providerName({ kind: "hostens", displayName: null })).toBe("Hostens");
  });

  it("refuses to build a driver without a base URL", () => {
    let err: unknown;
    try {
      createDriver("hostbill", { credentials: { username: "a@example.com", password: "x" } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe("VALIDATION");
    expect((err as ProviderError).message).toMatch(/base URL/);
  });

  it("detects the domain routes where the host has them", async () => {
    fake = await startHostBillFake({ kind: "hostbill", domains: true });
    const found = await detectFeatures("hostbill", {
      credentials: fake.credentials,
      baseUrl: fake.baseUrl,
      displayName: NAME,
      retries: 0,
    });
    expect(found).toEqual({ domains: true });
    expect(fake.count((r) => r.method === "GET" && r.path === "/api/domain")).toBe(1);
    const d = createDriver("hostbill", {
      credentials: fake.credentials,
      baseUrl: fake.baseUrl,
      features: found,
    });
    expect(d.capabilities.has("listDomains")).toBe(true);
    expect(typeof d.listDomains).toBe("function");
  });

  it("detects no domains where the route answers 404, and the driver then has no domain methods", async () => {
    fake = await startHostBillFake({ kind: "hostbill", domains: false });
    const found = await detectFeatures("hostbill", {
      credentials: fake.credentials,
      baseUrl: fake.baseUrl,
      retries: 0,
    });
    expect(found).toEqual({ domains: false });
    const d = createDriver("hostbill", {
      credentials: fake.credentials,
      baseUrl: fake.baseUrl,
      features: found,
    });
    for (const cap of ["listDomains", "renewDomain", "setNameservers"] as const) {
      expect(d.capabilities.has(cap)).toBe(false);
      expect(d[cap]).toBeUndefined();
    }
    // Everything else the HostBill driver does is there.
    for (const cap of [
      "getBalance",
      "listServices",
      "listInvoices",
      "reboot",
      "reinstall",
      "cancelService",
    ] as const)
      expect(d.capabilities.has(cap)).toBe(true);
  });

  it("does not guess when the host fails: detection is an error, named as the admin named the host", async () => {
    fake = await startHostBillFake({ kind: "hostbill" });
    fake.fault({ kind: "status", status: 503, json: {} }, { match: (r) => r.path === "/api/domain" });
    const err = await detectFeatures("hostbill", {
      credentials: fake.credentials,
      baseUrl: fake.baseUrl,
      displayName: NAME,
      retries: 0,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe("UPSTREAM");
    expect((err as ProviderError).message).toContain(NAME);
  });

  it("names the host in action summaries and in the driver's own errors too", async () => {
    fake = await startHostBillFake({ kind: "hostbill" });
    const d = createDriver("hostbill", {
      credentials: fake.credentials,
      baseUrl: fake.baseUrl,
      displayName: NAME,
      retries: 0,
    });
    const r = await d.cancelService!("302", { immediate: false, reason: "no longer needed" });
    expect(r.summary).toContain(`Cancellation of ${NAME} service`);
    expect(r.summary).not.toContain(PROVIDER_NAMES.hostbill);
    const err = (await d.getService!("abc").catch((e: unknown) => e)) as ProviderError;
    expect(err.code).toBe("VALIDATION");
    expect(err.message).toContain(`not a ${NAME} service id`);
  });
});
