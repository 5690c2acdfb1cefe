import { describe, expect, it } from "vitest";
import type { Domain } from "../../providers/types.ts";
import { dayIn } from "../calendar.ts";
import { DAY, day, facts, iso, keys, NOW, run, service } from "./__fixtures__/facts.ts";
import { crossedThreshold } from "./expiry.ts";

/** Expiry rules: thresholds crossed once each, expired items, Renew, days counted in HOSTOPS_TZ. */

describe("expiry thresholds", () => {
  it("crosses each threshold exactly once as the date approaches, then once more when expired", () => {
    const expiresAt = day(20);
    const seen: string[] = [];
    const changedAt: number[] = [];
    for (let left = 20; left >= -3; left--) {
      const now = new Date(expiresAt.getTime() - left * DAY + 9 * 3_600_000);
      const alerts = run(facts({ services: [service({ expiresAt })] }), now);
      const key = alerts[0]?.key;
      if (key && !seen.includes(key)) {
        seen.push(key);
        changedAt.push(left);
      }
    }
    const date = iso(expiresAt);
    expect(seen).toEqual([
      `expiry:service:302:${date}:d14`,
      `expiry:service:302:${date}:d7`,
      `expiry:service:302:${date}:d3`,
      `expiry:service:302:${date}:d1`,
      `expiry:service:302:${date}:expired`,
    ]);
    expect(changedAt).toEqual([14, 7, 3, 1, -1]);
  });

  it("alerts only the tightest threshold when first seen late (no burst of 14, 7 and 3)", () => {
    const alerts = run(facts({ services: [service({ expiresAt: day(2) })] }));
    expect(keys(alerts)).toEqual([`expiry:service:302:${iso(day(2))}:d3`]);
    expect(alerts[0]!.title).toContain("expires in 2 days");
  });

  it("nothing before the largest threshold", () => {
    expect(run(facts({ services: [service({ expiresAt: day(15) })] }))).toEqual([]);
    expect(keys(run(facts({ services: [service({ expiresAt: day(14) })] })))).toHaveLength(1);
  });

  it("today and tomorrow are critical; further out is a warning", () => {
    const sev = (n: number) => run(facts({ services: [service({ expiresAt: day(n) })] }))[0]!.severity;
    expect(sev(0)).toBe("critical");
    expect(sev(1)).toBe("critical");
    expect(sev(2)).toBe("warning");
    expect(run(facts({ services: [service({ expiresAt: day(0) })] }))[0]!.title).toContain("expires today");
  });

  it("an expired item is critical, alerts once, and is left alone after the look-back", () => {
    const a = run(facts({ services: [service({ expiresAt: day(-12), status: "suspended" })] }));
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ kind: "expired", severity: "critical" });
    expect(a[0]!.key).toBe(`expiry:service:302:${iso(day(-12))}:expired`);
    expect(a[0]!.title).toContain("expired 12 days ago");
    expect(run(facts({ services: [service({ expiresAt: day(-31) })] }))).toEqual([]);
  });

  it("a renewal (new date) gives a different key, so the next crossing alerts again", () => {
    const before = keys(run(facts({ services: [service({ expiresAt: day(3) })] })));
    const renewed = run(facts({ services: [service({ expiresAt: day(33) })] }));
    expect(renewed).toEqual([]);
    // Thirty days later the renewed date crosses 3 days again: a new key.
    const later = keys(
      run(facts({ services: [service({ expiresAt: day(33) })] }), new Date(NOW.getTime() + 30 * DAY)),
    );
    expect(later).toEqual([`expiry:service:302:${iso(day(33))}:d3`]);
    expect(later[0]).not.toBe(before[0]);
  });

  it("domains alert like services; cancelled services and transferred domains do not", () => {
    const d: Domain = {
      id: "48",
      name: "example-shop.com",
      expiresAt: day(6),
      status: "active",
      autorenew: false,
      raw: {},
    };
    const a = run(
      facts({
        services: [service({ status: "cancelled", expiresAt: day(1) })],
        domains: [d, { ...d, id: "49", name: "gone.net", status: "transferred away" }],
      }),
    );
    expect(keys(a)).toEqual([`expiry:domain:48:${iso(day(6))}:d7`]);
    expect(a[0]!.renew).toEqual({
      action: "domain-renew",
      params: { domainId: "48", domainName: "example-shop.com" },
    });
  });

  it("offers Renew only when the driver can renew, and says where to renew otherwise", () => {
    const can = run(
      facts({
        services: [service({ expiresAt: day(3), renewalPrice: { amount: "4.99", currency: "EUR" } })],
      }),
    );
    expect(can[0]!.renew).toEqual({
      action: "renew",
      params: { serviceId: "302", serviceName: "vps1.example.com" },
      cost: "4.99 EUR",
    });
    const cannot = run(facts({ canRenewService: false, services: [service({ expiresAt: day(3) })] }));
    expect(cannot[0]!.renew).toBeUndefined();
    expect(cannot[0]!.advice).toContain("Renew it in the Time4VPS client area");
    expect(cannot[0]!.advice).not.toMatch(/https?:/);
  });

  it("uses the configured thresholds, and none means no expiry alerts", () => {
    expect(
      keys(run(facts({ services: [service({ expiresAt: day(25) })] }), NOW, { expiryDays: [30, 10] })),
    ).toEqual([`expiry:service:302:${iso(day(25))}:d30`]);
    expect(run(facts({ services: [service({ expiresAt: day(1) })] }), NOW, { expiryDays: [] })).toEqual([]);
  });

  it("counts days from today in HOSTOPS_TZ", () => {
    // 23:30 UTC on the 10th is already the 11th in Tokyo: a service due on the 12th is due tomorrow there.
    const late = new Date("2026-03-10T23:30:00Z");
    const due = new Date("2026-03-12T00:00:00Z");
    expect(run(facts({ services: [service({ expiresAt: due })] }), late, {}, "UTC")[0]!.title).toContain(
      "in 2 days",
    );
    expect(
      run(facts({ services: [service({ expiresAt: due })] }), late, {}, "Asia/Tokyo")[0]!.title,
    ).toContain("tomorrow");
    expect(dayIn(late, "Asia/Tokyo").toString()).toBe("2026-03-11");
  });

  it("crossedThreshold picks the tightest crossed threshold", () => {
    expect(crossedThreshold(15, [14, 7, 3, 1])).toBeUndefined();
    expect(crossedThreshold(14, [14, 7, 3, 1])).toBe(14);
    expect(crossedThreshold(4, [14, 7, 3, 1])).toBe(7);
    expect(crossedThreshold(0, [14, 7, 3, 1])).toBe(1);
    expect(crossedThreshold(0, [14, 7, 3, 1, 0])).toBe(0);
  });
});
