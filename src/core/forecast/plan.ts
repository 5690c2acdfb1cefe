import {
  type Domain,
  type Invoice,
  type Money,
  type ProviderKind,
  providerName,
  type Service,
} from "../../providers/types.ts";
import { fromUnits, isDecimal, toUnits } from "../alerts/decimal.ts";
import { addDays, type CalendarDay, dayIn, daysBetween, daysUntil, providerDay } from "../calendar.ts";
import { plain } from "../format.ts";

/**
 * The forecast behind `/hosting forecast`: what the prepaid balances do over the next days as
 * renewals are paid, and what expires when. Pure: facts + settings + now in, numbers and marks
 * out; the chart (chart.ts) and the text summary only draw what this computes. Money is exact
 * (bigint units) until the chart, which needs numbers to place points.
 */

export const FORECAST_DAYS = 90;

/** What one account reported, as the alert scan fetches it; an absent list was not fetched. */
export interface ForecastAccount {
  label: string;
  /** "Hostens", or the display name an admin gave. */
  providerName: string;
  balance?: Money;
  services?: Service[];
  domains?: Domain[];
  invoices?: Invoice[];
  /** The binding's minimum balance (alert settings), in the balance's currency. */
  minBalance?: string | null;
}

export interface RunwayStep {
  /** YYYY-MM-DD */
  day: string;
  /** Balance after the renewals of that day, in units of 1/100 (exact). */
  units: bigint;
  /** The renewals paid that day ("vps1 4.99"). */
  paid: string[];
}

export interface RunwaySeries {
  account: string;
  currency: string;
  /** The balance today, then one step per renewal day within the horizon. */
  steps: RunwayStep[];
  minUnits: bigint | null;
  /** The first day the balance cannot pay a renewal (goes below zero), if within the horizon. */
  runsOutOn: string | null;
  /** Services renewing in another currency, or without a price or period: not drawn. */
  skipped: number;
}

export type Risk = "expired" | "critical" | "soon" | "later" | "overdue" | "unpaid";

export interface CalendarMark {
  day: string;
  kind: "service" | "domain" | "invoice";
  label: string;
  account: string;
  risk: Risk;
}

export interface Forecast {
  today: string;
  until: string;
  runway: RunwaySeries[];
  calendar: CalendarMark[];
  /** Accounts whose balance could not be read (not drawn in the runway panel). */
  noBalance: string[];
}

export interface ForecastOptions {
  now: Date;
  timeZone: string;
  days?: number;
}

export function buildForecast(accounts: readonly ForecastAccount[], opts: ForecastOptions): Forecast {
  const today = dayIn(opts.now, opts.timeZone);
  const horizon = opts.days ?? FORECAST_DAYS;
  const until = addDays(today, horizon);
  const runway: RunwaySeries[] = [];
  const noBalance: string[] = [];
  const calendar: CalendarMark[] = [];
  for (const a of accounts) {
    if (a.balance && isDecimal(a.balance.amount)) runway.push(runwayOf(a, a.balance, today, until));
    else if (a.services?.length) noBalance.push(a.label);
    calendar.push(...marksOf(a, today, until));
  }
  calendar.sort((x, y) => x.day.localeCompare(y.day) || x.label.localeCompare(y.label));
  return { today: today.toString(), until: until.toString(), runway, calendar, noBalance };
}

function renews(s: Service): boolean {
  return s.status !== "cancelled" && s.status !== "expired" && s.autorenew !== false;
}

function runwayOf(a: ForecastAccount, balance: Money, today: CalendarDay, until: CalendarDay): RunwaySeries {
  const currency = balance.currency;
  const payments = new Map<string, { units: bigint; paid: string[] }>();
  let skipped = 0;
  for (const s of a.services ?? []) {
    if (!renews(s) || !s.expiresAt) continue;
    const p = s.renewalPrice;
    if (!p || p.currency !== currency || !isDecimal(p.amount)) {
      skipped++;
      continue;
    }
    const price = toUnits(p.amount);
    const name = plain(s.label || s.hostname || `#${s.id}`, 40);
    // Each renewal within the horizon: the expiry date, then one billing period after another.
    let due = providerDay(s.expiresAt);
    for (let n = 0; n < 400 && daysBetween(due, until) >= 0; n++) {
      if (daysBetween(today, due) >= 0) {
        const key = due.toString();
        const slot = payments.get(key) ?? { units: 0n, paid: [] };
        slot.units += price;
        slot.paid.push(`${name} ${p.amount}`);
        payments.set(key, slot);
      }
      const months = s.billingCycleMonths;
      if (!months || months <= 0) break;
      due = due.add({ months });
    }
  }
  let units = toUnits(balance.amount);
  const steps: RunwayStep[] = [{ day: today.toString(), units, paid: [] }];
  let runsOutOn: string | null = units < 0n ? today.toString() : null;
  for (const day of [...payments.keys()].sort()) {
    const slot = payments.get(day);
    if (!slot) continue;
    units -= slot.units;
    steps.push({ day, units, paid: slot.paid });
    if (runsOutOn === null && units < 0n) runsOutOn = day;
  }
  const min = a.minBalance && isDecimal(a.minBalance) ? toUnits(a.minBalance) : null;
  return { account: a.label, currency, steps, minUnits: min, runsOutOn, skipped };
}

