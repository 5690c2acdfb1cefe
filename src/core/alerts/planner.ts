import type { AlertSettings } from "../../db/schema.ts";
import type { Text } from "../rich.ts";
import { formatTime, heldByQuietHours, inQuietHours } from "./hours.ts";
import { type AccountFacts, type Alert, FAMILY } from "./model.ts";
import { evaluateAlerts, evaluatedFamilies, outageAlert } from "./rules.ts";

/**
 * The planner: what one scan does for one binding, decided without I/O. In: the account's facts
 * (and why it could not be checked, if so), the binding's settings and snooze, the delivery rows
 * the binding already has, and the time. Out: the alerts that hold, and for each what happens —
 * claimed as new (posted now or held), re-claimed from a held, snoozed or interrupted row (with
 * the note saying why it comes now), or left alone as posted before — plus the rows to reset
 * (keys that no longer hold, in families whose inputs were all fetched). The store (store.ts)
 * carries the plan out with conditional statements; the scan (scan.ts) posts what was claimed.
 */

/** A claim older than this whose post never completed is retried (with a "may repeat" note). */
export const STALE_CLAIM_MS = 15 * 60_000;

/** One alert_deliveries row, as the planner reads it (the store reads the payload into these fields). */
export interface Delivery {
  id: string;
  key: string;
  status: "pending" | "sent" | "deferred";
  snoozedUntil: Date | null;
  createdAt: Date;
  /** The alert's subject ("service:302", "outage"): what a snooze holds. */
  subject?: string;
  /** When a scan claimed it (ISO), while pending. */
  claimedAt?: string;
  /** Why it was stored deferred: "quiet", "snooze" or "retry" (a failed post). */
  held?: string;
}

export interface PlanInput {
  facts: AccountFacts;
  /** Set when a call for the account failed: the outage notice's reason. */
  failure?: Text;
  settings: AlertSettings;
  /** The binding's "snooze all" (channel_bindings.snoozed_until). */
  snoozedUntil: Date | null;
  deliveries: readonly Delivery[];
  now: Date;
  /** HOSTOPS_TZ */
  timeZone: string;
  /** A person asked now (`alerts run`): quiet hours hold nothing back; snoozes still do. */
  ignoreQuietHours?: boolean;
}

export type Hold = "snooze" | "quiet";

export interface FreshAlert {
  alert: Alert;
  /** null: posted now; otherwise stored deferred for this reason. */
  hold: Hold | null;
  /** A new crossing of a snoozed item waits for the same snooze. */
  snoozedUntil: Date | null;
}

export interface Reclaim {
  delivery: Delivery;
  alert: Alert;
  /** Why it comes now ("Found at … during the quiet hours", "Reminder: …"). */
  note?: string;
}

export interface PlannedAlert {
  key: string;
  kind: Alert["kind"];
  severity: Alert["severity"];
  title: string;
  /** post: would be posted now; defer: held (quiet hours or snooze); already: posted before. */
  action: "post" | "defer" | "already";
}

export interface BindingPlan {
  /** Every alert that holds, outage notice first. */
  alerts: Alert[];
  /** Alerts with no row yet: to claim (INSERT … ON CONFLICT DO NOTHING). */
  fresh: FreshAlert[];
  /** Rows that may go now: to claim again (a conditional UPDATE). */
  reclaim: Reclaim[];
  /** Rows whose key no longer holds: to delete (the next crossing alerts again). */
  resets: Delivery[];
  /** Alerts that hold and were posted before, or are being posted by another scan right now. */
  deduplicated: number;
  /** Rows that stay held (quiet hours or a snooze). */
  deferred: number;
  /** Every alert and what happens to it (dry runs show this). */
  planned: PlannedAlert[];
  /** Pending claims made before this instant (ISO) are stale. */
  staleBefore: string;
}

