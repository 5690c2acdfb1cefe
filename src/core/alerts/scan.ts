import pLimit, { type LimitFunction } from "p-limit";
import type { MessageRef, Platform } from "../../db/schema.ts";
import { alertsPosted } from "../../observability/metrics.ts";
import { scrub } from "../../observability/secrets.ts";
import type { ProviderKind } from "../../providers/types.ts";
import type { Account, Binding } from "../accounts.ts";
import type { Core } from "../context.ts";
import { plainText, type Rich } from "../rich.ts";
import { type Fetched, fetchFacts } from "./facts.ts";
import { FAMILY } from "./model.ts";
import { type PlannedAlert, planBinding } from "./planner.ts";
import { type DigestItem, recoveryLine, renderDigest } from "./render.ts";
import { DeliveryStore } from "./store.ts";

/**
 * The alert scan, as a short orchestration: fetch every account once (concurrently, limited per
 * provider kind; facts.ts) -> plan each binding (pure; planner.ts) -> claim the deliveries
 * (store.ts) -> render one digest (render.ts) -> post -> mark sent. Each binding answers with its
 * own report and the summary is added up from them at the end.
 *
 * Exactly-once delivery across replicas rests on the unique (binding_id, alert_key): a row is
 * claimed first, then posted, then marked sent, and only the scan whose claim returned the row
 * posts it. A crash between claim and post leaves a `pending` row: after STALE_CLAIM_MS
 * (planner.ts) the next scan posts it again with a note that it may be a repeat, rather than
 * silently dropping it or re-posting it blindly.
 */

export { type PlannedAlert, STALE_CLAIM_MS } from "./planner.ts";

export interface ScanOptions {
  /** Only these bindings (e.g. the channel's, for `/hosting alerts run`). */
  bindingIds?: string[];
  /** Compute what would be posted; write and post nothing. */
  dryRun?: boolean;
  /** Manual runs: a person asked now, so quiet hours hold nothing back (snoozes still do). */
  ignoreQuietHours?: boolean;
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
  /** The digest was posted (false when it failed or there was nothing to post). */
  delivered: boolean;
  /** Posting the digest failed (its alerts are retried on the next scan). */
  deliveryFailed: boolean;
  /** Outage notices among the posted alerts. */
  outageNotices: number;
  /** "Answers again" lines: outage rows reset in this scan. */
  recoveries: number;
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
  /** `reason` is the plain reading of `text` (logs, the CLI). */
  failedAccounts: { account: string; reason: string; text: Rich }[];
  /** Digests that could not be posted (they are retried on the next scan). */
  deliveryFailures: number;
  outageNotices: number;
  recoveries: number;
  reports: BindingReport[];
}

