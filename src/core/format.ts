import { LRUCache } from "lru-cache";
import type { Money } from "../providers/types.ts";
import { daysUntil, providerDay, relativeDayCount } from "./calendar.ts";

/**
 * One Intl.DateTimeFormat per zone and style, reused: building one costs far more than formatting
 * (it was the top item of a /hosting services CPU profile: one per service shown; bench/). Keys are
 * valid zones only (an unknown zone throws before it is stored), bounded all the same.
 */
const formatters = new LRUCache<string, Intl.DateTimeFormat>({ max: 1_000 });

/** The formatter of `locale` and `options` in `timeZone`, made once. */
export function zoneFormatter(
  locale: string,
  timeZone: string,
  options: Omit<Intl.DateTimeFormatOptions, "timeZone">,
): Intl.DateTimeFormat {
  const key = `${locale}:${timeZone}:${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formatters.set(key, f);
  }
  return f;
}

function formatter(timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  return zoneFormatter("en-CA", timeZone, {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    // hourCycle h23, not hour12: false: the latter shows midnight as "24:05" in en-CA.
    ...(withTime ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } : {}),
  });
}

/** An instant (a creation time, not a provider date) as YYYY-MM-DD in the zone; "—" for none. */
export function formatDate(d: Date | null | undefined, timeZone = "UTC"): string {
  if (!d) return "—";
  return formatter(timeZone, false).format(d);
}

export function formatDateTime(d: Date, timeZone = "UTC"): string {
  const s = formatter(timeZone, true).format(d);
  return `${s.replace(",", "")} ${timeZone === "UTC" ? "UTC" : timeZone}`;
}

/**
 * A provider's calendar date (an expiry, a due date) as YYYY-MM-DD: the day it names, never shifted
 * into a zone (see calendar.ts); "—" for none.
 */
export function formatDay(d: Date | null | undefined): string {
  return d ? providerDay(d).toString() : "—";
}

/** "in 3 days", "today", "2 days ago": from today in the zone to the day a provider date names. */
export function relativeDays(d: Date | null, now: Date, timeZone: string): string {
  return d ? relativeDayCount(daysUntil(d, now, timeZone)) : "";
}

/**
 * A provider date with how far it is: "2026-12-04 (in 3 days)"; "—" for none. One table cell:
 * a relative date needs no column of its own.
 */
export function expiryCell(d: Date | null | undefined, timeZone: string, now: Date): string {
  if (!d) return "—";
  return `${formatDay(d)} (${relativeDays(d, now, timeZone)})`;
}

export function formatMoney(m: Money | null | undefined): string {
  if (!m) return "—";
  return `${m.amount} ${m.currency}`;
}

/**
 * Text a user or a provider supplied, made safe to put in any message: no control characters,
 * bounded length. Platform escaping (Slack's &lt;, Discord markdown) is the adapter's job.
 */
export function plain(text: string, max = 200): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const cleaned = text.replace(/[\u0000-\u001f\u007f]/g, " ");
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}
