import { Temporal } from "temporal-polyfill";

/**
 * The one calendar of hostops. Providers send calendar dates ("2026-01-12": an expiry, a due date),
 * which the drivers read as UTC midnight; those name a day, not an instant, and are never shifted
 * into a zone. "Today" is the day it is in HOSTOPS_TZ. Every day count shown anywhere — command
 * tables, cards, alerts — is the difference between the two, in whole calendar days, so it is the
 * same in every zone and across DST changes.
 */

export type CalendarDay = Temporal.PlainDate;

/** The calendar day a provider date names (its UTC date: drivers read "YYYY-MM-DD" as UTC midnight). */
export function providerDay(d: Date): CalendarDay {
  return Temporal.PlainDate.from({
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
  });
}

/** The calendar day `now` falls on in the zone. */
export function dayIn(now: Date, timeZone: string): CalendarDay {
  return Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(timeZone).toPlainDate();
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDay, to: CalendarDay): number {
  return from.until(to, { largestUnit: "days" }).days;
}

/** Days from today (in the zone) to the day a provider date names: 0 today, 1 tomorrow, -1 yesterday. */
export function daysUntil(d: Date, now: Date, timeZone: string): number {
  return daysBetween(dayIn(now, timeZone), providerDay(d));
}

/** `day` plus `n` days. */
export function addDays(day: CalendarDay, n: number): CalendarDay {
  return day.add({ days: n });
}

/** A day from "YYYY-MM-DD". */
export function parseDay(iso: string): CalendarDay {
  return Temporal.PlainDate.from(iso);
}

/** "today", "tomorrow", "yesterday", "in 3 days", "2 days ago". */
export function relativeDayCount(n: number): string {
  if (n === 0) return "today";
  if (n === 1) return "tomorrow";
  if (n === -1) return "yesterday";
  return n > 0 ? `in ${n} days` : `${-n} days ago`;
}
