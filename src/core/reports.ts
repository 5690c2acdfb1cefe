import pLimit from "p-limit";
import { Temporal } from "temporal-polyfill";
import type { Platform, ReportSchedule } from "../db/schema.ts";
import type { Account, Binding } from "./accounts.ts";
import { fetchFacts } from "./alerts/facts.ts";
import { DeliveryStore, REPORT_KEY_PREFIX } from "./alerts/store.ts";
import { providerDay } from "./calendar.ts";
import type { Core } from "./context.ts";
import { buildForecast, forecastAccount, forecastSummary, upcomingExpiries } from "./forecast/plan.ts";
import { plain, relativeDays } from "./format.ts";
import { type Block, blocksReply } from "./reply.ts";
import { join, rich } from "./rich.ts";

/**
 * Scheduled reports (`/hosting report weekly|monthly|off`): once per period, a channel gets the
 * forecast chart with its upcoming renewals and unpaid invoices. Exactly once across replicas:
 * the period's key is claimed in alert_deliveries (unique per binding and key; the delivery store,
 * alerts/store.ts) before posting, like an alert. While an account cannot be checked the report
 * waits, with one notice per period, and is posted as soon as every account answers again within
 * the period.
 */
const UPCOMING_DAYS = 30;

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** The period a schedule is in at `now`, and whether its report is due (its time has come, after `since`). */
export function reportPeriod(s: ReportSchedule, now: Date): { key: string; at: Date; due: boolean } {
  const here = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(s.timeZone);
  const [hour, minute] = s.time.split(":").map(Number) as [number, number];
  let day: Temporal.PlainDate;
  let key: string;
  if (s.every === "weekly") {
    const monday = here.toPlainDate().subtract({ days: here.dayOfWeek - 1 });
    day = monday.add({ days: s.day - 1 });
    key = `weekly:${here.yearOfWeek}-W${String(here.weekOfYear).padStart(2, "0")}`;
  } else {
    const first = here.toPlainDate().with({ day: 1 });
    day = first.with({ day: Math.min(s.day, first.daysInMonth) });
    key = `monthly:${first.toString().slice(0, 7)}`;
  }
  const at = new Date(
    day.toZonedDateTime({ timeZone: s.timeZone, plainTime: { hour, minute } }).epochMilliseconds,
  );
  const due = at.getTime() <= now.getTime() && at.getTime() > Date.parse(s.since);
  return { key: `${REPORT_KEY_PREFIX}${key}`, at, due };
}

interface ChannelGroup {
  platform: Platform;
  workspaceId: string;
  channelId: string;
  schedule: ReportSchedule;
  bindings: { account: Account; binding: Binding }[];
}

/** Checks every channel with a report schedule and posts the reports that are due. */
export async function runReports(core: Core): Promise<{ posted: number; waiting: number }> {
  const now = core.clock.now();
  const groups = new Map<string, ChannelGroup>();
  for (const b of await core.accounts.allBindings()) {
    const schedule = b.binding.alertSettings.report;
    if (!schedule) continue;
    const k = `${b.binding.platform}:${b.binding.workspaceId}:${b.binding.channelId}`;
    const g = groups.get(k) ?? {
      platform: b.binding.platform,
      workspaceId: b.binding.workspaceId,
      channelId: b.binding.channelId,
      schedule,
      bindings: [],
    };
    g.bindings.push(b);
    groups.set(k, g);
  }
  const store = new DeliveryStore(core.db.db);
  let posted = 0;
  let waiting = 0;
  for (const g of groups.values()) {
    const period = reportPeriod(g.schedule, now);
    if (!period.due) continue;
    // A workspace hostops was uninstalled from (Slack distribution) gets nothing until it is back.
    const reachable = core.messengers.get(g.platform)?.reachable;
    if (reachable && !(await reachable(g.workspaceId))) continue;
    // The channel's claims live on one of its bindings: the first by id, the same on every replica.
    const holder = [...g.bindings].sort((a, b) => a.binding.id.localeCompare(b.binding.id))[0];
    if (!holder) continue;
    if (await store.hasClaim(holder.binding.id, period.key)) continue;
    try {
      const outcome = await postReport(core, store, g, holder.binding.id, period.key, now);
      if (outcome === "posted") posted++;
      else waiting++;
    } catch (err) {
      core.log.error({ err, channelId: g.channelId }, "scheduled report failed");
    }
  }
  return { posted, waiting };
}

