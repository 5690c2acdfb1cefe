import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createDriver, providers } from "../../src/providers/registry.ts";
import { type Capability, PROVIDER_NAMES, type ProviderKind } from "../../src/providers/types.ts";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** README column -> the driver capabilities it stands for. */
const COLUMNS: Record<string, Capability[]> = {
  services: ["listServices"],
  balance: ["getBalance"],
  invoices: ["listInvoices"],
  domains: ["listDomains"],
  reboot: ["reboot"],
  "power on/off": ["powerOn", "powerOff"],
  reinstall: ["reinstall"],
  "renew service": ["renewService"],
  autorenew: ["setAutorenew"],
  cancel: ["cancelService"],
  "domain renew": ["renewDomain"],
  nameservers: ["setNameservers"],
};

function driverOf(kind: ProviderKind, features?: Record<string, boolean>) {
  // A field with choices (HOSTKEY's PIN setting) takes one of them.
  const credentials = Object.fromEntries(
    providers[kind].credentialFields.map((f) => [f.key, f.options?.[0]?.value ?? "x"]),
  );
  return createDriver(kind, { credentials, baseUrl: "http://127.0.0.1:9/api", features });
}

/**
 * The README's provider matrix says what each driver does: ✓, blank, or "detected" (asked of the
 * API). The README is read as a table (a text check by nature: the documentation is the subject);
 * each cell is compared with what the driver itself reports.
 */
describe("README provider matrix", () => {
  const start = readme.indexOf("## Providers\n");
  const lines = readme
    .slice(start, readme.indexOf("\n## ", start + 1))
    .split("\n")
    .filter((l) => l.startsWith("|"));
  const header = lines[0]!.split("|").map((c) => c.trim());
  const rows = lines.slice(2).map((l) => l.split("|").map((c) => c.trim()));

  it("has one row per provider kind", () => {
    const kinds = rows.map((r) => /\(`(\w+)`\)$/.exec(r[1] ?? "")?.[1]);
    expect(kinds.sort()).toEqual(Object.keys(providers).sort());
    for (const r of rows) {
      const kind = /\(`(\w+)`\)$/.exec(r[1]!)![1] as ProviderKind;
      expect(r[1]).toBe(`${PROVIDER_NAMES[kind]} (\`${kind}\`)`);
    }
  });

  it("matches every driver's capabilities", () => {
    for (const r of rows) {
      const kind = /\(`(\w+)`\)$/.exec(r[1]!)![1] as ProviderKind;
      const full = driverOf(kind, { domains: true }).capabilities;
      const bare = driverOf(kind, { domains: false }).capabilities;
      for (const [column, caps] of Object.entries(COLUMNS)) {
        const cell = r[header.indexOf(column)];
        const has = caps.every((c) => full.has(c));
        const always = caps.every((c) => bare.has(c));
        const expected = always ? "✓" : has ? "detected" : "";
        expect(cell, `${kind} ${column}`).toBe(expected);
      }
    }
  });
});
