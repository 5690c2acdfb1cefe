import type { AlertSettings } from "../../db/schema.ts";
import {
  type Domain,
  type Invoice,
  type Money,
  type ProviderKind,
  providerName,
  type Service,
} from "../../providers/types.ts";
import { addDays, type CalendarDay, dayIn, parseDay, providerDay, relativeDayCount } from "../calendar.ts";
import { plain } from "../format.ts";
import { divUnits, fromUnits, isDecimal, toUnits } from "./decimal.ts";

/**
 * Alert rules: pure functions from what a provider account reports (services, domains, invoices,
 * balance), a binding's settings and the time, to alerts with stable keys. No I/O here.
 *
 * Keys are what makes an alert post once per crossing (alert_deliveries is unique on
 * (binding, key)). A key names the item, the fact and, for expiries, the expiry date, so that
 * a renewal (new date) produces new keys; keys that no longer hold are deleted by the scan
 * ("reset"), so the next crossing alerts again.
 */

export type AlertKind =
  | "expiry"
  | "expired"
  | "low-balance"
  | "runway"
  | "autorenew-uncovered"
  | "invoice-unpaid"
  | "invoice-overdue"
  | "outage";

export type AlertSeverity = "info" | "warning" | "critical";

/** What the Renew button asks for: the arguments of requestConfirmation. */
export interface RenewRequest {
  action: "renew" | "domain-renew";
  params: { serviceId: string; serviceName: string } | { domainId: string; domainName: string };
  /** "4.99 EUR", where the provider gives a price. */
  cost?: string;
}

export interface Alert {
  /** Stable within a binding; see the key formats in {@link evaluateAlerts}. */
  key: string;
  kind: AlertKind;
  /** critical: expired, expiring today or tomorrow (breaks through quiet hours when allowed). */
  severity: AlertSeverity;
  /** The item the alert is about ("service:302", "domain:48", "invoice:9", "balance", "outage"); snoozes apply per subject. */
  subject: string;
  title: string;
  /** A few words naming the item, for button labels ("web", "invoice 308977"). */
  short: string;
  detail: string;
  /** What to do, in words; never a link. */
  advice: string;
  /** Present when the driver can renew the item: the Renew button's confirmation request. */
  renew?: RenewRequest;
  /** Sort order inside a digest (smaller first). */
  order: number;
}

/** What one account reported in a scan. An absent list means it was not fetched (or failed). */
export interface AccountFacts {
  account: { id: string; label: string; kind: ProviderKind; displayName?: string | null };
  balance?: Money;
  services?: Service[];
  domains?: Domain[];
  invoices?: Invoice[];
  canRenewService: boolean;
  canRenewDomain: boolean;
}

export interface RuleContext {
  now: Date;
  /** HOSTOPS_TZ: what "today" is. */
  timeZone: string;
  settings: AlertSettings;
}

/** Key prefixes, one per family of rules; a family is reset only when its inputs were all fetched. */
export const FAMILY = {
  serviceExpiry: "expiry:service:",
  domainExpiry: "expiry:domain:",
  balance: "balance:",
  runway: "runway:",
  autorenew: "autorenew:",
  invoice: "invoice:",
  outage: "outage:",
} as const;

/** Expired items are reported for this long after the date; older ones are history, not news. */
export const EXPIRED_LOOKBACK_DAYS = 30;
/** Renewals within this many days (or the longest expiry threshold, if longer) count as "upcoming". */
export const MIN_RENEWAL_HORIZON_DAYS = 31;

const DAY_MS = 86_400_000;
const ORDER = { critical: 0, warning: 1_000, info: 2_000 } as const;

/** The families whose inputs are present in `facts` (and may therefore be reset). */
export function evaluatedFamilies(facts: AccountFacts): string[] {
  const out: string[] = [FAMILY.outage];
  if (facts.services) out.push(FAMILY.serviceExpiry);
  if (facts.domains) out.push(FAMILY.domainExpiry);
  if (facts.balance) out.push(FAMILY.balance);
  if (facts.balance && facts.services) out.push(FAMILY.runway, FAMILY.autorenew);
  if (facts.invoices) out.push(FAMILY.invoice);
  return out;
}

