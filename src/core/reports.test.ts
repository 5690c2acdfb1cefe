import { describe, expect, it } from "vitest";
import type { ReportSchedule } from "../db/schema.ts";
import { reportPeriod } from "./reports.ts";

const weekly = (over: Partial<ReportSchedule> = {}): ReportSchedule => ({
  every: "weekly",
  day: 1,
  time: "09:00",
  timeZone: "UTC",
  since: "2026-01-01T00:00:00Z",
  ...over,
});

describe("report periods", () => {
  it("is due from the weekday and time of the current ISO week, once per week", () => {
    // 2026-12-07 is a Monday (ISO week 50).
    const before = reportPeriod(weekly(), new Date("2026-12-07T08:59:00Z"));
    expect(before).toMatchObject({ key: "report:weekly:2026-W50", due: false });
    const at = reportPeriod(weekly(), new Date("2026-12-07T09:00:00Z"));
    expect(at).toMatchObject({ key: "report:weekly:2026-W50", due: true });
    expect(at.at.toISOString()).toBe("2026-12-07T09:00:00.000Z");
    // Later in the same week: still the same period (a missed minute is caught up, not repeated).
    expect(reportPeriod(weekly(), new Date("2026-12-12T23:00:00Z")).key).toBe("report:weekly:2026-W50");
    expect(reportPeriod(weekly(), new Date("2026-12-14T09:00:00Z")).key).toBe("report:weekly:2026-W51");
  });

  it("reads the day and time in the schedule's zone", () => {
    // Monday 09:00 in Los Angeles is 17:00 UTC.
    const la = weekly({ timeZone: "America/Los_Angeles" });
    expect(reportPeriod(la, new Date("2026-12-07T16:59:00Z")).due).toBe(false);
    expect(reportPeriod(la, new Date("2026-12-07T17:00:00Z")).due).toBe(true);
    // Sunday 23:00 UTC is already Monday 12:00 in Kiritimati: the new week there.
    const ki = weekly({ timeZone: "Pacific/Kiritimati" });
    expect(reportPeriod(ki, new Date("2026-12-13T23:00:00Z"))).toMatchObject({
      key: "report:weekly:2026-W51",
      due: true,
    });
  });

  it("posts monthly on the day, or the last day of a shorter month", () => {
    const m = weekly({ every: "monthly", day: 31 });
    const feb = reportPeriod(m, new Date("2027-02-28T10:00:00Z"));
    expect(feb).toMatchObject({ key: "report:monthly:2027-02", due: true });
    expect(feb.at.toISOString()).toBe("2027-02-28T09:00:00.000Z");
    expect(reportPeriod(m, new Date("2027-03-30T10:00:00Z")).due).toBe(false);
  });

  it("does not post a period whose time had passed when the schedule was set", () => {
    const s = weekly({ since: "2026-12-07T12:00:00Z" });
    expect(reportPeriod(s, new Date("2026-12-08T09:00:00Z")).due).toBe(false);
    expect(reportPeriod(s, new Date("2026-12-14T09:00:00Z")).due).toBe(true);
  });
});
