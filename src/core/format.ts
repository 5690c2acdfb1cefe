import type { Money } from "../providers/types.ts";

/**
 * One Intl.DateTimeFormat per zone and style, reused: building one costs far more than formatting
 * (it was the top item of a /hosting services CPU profile: one per service shown; bench/).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${withTime ? "t" : "d"}:${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      // hourCycle h23, not hour12: false: the latter shows midnight as "24:05" in en-CA.
      ...(withTime ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

/** Date as YYYY-MM-DD in the configured zone; "—" for none. */
export function formatDate(d: Date | null | undefined, timeZone = "UTC"): string {
  if (!d) return "—";
  return formatter(timeZone, false).format(d);
}

export function formatDateTime(d: Date, timeZone = "UTC"): string {
  const s = formatter(timeZone, true).format(d);
  return `${s.replace(",", "")} ${timeZone === "UTC" ? "UTC" : timeZone}`;
}

/** Whole days from `now` to `d` (negative when past), by calendar day in the zone. */
export function daysUntil(d: Date, now: Date): number {
  const day = 86_400_000;
  return Math.floor(
    (Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - startOfUtcDay(now)) / day,
  );
}

function startOfUtcDay(d: Date): number {
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** "in 3 days", "today", "2 days ago". */
export function relativeDays(d: Date | null, now: Date): string {
  if (!d) return "";
  const n = daysUntil(d, now);
  if (n === 0) return "today";
  if (n === 1) return "tomorrow";
  if (n === -1) return "yesterday";
  return n > 0 ? `in ${n} days` : `${-n} days ago`;
}

/** "2026-12-04 (in 3 days)"; "—" for none. One table cell: a relative date needs no column of its own. */
export function expiryCell(d: Date | null | undefined, timeZone: string, now: Date): string {
  if (!d) return "—";
  return `${formatDate(d, timeZone)} (${relativeDays(d, now)})`;
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
