import type { AlertSettings } from "../../db/schema.ts";
import { dayIn } from "../calendar.ts";
import { zoneFormatter } from "../format.ts";
import type { AlertSeverity } from "./model.ts";

/**
 * Times of day in HOSTOPS_TZ: the quiet hours of a binding, and the "2026-01-10 23:05 UTC" that
 * alerts print. Days (expiry counts) are calendar.ts's; this file is about the clock on the wall.
 */

const timeFormatter = (timeZone: string) =>
  zoneFormatter("en-GB", timeZone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** Minutes since local midnight in the zone. */
export function localMinutes(now: Date, timeZone: string): number {
  const parts = timeFormatter(timeZone).formatToParts(now);
  const h = Number(parts.find((p) => p.type === "hour")?.value ?? 0);
  const m = Number(parts.find((p) => p.type === "minute")?.value ?? 0);
  return (h % 24) * 60 + m;
}

/** "2026-01-10 23:05 UTC" */
export function formatTime(d: Date, timeZone: string): string {
  return `${dayIn(d, timeZone).toString()} ${timeFormatter(timeZone).format(d)} ${timeZone}`;
}

/** "HH:MM" -> minutes, or undefined. */
export function parseHhMm(s: string | null | undefined): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s?.trim() ?? "");
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** Whether `now` falls in the quiet hours [start, end) in the zone; a window may wrap midnight. */
export function inQuietHours(now: Date, timeZone: string, settings: AlertSettings): boolean {
  const start = parseHhMm(settings.quietStart);
  const end = parseHhMm(settings.quietEnd);
  if (start === undefined || end === undefined || start === end) return false;
  const m = localMinutes(now, timeZone);
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** Whether an alert of this severity waits for the quiet hours to end. */
export function heldByQuietHours(
  severity: AlertSeverity,
  now: Date,
  timeZone: string,
  settings: AlertSettings,
): boolean {
  if (!inQuietHours(now, timeZone, settings)) return false;
  return !(severity === "critical" && settings.criticalOverridesQuiet);
}
