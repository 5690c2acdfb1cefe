import { type Invoice, providerName } from "../../providers/types.ts";
import { type CalendarDay, dayIn, daysBetween, providerDay, relativeDayCount } from "../calendar.ts";
import { plain } from "../format.ts";
import { command, rich, type Text } from "../rich.ts";
import { isDecimal } from "./decimal.ts";
import { expiryAlert, normalizeThresholds } from "./expiry.ts";
import { formatTime } from "./hours.ts";
import {
  type AccountFacts,
  type AccountRef,
  type Alert,
  accountRef,
  FAMILY,
  ORDER,
  type RuleContext,
} from "./model.ts";
import { autorenewAlerts, lowBalanceAlert, runwayAlert, runwayForecast } from "./runway.ts";

/**
 * Alert rules: pure functions from what a provider account reports (services, domains, invoices,
 * balance), a binding's settings and the time, to alerts with stable keys. No I/O here. The
 * expiry rules are in expiry.ts, the balance rules in runway.ts; the invoice and outage rules,
 * and the one entry point, here.
 *
 * Keys are what makes an alert post once per crossing (alert_deliveries is unique on
 * (binding, key)). A key names the item, the fact and, for expiries, the expiry date, so that
 * a renewal (new date) produces new keys; keys that no longer hold are deleted by the scan
 * ("reset"), so the next crossing alerts again.
 */

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
  const today = dayIn(ctx.now, ctx.timeZone);
  const out: Alert[] = [];
  const thresholds = normalizeThresholds(settings.expiryDays);
  const forecast =
    facts.balance && facts.services ? runwayForecast(facts.balance, facts.services, today, thresholds) : null;

  if (thresholds.length) {
    for (const item of facts.services ?? []) {
      if (item.status === "cancelled") continue;
      const a = expiryAlert(facts, { type: "service", item }, today, thresholds, forecast);
      if (a) out.push(a);
    }
    for (const item of facts.domains ?? []) {
      if (/cancel|transfer/i.test(item.status)) continue;
      const a = expiryAlert(facts, { type: "domain", item }, today, thresholds, forecast);
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

/** `invoice:<id>:unpaid`, then `invoice:<id>:overdue` once it is past due (by the driver or by our calendar). */
function invoiceAlerts(facts: AccountFacts, inv: Invoice, today: CalendarDay): Alert[] {
  if (inv.status !== "unpaid" && inv.status !== "overdue") return [];
  const due = inv.dueAt ? providerDay(inv.dueAt) : undefined;
  const days = due ? daysBetween(today, due) : 0;
  const overdue = inv.status === "overdue" || (due !== undefined && days < 0);
  const amount = inv.total ? `${inv.total.amount} ${inv.total.currency}` : "amount unknown";
  const provider = providerName(facts.account);
  const id = plain(inv.id, 60);
  const common = { subject: `invoice:${inv.id}`, short: `invoice ${id.slice(0, 30)}` };
  if (overdue) {
    const ago = due ? ` It was due on ${due.toString()} (${relativeDayCount(days)}).` : "";
    return [
      {
        ...common,
        key: `invoice:${inv.id}:overdue`,
        kind: "invoice-overdue",
        severity: "warning",
        title: `Invoice ${id} (${amount}) is overdue`,
        detail: `${accountRef(facts)}.${ago}`,
        advice: `Pay it now in the ${provider} client area: overdue invoices get services suspended.`,
        order: ORDER.warning + 700 + days,
      },
    ];
  }
  const when = due ? ` It is due ${relativeDayCount(days)} (${due.toString()}).` : "";
  return [
    {
      ...common,
      key: `invoice:${inv.id}:unpaid`,
      kind: "invoice-unpaid",
      severity: "info",
      title: `Invoice ${id} (${amount}) is unpaid`,
      detail: `${accountRef(facts)}.${when}`,
      advice: `Pay it in the ${provider} client area${due ? ` before ${due.toString()}` : ""}.`,
      order: ORDER.info + days,
    },
  ];
}

/** The notice for an account that could not be checked; one per outage (the key has no time in it). */
export function outageAlert(account: AccountRef, reason: Text, since: Date, timeZone: string): Alert {
  return {
    key: `${FAMILY.outage}${account.id}`,
    kind: "outage",
    severity: "warning",
    subject: "outage",
    title: `Could not check account ${account.label} since ${formatTime(since, timeZone)}`,
    short: "notice",
    detail: reason,
    advice: rich`hostops keeps trying on every scan and will say when the account answers again. If the credentials changed, an admin can update them with ${command(["accounts", "edit"], { label: account.label })}.`,
    order: -1,
  };
}