function marksOf(a: ForecastAccount, today: CalendarDay, until: CalendarDay): CalendarMark[] {
  const out: CalendarMark[] = [];
  const expiring = (kind: "service" | "domain", label: string, at: Date | null, active: boolean) => {
    if (!at || !active) return;
    const day = providerDay(at);
    const left = daysBetween(today, day);
    // Expired within the last 30 days still matters; older is history.
    if (left < -30 || daysBetween(day, until) < 0) return;
    const risk: Risk = left < 0 ? "expired" : left <= 3 ? "critical" : left <= 14 ? "soon" : "later";
    out.push({
      day: (left < 0 ? today : day).toString(),
      kind,
      label: plain(label, 40),
      account: a.label,
      risk,
    });
  };
  for (const s of a.services ?? [])
    expiring("service", s.label || s.hostname || `#${s.id}`, s.expiresAt, s.status !== "cancelled");
  for (const d of a.domains ?? []) expiring("domain", d.name, d.expiresAt, true);
  for (const inv of a.invoices ?? []) {
    if (inv.status !== "unpaid" && inv.status !== "overdue") continue;
    const due = inv.dueAt ? providerDay(inv.dueAt) : null;
    const overdue = inv.status === "overdue" || (due !== null && daysBetween(today, due) < 0);
    const day = due && !overdue && daysBetween(due, until) >= 0 ? due : today;
    out.push({
      day: day.toString(),
      kind: "invoice",
      label: `invoice ${plain(inv.id, 20)} ${inv.total ? `${inv.total.amount} ${inv.total.currency}` : "(amount unknown)"}`,
      account: a.label,
      risk: overdue ? "overdue" : "unpaid",
    });
  }
  return out;
}

/**
 * The forecast in a few plain sentences: what is shown beside the image (screen readers,
 * notifications, and the console).
 */
export function forecastSummary(f: Forecast): string[] {
  const lines: string[] = [];
  for (const r of f.runway) {
    const first = r.steps[0];
    if (!first) continue;
    const now = `${r.account} (${r.currency}): ${fromUnits(first.units)} today`;
    const belowMin =
      r.minUnits === null ? undefined : r.steps.find((s) => r.minUnits !== null && s.units < r.minUnits);
    const parts = [now];
    if (r.runsOutOn) {
      const step = r.steps.findLast((s) => s.day === r.runsOutOn);
      parts.push(
        `runs out on ${r.runsOutOn}${step?.paid.length ? ` (renewing ${step.paid.join(", ")})` : ""}`,
      );
    } else parts.push(`covers every renewal until ${f.until}`);
    if (belowMin && r.minUnits !== null)
      parts.push(`below the minimum ${fromUnits(r.minUnits)} from ${belowMin.day}`);
    if (r.skipped)
      parts.push(
        `${r.skipped} service${r.skipped === 1 ? "" : "s"} without a price in ${r.currency} not counted`,
      );
    lines.push(`${parts.join("; ")}.`);
  }
  if (f.noBalance.length) lines.push(`No balance from ${f.noBalance.join(", ")}: not in the runway.`);
  const count = (pred: (m: CalendarMark) => boolean) => f.calendar.filter(pred).length;
  const items = count((m) => m.kind !== "invoice" && m.risk !== "expired");
  const expired = count((m) => m.risk === "expired");
  const critical = count((m) => m.risk === "critical");
  const soon = count((m) => m.risk === "soon");
  const unpaid = count((m) => m.risk === "unpaid");
  const overdue = count((m) => m.risk === "overdue");
  const bits = [`${items} renewal${items === 1 ? "" : "s"} due by ${f.until}`];
  if (critical) bits.push(`${critical} within 3 days`);
  if (soon) bits.push(`${soon} within 14 days`);
  if (expired) bits.push(`${expired} already expired`);
  if (unpaid || overdue) bits.push(`${unpaid} invoice${unpaid === 1 ? "" : "s"} unpaid, ${overdue} overdue`);
  lines.push(`${bits.join("; ")}.`);
  return lines;
}

/** What one account reported, as a forecast input (the binding gives the channel's minimum balance). */
export function forecastAccount(
  account: { label: string; kind: ProviderKind; displayName?: string | null },
  minBalance: string | null | undefined,
  facts: { balance?: Money; services?: Service[]; domains?: Domain[]; invoices?: Invoice[] },
): ForecastAccount {
  return {
    label: account.label,
    providerName: providerName(account),
    balance: facts.balance,
    services: facts.services,
    domains: facts.domains,
    invoices: facts.invoices,
    minBalance,
  };
}

export interface Expiry<A> {
  account: A;
  name: string;
  at: Date;
}

/**
 * The services (not cancelled) and domains that expire from today (in the zone) on, soonest first;
 * within `withinDays` when given.
 */
export function upcomingExpiries<A>(
  reports: readonly { account: A; facts: { services?: Service[]; domains?: Domain[] } }[],
  now: Date,
  timeZone: string,
  withinDays?: number,
): Expiry<A>[] {
  return reports
    .flatMap(({ account, facts }) => [
      ...(facts.services ?? [])
        .filter((s) => s.status !== "cancelled")
        .map((s) => ({ account, name: s.label || s.hostname || `#${s.id}`, at: s.expiresAt })),
      ...(facts.domains ?? []).map((d) => ({ account, name: d.name, at: d.expiresAt })),
    ])
    .flatMap((x) => {
      if (!x.at) return [];
      const d = daysUntil(x.at, now, timeZone);
      return d >= 0 && (withinDays === undefined || d <= withinDays) ? [{ ...x, at: x.at }] : [];
    })
    .sort((x, y) => x.at.getTime() - y.at.getTime() || x.name.localeCompare(y.name));
}