export function planBinding(input: PlanInput): BindingPlan {
  const { facts, settings, now, timeZone: tz, deliveries } = input;
  const byKey = new Map(deliveries.map((d) => [d.key, d]));
  const alerts = evaluateAlerts(facts, { now, timeZone: tz, settings });
  if (input.failure !== undefined) {
    const since = byKey.get(`${FAMILY.outage}${facts.account.id}`)?.createdAt ?? now;
    alerts.unshift(outageAlert(facts.account, input.failure, since, tz));
  }
  const families = evaluatedFamilies(facts);
  // Invoice alerts turned off: their keys no longer hold either.
  if (!settings.unpaidInvoices) families.push(FAMILY.invoice);

  const ignoreQuiet = Boolean(input.ignoreQuietHours);
  const quiet = !ignoreQuiet && inQuietHours(now, tz, settings);
  const bindingSnoozed = input.snoozedUntil !== null && input.snoozedUntil > now;
  const subjectSnooze = new Map<string, Date>();
  for (const d of deliveries) {
    if (d.subject === undefined || !d.snoozedUntil || d.snoozedUntil <= now) continue;
    const prev = subjectSnooze.get(d.subject);
    if (!prev || prev < d.snoozedUntil) subjectSnooze.set(d.subject, d.snoozedUntil);
  }
  const holdOf = (a: Alert): Hold | null =>
    bindingSnoozed || subjectSnooze.has(a.subject)
      ? "snooze"
      : !ignoreQuiet && heldByQuietHours(a.severity, now, tz, settings)
        ? "quiet"
        : null;
  const staleBefore = new Date(now.getTime() - STALE_CLAIM_MS).toISOString();
  const isStale = (d: Delivery) =>
    d.status === "pending" && d.claimedAt !== undefined && d.claimedAt < staleBefore;

  const plan: BindingPlan = {
    alerts,
    fresh: [],
    reclaim: [],
    resets: [],
    deduplicated: 0,
    deferred: 0,
    planned: [],
    staleBefore,
  };
  const say = (a: Alert, action: PlannedAlert["action"]) =>
    plan.planned.push({ key: a.key, kind: a.kind, severity: a.severity, title: a.title, action });

  for (const alert of alerts) {
    const row = byKey.get(alert.key);
    const hold = holdOf(alert);
    if (!row) {
      const snoozedUntil = hold === "snooze" ? (subjectSnooze.get(alert.subject) ?? null) : null;
      plan.fresh.push({ alert, hold, snoozedUntil });
      say(alert, hold ? "defer" : "post");
      continue;
    }
    const ownSnooze = row.snoozedUntil !== null && row.snoozedUntil > now;
    if (row.status === "sent") {
      if (row.snoozedUntil && !ownSnooze && !hold) {
        const until = formatTime(row.snoozedUntil, tz);
        const note = `Reminder: this was snoozed until ${until} and still holds.`;
        plan.reclaim.push({ delivery: row, alert, note });
        say(alert, "post");
      } else {
        plan.deduplicated++;
        say(alert, row.snoozedUntil ? "defer" : "already");
      }
    } else if (row.status === "deferred") {
      if (!hold && !ownSnooze) {
        plan.reclaim.push({ delivery: row, alert, note: heldNote(row, tz) });
        say(alert, "post");
      } else {
        plan.deferred++;
        say(alert, "defer");
      }
    } else if (isStale(row) && !hold) {
      const note = "An earlier delivery of this alert was interrupted, so this may repeat it.";
      plan.reclaim.push({ delivery: row, alert, note });
      say(alert, "post");
    } else {
      // Claimed by a scan that is posting it right now (this or another replica).
      plan.deduplicated++;
      say(alert, "already");
    }
  }

  const current = new Set(alerts.map((a) => a.key));
  // "Answers again" waits with the outage row until it can be said (not in quiet hours or a snooze).
  const heldRecovery = quiet || bindingSnoozed || subjectSnooze.has("outage");
  plan.resets = deliveries.filter((d) => {
    if (current.has(d.key)) return false;
    if (!families.some((f) => d.key.startsWith(f))) return false;
    if (d.status === "pending" && !isStale(d)) return false;
    if (d.key.startsWith(FAMILY.outage) && d.status === "sent" && heldRecovery) return false;
    return true;
  });
  return plan;
}

/** Why a held row comes now. */
function heldNote(d: Delivery, tz: string): string | undefined {
  const at = formatTime(d.createdAt, tz);
  if (d.held === "quiet") return `Found at ${at}, during the quiet hours.`;
  if (d.held === "snooze") return `Found at ${at}, while alerts were snoozed.`;
  if (d.held === "retry") return "Posting this failed earlier; this is the retry.";
  return undefined;
}
