import { describe, expect, it } from "vitest";
import type { Service } from "../providers/types.ts";
import { DEFAULT_ALERT_SETTINGS } from "./accounts.ts";
import { evaluateAlerts } from "./alerts/rules.ts";
import {
  addDays,
  dayIn,
  daysBetween,
  daysUntil,
  parseDay,
  providerDay,
  relativeDayCount,
} from "./calendar.ts";
import { formatDay, relativeDays } from "./format.ts";

/** A provider date as the drivers read it: "YYYY-MM-DD" at UTC midnight. */
const providerDate = (iso: string) => new Date(`${iso}T00:00:00Z`);

const ZONES = ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"] as const;

describe("one calendar: provider dates are days, today is the day in HOSTOPS_TZ", () => {
  it("reads a provider date as the day it names, whatever the zone", () => {
    expect(providerDay(providerDate("2026-01-12")).toString()).toBe("2026-01-12");
    expect(formatDay(providerDate("2026-01-12"))).toBe("2026-01-12");
    expect(formatDay(null)).toBe("—");
  });

  it.each([
    // 2026-01-10 06:00 UTC is still the 9th in Los Angeles (UTC-8) and already the 10th in Kiritimati (UTC+14).
    ["UTC", "2026-01-10T06:00:00Z", "2026-01-10", 2],
    ["America/Los_Angeles", "2026-01-10T06:00:00Z", "2026-01-09", 3],
    ["Pacific/Kiritimati", "2026-01-10T06:00:00Z", "2026-01-10", 2],
    // 2026-01-10 11:00 UTC is the 11th in Kiritimati.
    ["Pacific/Kiritimati", "2026-01-10T11:00:00Z", "2026-01-11", 1],
  ])("in %s at %s today is %s and 2026-01-12 is %i days away", (zone, now, today, days) => {
    const at = new Date(now);
    expect(dayIn(at, zone).toString()).toBe(today);
    expect(daysUntil(providerDate("2026-01-12"), at, zone)).toBe(days);
  });

  it("counts whole days across DST changes (spring forward and fall back)", () => {
    // Los Angeles: 2026-03-08 loses an hour, 2026-11-01 gains one.
    expect(daysBetween(parseDay("2026-03-07"), parseDay("2026-03-09"))).toBe(2);
    expect(daysBetween(parseDay("2026-10-31"), parseDay("2026-11-02"))).toBe(2);
    // 23:30 local on the day before spring forward, and 00:30 local on the day after fall back.
    expect(
      daysUntil(providerDate("2026-03-09"), new Date("2026-03-08T07:30:00Z"), "America/Los_Angeles"),
    ).toBe(2);
    expect(
      daysUntil(providerDate("2026-11-03"), new Date("2026-11-02T08:30:00Z"), "America/Los_Angeles"),
    ).toBe(1);
    expect(addDays(parseDay("2026-03-07"), 2).toString()).toBe("2026-03-09");
  });

  it("words day counts", () => {
    expect([0, 1, -1, 5, -3].map(relativeDayCount)).toEqual([
      "today",
      "tomorrow",
      "yesterday",
      "in 5 days",
      "3 days ago",
    ]);
  });

  it.each(ZONES)("commands and alerts agree on the date and the day count in %s", (zone) => {
    const expiresAt = providerDate("2026-01-12");
    for (const now of ["2026-01-09T07:00:00Z", "2026-01-09T20:00:00Z", "2026-01-10T11:30:00Z"].map(
      (s) => new Date(s),
    )) {
      const service: Service = {
        id: "302",
        label: "vps1",
        product: "VPS",
        status: "active",
        expiresAt,
        autorenew: null,
        raw: {},
      };
      const [alert] = evaluateAlerts(
        {
          account: { id: "a", label: "prod", kind: "time4vps" },
          services: [service],
          domains: [],
          invoices: [],
          canRenewService: true,
          canRenewDomain: true,
        },
        { now, timeZone: zone, settings: { ...DEFAULT_ALERT_SETTINGS, expiryDays: [14, 7, 3, 1] } },
      );
      const shown = `${formatDay(expiresAt)} ${relativeDays(expiresAt, now, zone)}`;
      expect(shown.startsWith("2026-01-12 ")).toBe(true);
      expect(alert?.title).toContain(`${relativeDays(expiresAt, now, zone)} (2026-01-12)`);
    }
  });
});
