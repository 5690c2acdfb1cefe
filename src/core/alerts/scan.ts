import { and, eq, inArray, or, sql } from "drizzle-orm";
import pLimit, { type LimitFunction } from "p-limit";
import { alertDeliveries, type MessageRef, type Platform } from "../../db/schema.ts";
import { alertsPosted } from "../../observability/metrics.ts";
import { scrub } from "../../observability/secrets.ts";
import { type ProviderKind, providerName } from "../../providers/types.ts";
import type { Account, Binding } from "../accounts.ts";
import type { Core } from "../context.ts";
import { type Fetched, fetchFacts } from "./facts.ts";
import { type DigestItem, renderDigest } from "./render.ts";
import {
  type Alert,
  evaluateAlerts,
  evaluatedFamilies,
  FAMILY,
  formatTime,
  heldByQuietHours,
  inQuietHours,
  outageAlert,
} from "./rules.ts";

/**
 * The alert scan: fetch every account once (concurrently, limited per provider kind) -> rules ->
 * dedup against alert_deliveries -> one digest per binding -> post -> mark sent.
 *
 * Exactly-once delivery across replicas rests on the unique (binding_id, alert_key): a row is
 * claimed first (INSERT … ON CONFLICT DO NOTHING RETURNING, or a conditional UPDATE of a
 * deferred/snoozed row), then posted, then marked sent. Only the replica whose claim returned
 * the row posts it. A crash between claim and post leaves a `pending` row: after
 * {@link STALE_CLAIM_MS} the next scan posts it again with a note that it may be a repeat,
 * rather than silently dropping it or re-posting it blindly.
 */

export interface ScanOptions {
  /** Only these bindings (e.g. the channel's, for `/hosting alerts run`). */
  bindingIds?: string[];
  /** Compute what would be posted; write and post nothing. */
  dryRun?: boolean;
  /** Manual runs: a person asked now, so quiet hours hold nothing back (snoozes still do). */
  ignoreQuietHours?: boolean;
}

export interface PlannedAlert {
  key: string;
  kind: Alert["kind"];
  severity: Alert["severity"];
  title: string;
  /** post: would be posted now; defer: held (quiet hours or snooze); already: posted before. */
  action: "post" | "defer" | "already";
}

export interface BindingReport {
  bindingId: string;
  platform: Binding["platform"];
  channelId: string;
  account: string;
  posted: number;
  deduplicated: number;
  deferred: number;
  reset: number;
  /** The digest was not posted (or there was nothing to post). */
  delivered: boolean;
  error?: string;
  /** Dry runs: every alert that holds and what would happen to it. */
  planned?: PlannedAlert[];
}

export interface ScanSummary {
  dryRun: boolean;
  startedAt: Date;
  durationMs: number;
  bindings: number;
  accounts: number;
  /** Alerts posted (a digest holds several). */
  posted: number;
  /** Digest messages posted. */
  messages: number;
  /** Alerts that hold but were posted before (or are being posted by another replica). */
  deduplicated: number;
  /** Alerts held for quiet hours or a snooze. */
  deferred: number;
  /** Keys deleted because they no longer hold (renewed, paid, topped up): the next crossing alerts again. */
  reset: number;
  /** Accounts that could not be checked (fully or in part). */
  failures: number;
  failedAccounts: { account: string; reason: string }[];
  /** Digests that could not be posted (they are retried on the next scan). */
  deliveryFailures: number;
  outageNotices: number;
  recoveries: number;
  reports: BindingReport[];
}

/** A claim older than this whose post never completed is retried (with a "may repeat" note). */
export const STALE_CLAIM_MS = 15 * 60_000;

type Row = typeof alertDeliveries.$inferSelect;

