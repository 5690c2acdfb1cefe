import { type Money, providerName, type Service } from "../../providers/types.ts";
import {
  addDays,
  type CalendarDay,
  daysBetween,
  parseDay,
  providerDay,
  relativeDayCount,
} from "../calendar.ts";
import { plain } from "../format.ts";
import { command, rich } from "../rich.ts";
import { divUnits, fromUnits, isDecimal, toUnits } from "./decimal.ts";
import { crossedThreshold } from "./expiry.ts";
import {
  type AccountFacts,
  type Alert,
  type AlertSeverity,
  accountRef,
  count,
  MIN_RENEWAL_HORIZON_DAYS,
  ORDER,
} from "./model.ts";

/**
 * The balance rules: how long a prepaid balance lasts at the account's monthly spend, which
 * upcoming renewals it will not pay, and the alerts that follow (below the minimum, a short
 * runway, an automatic renewal the balance will not cover). Money is exact: bigint units,
 * never floats. Pure.
 */

export interface RenewalPlan {
  serviceId: string;
  label: string;
  /** YYYY-MM-DD */
  date: string;
  price: string;
  /** How much more credit would cover it (uncovered ones only). */
  shortfall: string;
  autorenew: boolean | null;
}

export interface RunwayForecast {
  /** "25.50 EUR" */
  balance: string;
  currency: string;
  /** Sum of renewalPrice / billingCycleMonths over the services that renew, in the balance's currency. */
  monthlySpend: string;
  servicesCounted: number;
  /** Services billed in another currency, or without a price: not counted. */
  servicesSkipped: number;
  /** Whole days the balance lasts at that spend; null when nothing is spent. */
  daysLeft: number | null;
  /** today + daysLeft, YYYY-MM-DD. */
  lastsUntil: string | null;
  /** Upcoming renewals (within the horizon), in date order, paid from the balance one after another. */
  covered: RenewalPlan[];
  uncovered: RenewalPlan[];
  horizonDays: number;
}

/**
 * How long the prepaid balance lasts at the account's monthly spend, and which renewals in the
 * next `horizon` days it will not cover (paying them in date order from the balance).
 */
export function runwayForecast(
  balance: Money,
  services: readonly Service[],
  today: CalendarDay,
  thresholds: readonly number[] = [],
): RunwayForecast | null {
  if (!isDecimal(balance.amount)) return null;
  const currency = balance.currency;
  const horizonDays = Math.max(MIN_RENEWAL_HORIZON_DAYS, ...thresholds);
  let monthly = 0n;
  let counted = 0;
  let skipped = 0;
  const upcoming: { s: Service; date: CalendarDay; days: number; price: bigint }[] = [];
  for (const s of services) {
    if (!renews(s)) continue;
    const p = s.renewalPrice;
    if (!p || p.currency !== currency || !isDecimal(p.amount)) {
      skipped++;
      continue;
    }
    const price = toUnits(p.amount);
    const months = s.billingCycleMonths;
    if (months && months > 0) {
      monthly += divUnits(price, BigInt(months));
      counted++;
    } else skipped++;
    if (s.expiresAt) {
      const date = providerDay(s.expiresAt);
      const days = daysBetween(today, date);
      if (days >= 0 && days <= horizonDays) upcoming.push({ s, date, days, price });
    }
  }
  const bal = toUnits(balance.amount);
  let daysLeft: number | null = null;
  if (monthly > 0n) {
    // days = balance / (monthly * 12 / 365), floored; an empty or negative balance lasts 0 days.
    daysLeft = bal <= 0n ? 0 : Number((bal * 365n) / (monthly * 12n));
  }
  upcoming.sort((a, b) => a.days - b.days || a.s.id.localeCompare(b.s.id));
  let remaining = bal;
  const covered: RenewalPlan[] = [];
  const uncovered: RenewalPlan[] = [];
  for (const u of upcoming) {
    const plan: RenewalPlan = {
      serviceId: u.s.id,
      label: plain(u.s.label || u.s.hostname || `#${u.s.id}`, 80),
      date: u.date.toString(),
      price: `${fromUnits(u.price)} ${currency}`,
      shortfall: "",
      autorenew: u.s.autorenew,
    };
    if (remaining >= u.price) {
      remaining -= u.price;
      covered.push(plan);
    } else {
      plan.shortfall = `${fromUnits(u.price - (remaining > 0n ? remaining : 0n))} ${currency}`;
      uncovered.push(plan);
    }
  }
  return {
    balance: `${balance.amount} ${currency}`,
    currency,
    monthlySpend: fromUnits(monthly),
    servicesCounted: counted,
    servicesSkipped: skipped,
    daysLeft,
    lastsUntil: daysLeft === null ? null : addDays(today, daysLeft).toString(),
    covered,
    uncovered,
    horizonDays,
  };
}