/**
 * All alerts that hold now. Key formats:
 * - `expiry:service:<id>:<YYYY-MM-DD>:d<threshold>` (tightest threshold crossed) or `…:expired`
 * - `expiry:domain:<id>:<YYYY-MM-DD>:d<threshold>` or `…:expired`
 * - `balance:low:<minimum>`
 * - `runway:<currency>:d<threshold>`
 * - `autorenew:service:<id>:<YYYY-MM-DD>`
 * - `invoice:<id>:unpaid`, `invoice:<id>:overdue`
 */
export function evaluateAlerts(facts: AccountFacts, ctx: RuleContext): Alert[] {
  const { settings } = ctx;
  const today = localDay(ctx.now, ctx.timeZone);
  const out: Alert[] = [];
  const thresholds = normalizeThresholds(settings.expiryDays);
  const forecast =
    facts.balance && facts.services ? runwayForecast(facts.balance, facts.services, today, thresholds) : null;

  if (thresholds.length) {
    for (const s of facts.services ?? []) {
      if (s.status === "cancelled") continue;
      const a = expiryAlert(facts, "service", s, today, thresholds, forecast);
      if (a) out.push(a);
    }
    for (const d of facts.domains ?? []) {
      if (/cancel|transfer/i.test(d.status)) continue;
      const a = expiryAlert(facts, "domain", d, today, thresholds, forecast);
      if (a) out.push(a);
    }
  }
  if (facts.balance && settings.minBalance && isDecimal(settings.minBalance)) {
    const a = lowBalanceAlert(facts, facts.balance, settings.minBalance, forecast);
    if (a) out.push(a);
  }
  if (forecast && facts.balance) {
    const a = runwayAlert(facts, facts.balance, forecast, thresholds);
    if (a) out.push(a);
    out.push(...autorenewAlerts(facts, forecast, today));
  }
  if (settings.unpaidInvoices)
    for (const inv of facts.invoices ?? []) out.push(...invoiceAlerts(facts, inv, today));
  return out.sort((a, b) => a.order - b.order || a.key.localeCompare(b.key));
}

/** Thresholds as distinct whole days, largest first. */
export function normalizeThresholds(days: readonly number[]): number[] {
  return [...new Set(days.filter((d) => Number.isInteger(d) && d >= 0))].sort((a, b) => b - a);
}

/** The tightest threshold that `daysLeft` has crossed (daysLeft <= threshold), or undefined. */
export function crossedThreshold(daysLeft: number, thresholds: readonly number[]): number | undefined {
  let hit: number | undefined;
  for (const t of thresholds) if (daysLeft <= t && (hit === undefined || t < hit)) hit = t;
  return hit;
}

// ---------------------------------------------------------------------------------------------
// Expiry