export async function runAlertScan(core: Core, opts: ScanOptions = {}): Promise<ScanSummary> {
  const started = performance.now();
  const now = core.clock.now();
  const summary: ScanSummary = {
    dryRun: Boolean(opts.dryRun),
    startedAt: now,
    durationMs: 0,
    bindings: 0,
    accounts: 0,
    posted: 0,
    messages: 0,
    deduplicated: 0,
    deferred: 0,
    reset: 0,
    failures: 0,
    failedAccounts: [],
    deliveryFailures: 0,
    outageNotices: 0,
    recoveries: 0,
    reports: [],
  };
  const wanted = opts.bindingIds ? new Set(opts.bindingIds) : undefined;
  const enabled = (await core.accounts.allBindings()).filter(
    (b) => b.binding.alertSettings.enabled && (!wanted || wanted.has(b.binding.id)),
  );
  // A workspace hostops can no longer post to (Slack app uninstalled) gets no scan: its
  // providers are not asked and nothing is recorded, until it is installed again.
  const reach = new Map<string, Promise<boolean>>();
  const reachable = (platform: Platform, workspaceId: string) => {
    const key = `${platform}:${workspaceId}`;
    let r = reach.get(key);
    if (!r) {
      const messenger = core.messengers.get(platform);
      r = messenger?.reachable ? messenger.reachable(workspaceId) : Promise.resolve(true);
      reach.set(key, r);
    }
    return r;
  };
  const reached = await Promise.all(enabled.map((b) => reachable(b.binding.platform, b.binding.workspaceId)));
  const all = enabled.filter((_b, i) => reached[i]);
  const byAccount = new Map<string, { account: Account; bindings: Binding[] }>();
  for (const { account, binding } of all) {
    const entry = byAccount.get(account.id) ?? { account, bindings: [] };
    entry.bindings.push(binding);
    byAccount.set(account.id, entry);
  }
  summary.bindings = all.length;
  summary.accounts = byAccount.size;

  // One limiter per provider kind: a slow provider fills its own slots, not the others'.
  const limiters = new Map<ProviderKind, LimitFunction>();
  const limiterFor = (kind: ProviderKind) => {
    let l = limiters.get(kind);
    if (!l) {
      l = pLimit(Math.max(1, core.settings.providerConcurrency));
      limiters.set(kind, l);
    }
    return l;
  };

  await Promise.all(
    [...byAccount.values()].map(async ({ account, bindings }) => {
      const needsInvoices = bindings.some((b) => b.alertSettings.unpaidInvoices);
      const fetched = await fetchFacts(core, account, { invoices: needsInvoices }, limiterFor(account.kind));
      if (fetched.failure) {
        summary.failures++;
        summary.failedAccounts.push({ account: account.label, reason: fetched.failure });
      }
      await Promise.all(
        bindings.map(async (binding) => {
          const report = await processBinding(core, binding, account, fetched, now, opts).catch(
            (err: unknown): BindingReport => {
              core.log.error({ err, bindingId: binding.id }, "alert scan of a binding failed");
              return {
                ...emptyReport(binding, account),
                error: err instanceof Error ? scrub(err.message) : "failed",
              };
            },
          );
          summary.reports.push(report);
        }),
      );
    }),
  );

  for (const r of summary.reports) {
    summary.posted += r.posted;
    summary.deduplicated += r.deduplicated;
    summary.deferred += r.deferred;
    summary.reset += r.reset;
  }
  summary.durationMs = Math.round(performance.now() - started);
  core.log.info(
    {
      dryRun: summary.dryRun,
      bindings: summary.bindings,
      accounts: summary.accounts,
      posted: summary.posted,
      messages: summary.messages,
      deduplicated: summary.deduplicated,
      deferred: summary.deferred,
      reset: summary.reset,
      failures: summary.failures,
      deliveryFailures: summary.deliveryFailures,
      ms: summary.durationMs,
    },
    "alert scan finished",
  );
  return summary;

  // -------------------------------------------------------------------------------------------

  async function processBinding(
    core: Core,
    binding: Binding,
    account: Account,
    fetched: Fetched,
    now: Date,
    opts: ScanOptions,
  ): Promise<BindingReport> {
    const report = emptyReport(binding, account);
    const tz = core.settings.timeZone;
    const settings = binding.alertSettings;
    const db = core.db.db;
    const rows = await db.select().from(alertDeliveries).where(eq(alertDeliveries.bindingId, binding.id));
    const byKey = new Map(rows.map((r) => [r.alertKey, r]));

    const alerts = evaluateAlerts(fetched.facts, { now, timeZone: tz, settings });
    if (fetched.failure) {
      const since = byKey.get(`${FAMILY.outage}${account.id}`)?.createdAt ?? now;
      alerts.unshift(outageAlert(account, fetched.failure, since, tz));
    }
    const families = evaluatedFamilies(fetched.facts);
    if (!settings.unpaidInvoices) families.push(FAMILY.invoice);

    const quiet = !opts.ignoreQuietHours && inQuietHours(now, tz, settings);
    const bindingSnoozed = binding.snoozedUntil && binding.snoozedUntil > now ? binding.snoozedUntil : null;
    const subjectSnooze = new Map<string, Date>();
    for (const r of rows) {
      const subject = (r.payload as { subject?: unknown }).subject;
      if (typeof subject !== "string" || !r.snoozedUntil || r.snoozedUntil <= now) continue;
      const prev = subjectSnooze.get(subject);
      if (!prev || prev < r.snoozedUntil) subjectSnooze.set(subject, r.snoozedUntil);
    }
    const holdOf = (a: Alert): "snooze" | "quiet" | null =>
      bindingSnoozed || subjectSnooze.has(a.subject)
        ? "snooze"
        : !opts.ignoreQuietHours && heldByQuietHours(a.severity, now, tz, settings)
          ? "quiet"
          : null;
    const staleBefore = new Date(now.getTime() - STALE_CLAIM_MS).toISOString();
    const isStale = (r: Row) => {
      const claimedAt = (r.payload as { claimedAt?: unknown }).claimedAt;
      return r.status === "pending" && typeof claimedAt === "string" && claimedAt < staleBefore;
    };

    const current = new Map(alerts.map((a) => [a.key, a]));
    const fresh: { alert: Alert; hold: "snooze" | "quiet" | null }[] = [];
    const reclaim: { row: Row; alert: Alert; note?: string }[] = [];
    const planned: PlannedAlert[] = [];
    const plan = (a: Alert, action: PlannedAlert["action"]) =>
      planned.push({ key: a.key, kind: a.kind, severity: a.severity, title: a.title, action });
    for (const alert of alerts) {
      const row = byKey.get(alert.key);
      const hold = holdOf(alert);
      if (!row) {
        fresh.push({ alert, hold });
        plan(alert, hold ? "defer" : "post");
        continue;
      }
      const ownSnooze = row.snoozedUntil && row.snoozedUntil > now;
      if (row.status === "sent") {
        if (row.snoozedUntil && !ownSnooze && !hold) {
          reclaim.push({
            row,
            alert,
            note: `Reminder: this was snoozed until ${formatTime(row.snoozedUntil, tz)} and still holds.`,
          });
          plan(alert, "post");
        } else {
          report.deduplicated++;
          plan(alert, row.snoozedUntil ? "defer" : "already");
        }
      } else if (row.status === "deferred") {
        if (!hold && !ownSnooze) {
          reclaim.push({ row, alert, note: heldNote(row, tz) });
          plan(alert, "post");
        } else {
          report.deferred++;
          plan(alert, "defer");
        }
      } else if (isStale(row) && !hold) {
        reclaim.push({
          row,
          alert,
          note: "An earlier delivery of this alert was interrupted, so this may repeat it.",
        });
        plan(alert, "post");
      } else {
        // Claimed by a scan that is posting it right now (this or another replica).
        report.deduplicated++;
        plan(alert, "already");
      }
    }

    // Keys that no longer hold, in families whose inputs were fetched, are reset.
    const heldRecovery = quiet || Boolean(bindingSnoozed) || subjectSnooze.has("outage");
    const resets = rows.filter((r) => {
      if (current.has(r.alertKey)) return false;
      if (!families.some((f) => r.alertKey.startsWith(f))) return false;
      if (r.status === "pending" && !isStale(r)) return false;
      // "Answers again" waits with the outage row until it can be said (not in quiet hours).
      if (r.alertKey.startsWith(FAMILY.outage) && r.status === "sent" && heldRecovery) return false;
      return true;
    });

    if (opts.dryRun) {
      report.planned = planned;
      report.posted = planned.filter((p) => p.action === "post").length;
      report.deferred += fresh.filter((f) => f.hold).length;
      report.reset = resets.length;
      return report;
    }

    const recoveries: string[] = [];
    if (resets.length) {
      const deleted = await db
        .delete(alertDeliveries)
        .where(
          and(
            inArray(
              alertDeliveries.id,
              resets.map((r) => r.id),
            ),
            or(
              sql`${alertDeliveries.status} <> 'pending'`,
              sql`${alertDeliveries.payload}->>'claimedAt' < ${staleBefore}`,
            ),
          ),
        )
        .returning({
          key: alertDeliveries.alertKey,
          status: alertDeliveries.status,
          createdAt: alertDeliveries.createdAt,
        });
      report.reset = deleted.length;
      for (const d of deleted)
        if (d.key.startsWith(FAMILY.outage) && d.status === "sent") {
          recoveries.push(
            `Account ${account.label} (${providerName(account)}) answers again; it could not be checked since ${formatTime(d.createdAt, tz)}.`,
          );
          summary.recoveries++;
        }
    }

    const messenger = core.messengers.get(binding.platform);
    if (!messenger) {
      // This replica cannot post to that platform: leave the alerts to one that can.
      if (fresh.length || reclaim.length)
        core.log.warn({ platform: binding.platform, bindingId: binding.id }, "no messenger for alerts");
      report.deferred += fresh.length + reclaim.length;
      return report;
    }

    const claimedAt = now.toISOString();
    const toPost: DigestItem[] = [];
    if (fresh.length) {
      const inserted = await db
        .insert(alertDeliveries)
        .values(
          fresh.map(({ alert, hold }) => ({
            bindingId: binding.id,
            alertKey: alert.key,
            kind: alert.kind,
            severity: alert.severity,
            payload: payloadOf(alert, account, hold ? { held: hold } : { claimedAt }),
            status: hold ? ("deferred" as const) : ("pending" as const),
            // A new crossing for a snoozed item waits for the same snooze.
            snoozedUntil: hold === "snooze" ? (subjectSnooze.get(alert.subject) ?? null) : null,
            createdAt: now,
          })),
        )
        .onConflictDoNothing({ target: [alertDeliveries.bindingId, alertDeliveries.alertKey] })
        .returning({ id: alertDeliveries.id, key: alertDeliveries.alertKey, status: alertDeliveries.status });
      const got = new Map(inserted.map((r) => [r.key, r]));
      for (const { alert } of fresh) {
        const r = got.get(alert.key);
        if (!r) report.deduplicated++;
        else if (r.status === "deferred") report.deferred++;
        else toPost.push({ alert, deliveryId: r.id });
      }
    }
    if (reclaim.length) {
      // A Date is not a parameter both drivers serialize inside raw sql: pass ISO text.
      const nowIso = now.toISOString();
      const claimed = await db
        .update(alertDeliveries)
        .set({
          status: "pending",
          snoozedUntil: null,
          payload: sql`${alertDeliveries.payload} || ${JSON.stringify({ claimedAt })}::jsonb`,
        })
        .where(
          and(
            inArray(
              alertDeliveries.id,
              reclaim.map((r) => r.row.id),
            ),
            or(
              sql`${alertDeliveries.status} = 'deferred' and (${alertDeliveries.snoozedUntil} is null or ${alertDeliveries.snoozedUntil} <= ${nowIso}::timestamptz)`,
              sql`${alertDeliveries.status} = 'sent' and ${alertDeliveries.snoozedUntil} <= ${nowIso}::timestamptz`,
              sql`${alertDeliveries.status} = 'pending' and ${alertDeliveries.payload}->>'claimedAt' < ${staleBefore}`,
            ),
          ),
        )
        .returning({ id: alertDeliveries.id });
      const ids = new Set(claimed.map((c) => c.id));
      for (const r of reclaim) {
        if (ids.has(r.row.id)) toPost.push({ alert: r.alert, deliveryId: r.row.id, note: r.note });
        else report.deduplicated++;
      }
    }
    if (!toPost.length && !recoveries.length) return report;

    const reply = renderDigest({ account, bindingId: binding.id, items: toPost, recoveries });
    const ids = toPost.map((i) => i.deliveryId);
    let ref: MessageRef;
    try {
      ref = await messenger.post(binding.workspaceId, binding.channelId, reply);
    } catch (err) {
      summary.deliveryFailures++;
      core.log.warn({ err, bindingId: binding.id, alerts: ids.length }, "could not post an alert digest");
      if (ids.length)
        // Back to deferred: the next scan posts them (nothing reached the channel).
        await db
          .update(alertDeliveries)
          .set({
            status: "deferred",
            payload: sql`${alertDeliveries.payload} || ${JSON.stringify({ held: "retry" })}::jsonb`,
          })
          .where(and(inArray(alertDeliveries.id, ids), eq(alertDeliveries.status, "pending")));
      report.deferred += ids.length;
      report.error = "could not post the digest";
      return report;
    }
    if (ids.length)
      await db
        .update(alertDeliveries)
        .set({ status: "sent", sentAt: now, messageRef: ref, snoozedUntil: null })
        .where(and(inArray(alertDeliveries.id, ids), eq(alertDeliveries.status, "pending")));
    summary.messages++;
    report.delivered = true;
    report.posted = toPost.length;
    for (const i of toPost) {
      alertsPosted.inc({ kind: i.alert.kind });
      if (i.alert.kind === "outage") summary.outageNotices++;
    }
    return report;
  }
}

function emptyReport(binding: Binding, account: Account): BindingReport {
  return {
    bindingId: binding.id,
    platform: binding.platform,
    channelId: binding.channelId,
    account: account.label,
    posted: 0,
    deduplicated: 0,
    deferred: 0,
    reset: 0,
    delivered: false,
  };
}

function payloadOf(alert: Alert, account: Account, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    subject: alert.subject,
    title: alert.title,
    detail: alert.detail,
    advice: alert.advice,
    ...(alert.renew ? { renew: alert.renew } : {}),
    accountId: account.id,
    accountLabel: account.label,
    ...extra,
  };
}

function heldNote(row: Row, tz: string): string | undefined {
  const held = (row.payload as { held?: unknown }).held;
  const at = formatTime(row.createdAt, tz);
  if (held === "quiet") return `Found at ${at}, during the quiet hours.`;
  if (held === "snooze") return `Found at ${at}, while alerts were snoozed.`;
  if (held === "retry") return "Posting this failed earlier; this is the retry.";
  return undefined;
}
