import { type Domain, providerName, type Service } from "../../providers/types.ts";
import { type CalendarDay, daysBetween, providerDay, relativeDayCount } from "../calendar.ts";
import { plain } from "../format.ts";
import {
  type AccountFacts,
  type Alert,
  type AlertSeverity,
  accountRef,
  EXPIRED_LOOKBACK_DAYS,
  ORDER,
  type RenewRequest,
} from "./model.ts";
import type { RunwayForecast } from "./runway.ts";

/**
 * Expiry rules: a service or domain crossing a configured number of days before its date, or
 * expired (for {@link EXPIRED_LOOKBACK_DAYS}). Days are whole calendar days from today in
 * HOSTOPS_TZ to the day the provider names (calendar.ts), so the date in the key never depends
 * on a zone. Pure.
 */

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

type Item = { type: "service"; item: Service } | { type: "domain"; item: Domain };

/**
 * `expiry:<type>:<id>:<YYYY-MM-DD>:d<threshold>` (the tightest threshold crossed) or
 * `expiry:<type>:<id>:<YYYY-MM-DD>:expired`; nothing before the largest threshold.
 */
export function expiryAlert(
  facts: AccountFacts,
  it: Item,
  today: CalendarDay,
  thresholds: readonly number[],
  forecast: RunwayForecast | null,
): Alert | undefined {
  const { type, item } = it;
  if (!item.expiresAt) return undefined;
  const date = providerDay(item.expiresAt);
  const iso = date.toString();
  const daysLeft = daysBetween(today, date);
  const name = it.type === "service" ? serviceName(it.item) : plain(it.item.name, 120);
  const short =
    it.type === "service"
      ? plain(it.item.label || it.item.hostname || `#${it.item.id}`, 40)
      : plain(it.item.name, 40);
  const noun = type === "service" ? "Service" : "Domain";
  const provider = providerName(facts.account);
  const renew = renewRequest(facts, it);
  const base = `expiry:${type}:${item.id}:${iso}`;
  const subject = `${type}:${item.id}`;
  const howToRenew = renew
    ? "Renew it with the Renew button (an admin approves the request)"
    : `Renew it in the ${provider} client area (${provider} cannot renew ${type}s from the API)`;
  const cover = it.type === "service" ? coverage(it.item, forecast) : "";

  if (daysLeft < 0) {
    if (-daysLeft > EXPIRED_LOOKBACK_DAYS) return undefined;
    return {
      key: `${base}:expired`,
      kind: "expired",
      severity: "critical",
      subject,
      title: `${noun} ${name} expired ${relativeDayCount(daysLeft)} (${iso})`,
      short,
      detail: `${accountRef(facts)}.${cover}`,
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
    title: `${noun} ${name} expires ${relativeDayCount(daysLeft)} (${iso})`,
    short,
    detail: `${accountRef(facts)}.${autorenew}${cover}`,
    advice: `${howToRenew} before ${iso}, and keep enough credit on the account for the renewal invoice.`,
    renew,
    order: ORDER[severity] + daysLeft,
  };
}

/** The Renew button's request, when the driver can renew this kind of item. */
function renewRequest(facts: AccountFacts, it: Item): RenewRequest | undefined {
  if (it.type === "domain")
    return facts.canRenewDomain
      ? { action: "domain-renew", params: { domainId: it.item.id, domainName: it.item.name } }
      : undefined;
  if (!facts.canRenewService) return undefined;
  const price = it.item.renewalPrice;
  return {
    action: "renew",
    params: { serviceId: it.item.id, serviceName: plain(it.item.label || it.item.id, 80) },
    ...(price ? { cost: `${price.amount} ${price.currency}` } : {}),
  };
}

/** Whether the balance covers this service's renewal (a sentence, or nothing when unknown). */
function coverage(item: Service, forecast: RunwayForecast | null): string {
  if (!forecast || !item.renewalPrice) return "";
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
