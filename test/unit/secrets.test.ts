import { afterEach, describe, expect, it, vi } from "vitest";
import {
  forgetSecret,
  REDACTED,
  registerSecret,
  replaceSecret,
  scrub,
  secretCount,
} from "../../src/observability/secrets.ts";
import { createDriver } from "../../src/providers/registry.ts";
import { startHostkeyFake } from "../fakes/providers/hostkey.ts";

describe("secret scrubbing", () => {
  it("scrubs a registered value until its last holder forgets it", () => {
    registerSecret("shared-value-1234");
    registerSecret("shared-value-1234");
    forgetSecret("shared-value-1234");
    expect(scrub("x shared-value-1234 y")).toBe(`x ${REDACTED} y`);
    forgetSecret("shared-value-1234");
    expect(scrub("x shared-value-1234 y")).toBe("x shared-value-1234 y");
  });

  it("a replaced secret is forgotten, the new one scrubbed, and the set does not grow", () => {
    const before = secretCount();
    let previous: string | undefined;
    for (let i = 0; i < 100; i++) {
      const next = `session-token-${i}-abcdef`;
      replaceSecret(previous, next);
      previous = next;
    }
    expect(secretCount()).toBe(before + 1);
    expect(scrub("session-token-99-abcdef")).toBe(REDACTED);
    expect(scrub("session-token-98-abcdef")).toBe("session-token-98-abcdef");
    forgetSecret(previous);
  });

  it("still removes the longest secret whole, and URL-encoded forms, after the set changes", () => {
    registerSecret("password");
    registerSecret("login:password");
    expect(scrub("authinfo login:password and password")).toBe(`authinfo ${REDACTED} and ${REDACTED}`);
    registerSecret("p@ss word/1");
    expect(scrub(`q=${encodeURIComponent("p@ss word/1")}`)).toBe(`q=${REDACTED}`);
    for (const s of ["password", "login:password", "p@ss word/1"]) forgetSecret(s);
    expect(scrub("password")).toBe("password");
  });
});

describe("HOSTKEY session tokens", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a driver that logs in again and again keeps at most two of its tokens registered", async () => {
    const fake = await startHostkeyFake();
    try {
      vi.useFakeTimers({ toFake: ["Date"] });
      const d = createDriver("hostkey", { credentials: fake.credentials, baseUrl: fake.baseUrl, retries: 0 });
      await d.getBalance!();
      const start = secretCount();
      const logins = () => fake.count((r) => (r.body as Record<string, string>)?.action === "login");
      const before = logins();
      for (let i = 0; i < 8; i++) {
        vi.setSystemTime(Date.now() + 3 * 24 * 3600_000);
        await d.getBalance!();
      }
      expect(logins() - before).toBe(8);
      expect(secretCount()).toBeLessThanOrEqual(start + 1);
    } finally {
      await fake.close();
    }
  });
});