/** A service that will bill again: not cancelled or expired, and autorenew not explicitly off. */
function renews(s: Service): boolean {
  return s.status !== "cancelled" && s.status !== "expired" && s.autorenew !== false;
}

function runwaySentence(f: RunwayForecast): string {
  if (f.daysLeft === null) return "";
  const skipped = f.servicesSkipped
    ? ` (${f.servicesSkipped} without a price in ${f.currency} not counted)`
    : "";
  return `At about ${f.monthlySpend} ${f.currency} a month (${count(f.servicesCounted, "service")}${skipped}), ${f.balance} lasts about ${count(f.daysLeft, "day")} (until about ${f.lastsUntil}).`;
}

function uncoveredSentence(f: RunwayForecast): string {
  if (!f.uncovered.length) return "";
  const list = f.uncovered.map((u) => `${u.label} on ${u.date} (${u.price})`).join(", ");
  return ` Renewals in the next ${f.horizonDays} days it will not cover: ${list}.`;
}

/** `balance:low:<minimum>`: the balance is below the binding's minimum (in the balance's currency). */
export function lowBalanceAlert(
  facts: AccountFacts,
  balance: Money,
  minimum: string,
  forecast: RunwayForecast | null,
): Alert | undefined {
  if (!isDecimal(balance.amount) || toUnits(balance.amount) >= toUnits(minimum)) return undefined;
  const runway = forecast ? `${runwaySentence(forecast)}${uncoveredSentence(forecast)}` : "";
  // The runway in the title too: previews and lists show only titles.
  const brief: string[] = [];
  if (forecast?.daysLeft !== null && forecast?.daysLeft !== undefined)
    brief.push(`lasts about ${count(forecast.daysLeft, "day")}`);
  const n = forecast?.uncovered.length ?? 0;
  if (n) brief.push(`${count(n, "renewal")} in the next ${forecast?.horizonDays} days not covered`);
  return {
    key: `balance:low:${minimum}`,
    kind: "low-balance",
    severity: "warning",
    subject: "balance",
    title: `Balance of ${facts.account.label} is ${balance.amount} ${balance.currency}, below the minimum of ${minimum} ${balance.currency}${brief.length ? ` (${brief.join("; ")})` : ""}`,
    short: "balance",
    detail: `${accountRef(facts)}.${runway ? ` ${runway.trim()}` : ""}`,
    advice: rich`Top up the ${providerName(facts.account)} account in its client area, or change the minimum with ${command(["alerts", "config"])}.`,
    order: ORDER.warning + 500,
  };
}

/** `runway:<currency>:d<threshold>`: the balance lasts fewer days than an expiry threshold. */
export function runwayAlert(
  facts: AccountFacts,
  balance: Money,
  f: RunwayForecast,
  thresholds: readonly number[],
): Alert | undefined {
  if (f.daysLeft === null) return undefined;
  const t = crossedThreshold(f.daysLeft, thresholds);
  if (t === undefined) return undefined;
  return {
    key: `runway:${balance.currency}:d${t}`,
    kind: "runway",
    severity: "warning",
    subject: "runway",
    title: `Balance of ${facts.account.label} lasts about ${count(f.daysLeft, "day")} at the current spend`,
    short: "runway",
    detail: `${accountRef(facts)}. ${runwaySentence(f)}${uncoveredSentence(f)}`,
    advice: `Top up the ${providerName(facts.account)} account before ${f.lastsUntil}, or cancel services that are no longer needed.`,
    order: ORDER.warning + 600,
  };
}

/** `autorenew:service:<id>:<YYYY-MM-DD>`: autorenew is on and the balance will not pay it. */
export function autorenewAlerts(facts: AccountFacts, f: RunwayForecast, today: CalendarDay): Alert[] {
  return f.uncovered
    .filter((u) => u.autorenew === true)
    .map((u) => {
      const days = daysBetween(today, parseDay(u.date));
      const severity: AlertSeverity = days <= 1 ? "critical" : "warning";
      return {
        key: `autorenew:service:${u.serviceId}:${u.date}`,
        kind: "autorenew-uncovered",
        severity,
        subject: `service:${u.serviceId}`,
        title: `Automatic renewal of ${u.label} ${relativeDayCount(days)} (${u.date}) is not covered by the balance`,
        short: `${u.label.slice(0, 30)} renewal`,
        detail: `${accountRef(facts)}. Autorenew is on, but ${f.balance} does not cover ${u.price} after the renewals due before it.`,
        advice: `Top up at least ${u.shortfall} before ${u.date}, or the automatic renewal will fail and the service may be suspended.`,
        order: ORDER[severity] + days,
      };
    });
}