function expiryAlert(
  facts: AccountFacts,
  type: "service" | "domain",
  item: Service | Domain,
  today: Day,
  thresholds: number[],
  forecast: RunwayForecast | null,
): Alert | undefined {
  if (!item.expiresAt) return undefined;
  const date = expiryDay(item.expiresAt);
  const daysLeft = date.n - today.n;
  const name = type === "service" ? serviceName(item as Service) : plain((item as Domain).name, 120);
  const short =
    type === "service"
      ? plain((item as Service).label || (item as Service).hostname || `#${item.id}`, 40)
      : plain((item as Domain).name, 40);
  const noun = type === "service" ? "Service" : "Domain";
  const provider = providerName(facts.account);
  const canRenew = type === "service" ? facts.canRenewService : facts.canRenewDomain;
  const price = "renewalPrice" in item ? item.renewalPrice : undefined;
  const renew: RenewRequest | undefined = canRenew
    ? type === "service"
      ? {
          action: "renew",
          params: { serviceId: item.id, serviceName: plain((item as Service).label || item.id, 80) },
          ...(price ? { cost: `${price.amount} ${price.currency}` } : {}),
        }
      : { action: "domain-renew", params: { domainId: item.id, domainName: (item as Domain).name } }
    : undefined;
  const base = `expiry:${type}:${item.id}:${date.iso}`;
  const subject = `${type}:${item.id}`;
  const howToRenew = canRenew
    ? "Renew it with the Renew button (an admin approves the request)"
    : `Renew it in the ${provider} client area (${provider} cannot renew ${type}s from the API)`;

  if (daysLeft < 0) {
    if (-daysLeft > EXPIRED_LOOKBACK_DAYS) return undefined;
    return {
      key: `${base}:expired`,
      kind: "expired",
      severity: "critical",
      subject,
      title: `${noun} ${name} expired ${relDays(daysLeft)} (${date.iso})`,
      short,
      detail: `${accountRef(facts)}.${coverage(item, forecast)}`,
      advice: `${howToRenew} now if it is still needed: ${provider} may suspend or delete it. If it is not needed, cancel it and this alert will not come back.`,
      renew,
      order: ORDER.critical + daysLeft,
    };
  }
  const t = crossedThreshold(daysLeft, thresholds);
  if (t === undefined) return undefined;
  const severity: AlertSeverity = daysLeft <= 1 ? "critical" : "warning";
  const autorenew = item.autorenew === true ? " Autorenew is on." : "";
  return {
    key: `${base}:d${t}`,
    kind: "expiry",
    severity,
    subject,
    title: `${noun} ${name} expires ${relDays(daysLeft)} (${date.iso})`,
    short,
    detail: `${accountRef(facts)}.${autorenew}${coverage(item, forecast)}`,
    advice: `${howToRenew} before ${date.iso}, and keep enough credit on the account for the renewal invoice.`,
    renew,
    order: ORDER[severity] + daysLeft,
  };
}

function coverage(item: Service | Domain, forecast: RunwayForecast | null): string {
  if (!forecast || !("renewalPrice" in item) || !item.renewalPrice) return "";
  const price = `${item.renewalPrice.amount} ${item.renewalPrice.currency}`;
  const miss = forecast.uncovered.find((u) => u.serviceId === item.id);
  if (miss)
    return ` The balance (${forecast.balance}) does not cover the renewal (${price}); ${miss.shortfall} more is needed.`;
  if (forecast.covered.some((u) => u.serviceId === item.id))
    return ` The balance (${forecast.balance}) covers the renewal (${price}).`;
  return "";
}

function serviceName(s: Service): string {
  const label = plain(s.label || s.hostname || `#${s.id}`, 80);
  const product = s.product && s.product !== s.label ? ` (${plain(s.product, 60)})` : "";
  return `${label}${product}`;
}

// ---------------------------------------------------------------------------------------------
// Balance and runway