async function postReport(
  core: Core,
  store: DeliveryStore,
  g: ChannelGroup,
  holderId: string,
  key: string,
  now: Date,
): Promise<"posted" | "waiting"> {
  const messenger = core.messengers.get(g.platform);
  if (!messenger) return "waiting";
  const tz = core.settings.timeZone;
  const limit = pLimit(Math.max(4, core.settings.providerConcurrency));
  const fetched = await Promise.all(
    g.bindings.map(({ account, binding }) =>
      fetchFacts(core, account, { invoices: true }, limit).then((r) => ({ ...r, account, binding })),
    ),
  );
  const failures = fetched.flatMap((f) => (f.failure ? [f.failure] : []));
  const title = `${g.schedule.every === "weekly" ? "Weekly" : "Monthly"} report`;
  if (failures.length) {
    // One notice per period; the report itself waits until every account answers.
    if (await store.claimOnce(holderId, `${key}:waiting`, now)) {
      await messenger.post(
        g.workspaceId,
        g.channelId,
        blocksReply(
          [
            {
              kind: "text",
              text: rich`${title} is waiting: ${join(failures, " ")} It is posted as soon as every account answers again.`,
            },
          ],
          { severity: "warning" },
        ),
      );
      await store.markClaimSent(holderId, `${key}:waiting`, now);
    }
    return "waiting";
  }
  if (!(await store.claimOnce(holderId, key, now))) return "posted";
  const accounts = fetched.map(({ facts, account, binding }) =>
    forecastAccount(account, binding.alertSettings.minBalance, facts),
  );
  const f = buildForecast(accounts, { now, timeZone: tz });
  const summary = forecastSummary(f);
  const renewals = upcomingExpiries(fetched, now, tz, UPCOMING_DAYS);
  const unpaid = fetched.flatMap(({ facts, account }) =>
    (facts.invoices ?? [])
      .filter((i) => i.status === "unpaid" || i.status === "overdue")
      .map((i) => ({ account, i })),
  );
  // echarts and resvg (a native module) load with the first picture, not at every start.
  const { renderForecastPng } = await import("./forecast/chart.ts");
  const { png } = renderForecastPng(f);
  const blocks: Block[] = [
    { kind: "header", text: `${title}: ${f.today}` },
    { kind: "text", text: summary.join("\n") },
    {
      kind: "image",
      png,
      filename: `hostops-report-${f.today}.png`,
      alt: `Balance runway and renewal calendar, ${f.today} to ${f.until}. ${summary.join(" ")}`,
    },
    { kind: "header", text: `Renewals in the next ${UPCOMING_DAYS} days` },
    {
      kind: "table",
      columns: ["date", "when", "item", "account"],
      rows: renewals.map((r) => [
        providerDay(r.at).toString(),
        relativeDays(r.at, now, tz),
        plain(r.name, 60),
        r.account.label,
      ]),
    },
    { kind: "header", text: "Unpaid invoices" },
    {
      kind: "table",
      columns: ["invoice", "total", "status", "due", "account"],
      rows: unpaid.map(({ i, account }) => [
        plain(i.id, 30),
        i.total ? `${i.total.amount} ${i.total.currency}` : "unknown",
        i.status,
        i.dueAt ? providerDay(i.dueAt).toString() : "—",
        account.label,
      ]),
    },
  ];
  try {
    await messenger.postPictures(g.workspaceId, g.channelId, blocksReply(blocks));
  } catch (err) {
    // Posting failed: free the claim so that the next run tries again (nothing was shown).
    await store.dropClaim(holderId, key);
    throw err;
  }
  await store.markClaimSent(holderId, key, now);
  return "posted";
}