export async function runAlertScan(core: Core, opts: ScanOptions = {}): Promise<ScanSummary> {
  const started = performance.now();
  const now = core.clock.now();
  const groups = await accountsToScan(core, opts.bindingIds);
  const store = new DeliveryStore(core.db.db);
  const limiterFor = limiters(core.settings.providerConcurrency);

  const checked = await Promise.all(
    groups.map(async ({ account, bindings }) => {
      const needsInvoices = bindings.some((b) => b.alertSettings.unpaidInvoices);
      const fetched = await fetchFacts(core, account, { invoices: needsInvoices }, limiterFor(account.kind));
      const reports = await Promise.all(
        bindings.map((binding) =>
          scanBinding(core, store, binding, account, fetched, now, opts).catch((err: unknown) => {
            core.log.error({ err, bindingId: binding.id }, "alert scan of a binding failed");
            const error = err instanceof Error ? scrub(err.message) : "failed";
            return { ...emptyReport(binding, account), error };
          }),
        ),
      );
      return { account, failure: fetched.failure, reports };
    }),
  );

  const reports = checked.flatMap((c) => c.reports);
  const failedAccounts = checked.flatMap(({ account, failure }) =>
    failure ? [{ account: account.label, reason: plainText(failure), text: failure }] : [],
  );
  const sum = (f: (r: BindingReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  const summary: ScanSummary = {
    dryRun: Boolean(opts.dryRun),
    startedAt: now,
    durationMs: Math.round(performance.now() - started),
    bindings: reports.length,
    accounts: groups.length,
    posted: sum((r) => r.posted),
    messages: sum((r) => (r.delivered ? 1 : 0)),
    deduplicated: sum((r) => r.deduplicated),
    deferred: sum((r) => r.deferred),
    reset: sum((r) => r.reset),
    failures: failedAccounts.length,
    failedAccounts,
    deliveryFailures: sum((r) => (r.deliveryFailed ? 1 : 0)),
    outageNotices: sum((r) => r.outageNotices),
    recoveries: sum((r) => r.recoveries),
    reports,
  };
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
}

/**
 * The enabled bindings (of `only`, when given), grouped by account: each account is fetched once,
 * however many channels it is bound to. A workspace hostops can no longer post to (Slack app
 * uninstalled) gets no scan: its providers are not asked and nothing is recorded until it is back.
 */
async function accountsToScan(
  core: Core,
  only: readonly string[] | undefined,
): Promise<{ account: Account; bindings: Binding[] }[]> {
  const wanted = only ? new Set(only) : undefined;
  const enabled = (await core.accounts.allBindings()).filter(
    (b) => b.binding.alertSettings.enabled && (!wanted || wanted.has(b.binding.id)),
  );
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
  const byAccount = new Map<string, { account: Account; bindings: Binding[] }>();
  for (const { account, binding } of enabled.filter((_b, i) => reached[i])) {
    const entry = byAccount.get(account.id) ?? { account, bindings: [] };
    entry.bindings.push(binding);
    byAccount.set(account.id, entry);
  }
  return [...byAccount.values()];
}

/** One limiter per provider kind: a slow provider fills its own slots, not the others'. */
function limiters(concurrency: number): (kind: ProviderKind) => LimitFunction {
  const byKind = new Map<ProviderKind, LimitFunction>();
  return (kind) => {
    let l = byKind.get(kind);
    if (!l) {
      l = pLimit(Math.max(1, concurrency));
      byKind.set(kind, l);
    }
    return l;
  };
}

/** Plan -> reset -> claim -> render -> post -> mark sent, for one binding. */
async function scanBinding(
  core: Core,
  store: DeliveryStore,
  binding: Binding,
  account: Account,
  fetched: Fetched,
  now: Date,
  opts: ScanOptions,
): Promise<BindingReport> {
  const tz = core.settings.timeZone;
  const plan = planBinding({
    facts: fetched.facts,
    failure: fetched.failure,
    settings: binding.alertSettings,
    snoozedUntil: binding.snoozedUntil,
    deliveries: await store.ofBinding(binding.id),
    now,
    timeZone: tz,
    ignoreQuietHours: opts.ignoreQuietHours,
  });
  const report = {
    ...emptyReport(binding, account),
    deduplicated: plan.deduplicated,
    deferred: plan.deferred,
  };

  if (opts.dryRun)
    return {
      ...report,
      planned: plan.planned,
      posted: plan.planned.filter((p) => p.action === "post").length,
      deferred: report.deferred + plan.fresh.filter((f) => f.hold).length,
      reset: plan.resets.length,
    };

  const deleted = await store.reset(
    plan.resets.map((d) => d.id),
    plan.staleBefore,
  );
  const recoveries = deleted
    .filter((d) => d.key.startsWith(FAMILY.outage) && d.status === "sent")
    .map((d) => recoveryLine(account, d.createdAt, tz));
  report.reset = deleted.length;
  report.recoveries = recoveries.length;

  const messenger = core.messengers.get(binding.platform);
  if (!messenger) {
    // This replica cannot post to that platform: leave the alerts to one that can.
    if (plan.fresh.length || plan.reclaim.length)
      core.log.warn({ platform: binding.platform, bindingId: binding.id }, "no messenger for alerts");
    report.deferred += plan.fresh.length + plan.reclaim.length;
    return report;
  }

  const toPost: DigestItem[] = [];
  const inserted = await store.claimNew(binding.id, account, plan.fresh, now);
  for (const { alert } of plan.fresh) {
    const r = inserted.get(alert.key);
    if (!r) report.deduplicated++;
    else if (r.status === "deferred") report.deferred++;
    else toPost.push({ alert, deliveryId: r.id });
  }
  const reclaimed = await store.reclaim(
    plan.reclaim.map((r) => r.delivery.id),
    now,
    plan.staleBefore,
  );
  for (const r of plan.reclaim) {
    if (reclaimed.has(r.delivery.id))
      toPost.push({ alert: r.alert, deliveryId: r.delivery.id, note: r.note });
    else report.deduplicated++;
  }
  if (!toPost.length && !recoveries.length) return report;

  const reply = renderDigest({ account, bindingId: binding.id, items: toPost, recoveries });
  const ids = toPost.map((i) => i.deliveryId);
  let ref: MessageRef;
  try {
    ref = await messenger.post(binding.workspaceId, binding.channelId, reply);
  } catch (err) {
    core.log.warn({ err, bindingId: binding.id, alerts: ids.length }, "could not post an alert digest");
    await store.release(ids);
    return {
      ...report,
      deferred: report.deferred + ids.length,
      deliveryFailed: true,
      error: "could not post the digest",
    };
  }
  await store.markSent(ids, now, ref);
  for (const i of toPost) alertsPosted.inc({ kind: i.alert.kind });
  return {
    ...report,
    delivered: true,
    posted: toPost.length,
    outageNotices: toPost.filter((i) => i.alert.kind === "outage").length,
  };
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
    deliveryFailed: false,
    outageNotices: 0,
    recoveries: 0,
  };
}