export interface RenewalPlan {
  serviceId: string;
  label: string;
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
 * Money is exact: bigint units, never floats.
 */
export function runwayForecast(
  balance: Money,
  services: readonly Service[],
  today: Day,
  thresholds: readonly number[] = [],
): RunwayForecast | null {
  if (!isDecimal(balance.amount)) return null;
  const currency = balance.currency;
  const horizonDays = Math.max(MIN_RENEWAL_HORIZON_DAYS, ...thresholds);
  let monthly = 0n;
  let counted = 0;
  let skipped = 0;
  const upcoming: { s: Service; date: Day; price: bigint }[] = [];
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
      const date = expiryDay(s.expiresAt);
      const d = date.n - today.n;
      if (d >= 0 && d <= horizonDays) upcoming.push({ s, date, price });
    }
  }
  const bal = toUnits(balance.amount);
  let daysLeft: number | null = null;
  if (monthly > 0n) {
    // days = balance / (monthly * 12 / 365), floored; an empty or negative balance lasts 0 days.
    daysLeft = bal <= 0n ? 0 : Number((bal * 365n) / (monthly * 12n));
  }
  upcoming.sort((a, b) => a.date.n - b.date.n || a.s.id.localeCompare(b.s.id));
  let remaining = bal;
  const covered: RenewalPlan[] = [];
  const uncovered: RenewalPlan[] = [];
  for (const u of upcoming) {
    const plan: RenewalPlan = {
      serviceId: u.s.id,
      label: plain(u.s.label || u.s.hostname || `#${u.s.id}`, 80),
      date: u.date.iso,
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
    lastsUntil: daysLeft === null ? null : dayPlus(today, daysLeft).iso,
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
  const counted = `${f.servicesCounted} service${f.servicesCounted === 1 ? "" : "s"}`;
  const skipped = f.servicesSkipped
    ? ` (${f.servicesSkipped} without a price in ${f.currency} not counted)`
    : "";
  return `At about ${f.monthlySpend} ${f.currency} a month (${counted}${skipped}), ${f.balance} lasts about ${f.daysLeft} day${f.daysLeft === 1 ? "" : "s"} (until about ${f.lastsUntil}).`;
}

function uncoveredSentence(f: RunwayForecast): string {
  if (!f.uncovered.length) return "";
  const list = f.uncovered.map((u) => `${u.label} on ${u.date} (${u.price})`).join(", ");
  return ` Renewals in the next ${f.horizonDays} days it will not cover: ${list}.`;
}

function lowBalanceAlert(
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
    brief.push(`lasts about ${forecast.daysLeft} day${forecast.daysLeft === 1 ? "" : "s"}`);
  const n = forecast?.uncovered.length ?? 0;
  if (n)
    brief.push(`${n} renewal${n === 1 ? "" : "s"} in the next ${forecast?.horizonDays} days not covered`);
  return {
    key: `balance:low:${minimum}`,
    kind: "low-balance",
    severity: "warning",
    subject: "balance",
    title: `Balance of ${facts.account.label} is ${balance.amount} ${balance.currency}, below the minimum of ${minimum} ${balance.currency}${brief.length ? ` (${brief.join("; ")})` : ""}`,
    short: "balance",
    detail: `${accountRef(facts)}.${runway ? ` ${runway.trim()}` : ""}`,
    advice: `Top up the ${providerName(facts.account)} account in its client area, or change the minimum with /hosting alerts config.`,
    order: ORDER.warning + 500,
  };
}

function runwayAlert(
  facts: AccountFacts,
  balance: Money,
  f: RunwayForecast,
  thresholds: number[],
): Alert | undefined {
  if (f.daysLeft === null) return undefined;
  const t = crossedThreshold(f.daysLeft, thresholds);
  if (t === undefined) return undefined;
  return {
    key: `runway:${balance.currency}:d${t}`,
    kind: "runway",
    severity: "warning",
    subject: "runway",
    title: `Balance of ${facts.account.label} lasts about ${f.daysLeft} day${f.daysLeft === 1 ? "" : "s"} at the current spend`,
    short: "runway",
    detail: `${accountRef(facts)}. ${runwaySentence(f)}${uncoveredSentence(f)}`,
    advice: `Top up the ${providerName(facts.account)} account before ${f.lastsUntil}, or cancel services that are no longer needed.`,
    order: ORDER.warning + 600,
  };
}

function autorenewAlerts(facts: AccountFacts, f: RunwayForecast, today: Day): Alert[] {
  return f.uncovered
    .filter((u) => u.autorenew === true)
    .map((u) => {
      const days = isoToDay(u.date).n - today.n;
      const severity: AlertSeverity = days <= 1 ? "critical" : "warning";
      return {
        key: `autorenew:service:${u.serviceId}:${u.date}`,
        kind: "autorenew-uncovered",
        severity,
        subject: `service:${u.serviceId}`,
        title: `Automatic renewal of ${u.label} ${relDays(days)} (${u.date}) is not covered by the balance`,
        short: `${u.label.slice(0, 30)} renewal`,
        detail: `${accountRef(facts)}. Autorenew is on, but ${f.balance} does not cover ${u.price} after the renewals due before it.`,
        advice: `Top up at least ${u.shortfall} before ${u.date}, or the automatic renewal will fail and the service may be suspended.`,
        order: ORDER[severity] + days,
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Invoices

function invoiceAlerts(facts: AccountFacts, inv: Invoice, today: Day): Alert[] {
  if (inv.status !== "unpaid" && inv.status !== "overdue") return [];
  const due = inv.dueAt ? expiryDay(inv.dueAt) : undefined;
  const overdue = inv.status === "overdue" || (due !== undefined && due.n < today.n);
  const amount = inv.total ? `${inv.total.amount} ${inv.total.currency}` : "amount unknown";
  const provider = providerName(facts.account);
  const id = plain(inv.id, 60);
  if (overdue) {
    const ago = due ? ` It was due on ${due.iso} (${relDays(due.n - today.n)}).` : "";
    return [
      {
        key: `invoice:${inv.id}:overdue`,
        kind: "invoice-overdue",
        severity: "warning",
        subject: `invoice:${inv.id}`,
        title: `Invoice ${id} (${amount}) is overdue`,
        short: `invoice ${id.slice(0, 30)}`,
        detail: `${accountRef(facts)}.${ago}`,
        advice: `Pay it now in the ${provider} client area: overdue invoices get services suspended.`,
        order: ORDER.warning + 700 + (due ? due.n - today.n : 0),
      },
    ];
  }
  const when = due ? ` It is due ${relDays(due.n - today.n)} (${due.iso}).` : "";
  return [
    {
      key: `invoice:${inv.id}:unpaid`,
      kind: "invoice-unpaid",
      severity: "info",
      subject: `invoice:${inv.id}`,
      title: `Invoice ${id} (${amount}) is unpaid`,
      short: `invoice ${id.slice(0, 30)}`,
      detail: `${accountRef(facts)}.${when}`,
      advice: `Pay it in the ${provider} client area${due ? ` before ${due.iso}` : ""}.`,
      order: ORDER.info + (due ? due.n - today.n : 0),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Outage

/** The notice for an account that could not be checked; one per outage (the key has no time in it). */
export function outageAlert(
  account: { id: string; label: string; kind: ProviderKind; displayName?: string | null },
  reason: string,
  since: Date,
  timeZone: string,
): Alert {
  return {
    key: `outage:${account.id}`,
    kind: "outage",
    severity: "warning",
    subject: "outage",
    title: `Could not check account ${account.label} since ${formatTime(since, timeZone)}`,
    short: "notice",
    detail: reason,
    advice: `hostops keeps trying on every scan and will say when the account answers again. If the credentials changed, an admin can update them with /hosting accounts edit ${account.label}.`,
    order: -1,
  };
}

function accountRef(facts: AccountFacts): string {
  return `Account ${facts.account.label} (${providerName(facts.account)})`;
}

// ---------------------------------------------------------------------------------------------
// Calendar days and quiet hours

/** A calendar day: ISO date and a day number (days since 1970-01-01) for subtraction. */
export interface Day {
  iso: string;
  n: number;
}

function isoToDay(iso: string): Day {
  return { iso, n: Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS) };
}

function fromCalendar(day: CalendarDay): Day {
  return isoToDay(day.toString());
}

/** Today in the configured zone (calendar.ts). */
export function localDay(now: Date, timeZone: string): Day {
  return fromCalendar(dayIn(now, timeZone));
}

/**
 * The calendar day an item expires: the date a provider names, never shifted into a zone
 * (calendar.ts), so that the key (which holds the date) does not depend on any zone.
 */
export function expiryDay(d: Date): Day {
  return fromCalendar(providerDay(d));
}

function dayPlus(d: Day, n: number): Day {
  return fromCalendar(addDays(parseDay(d.iso), n));
}

const relDays = relativeDayCount;

const timeFormatters = new Map<string, Intl.DateTimeFormat>();
function timeFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = timeFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    timeFormatters.set(timeZone, f);
  }
  return f;
}

/** Minutes since local midnight in the zone. */
export function localMinutes(now: Date, timeZone: string): number {
  const parts = timeFormatter(timeZone).formatToParts(now);
  const h = Number(parts.find((p) => p.type === "hour")?.value ?? 0);
  const m = Number(parts.find((p) => p.type === "minute")?.value ?? 0);
  return (h % 24) * 60 + m;
}

/** "2026-01-10 23:05 UTC" */
export function formatTime(d: Date, timeZone: string): string {
  return `${localDay(d, timeZone).iso} ${timeFormatter(timeZone).format(d)} ${timeZone}`;
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
