import type { AlertSettings } from "../../db/schema.ts";
import { type ProviderKind, providerName } from "../../providers/types.ts";
import { type Block, type Button, blocksReply, type Reply, type Severity } from "../reply.ts";
import { command, concat, type IconName, icon, join, type Rich, rich, strong, type Text } from "../rich.ts";
import { formatTime } from "./hours.ts";
import type { AccountRef, Alert, AlertSeverity } from "./model.ts";

/**
 * What alerts look like: one digest message per binding per scan (every alert with what to do and
 * its buttons), the "answers again" line, and a binding's settings as label/value pairs. Rich
 * text only (rich.ts): each chat adapter renders it its own way.
 */

/** Button action ids; the handlers are in commands.ts. */
export const ALERT_ACTIONS = {
  renew: "alerts:renew",
  snooze: "alerts:snooze",
  snoozeAll: "alerts:snooze-all",
} as const;

/** Alerts shown with their own text and buttons in one message; the rest are listed by title. */
export const MAX_DETAILED = 12;
const MAX_LISTED = 25;

const ICON: Record<AlertSeverity, IconName> = {
  critical: "alert-critical",
  warning: "alert-warning",
  info: "alert-info",
};

export interface DigestItem {
  alert: Alert;
  /** alert_deliveries.id: what the buttons carry (stale after a reset, so a button cannot act on a renewed item). */
  deliveryId: string;
  /** Why it comes now ("held during quiet hours since …", "reminder: snoozed until …"). */
  note?: string;
}

export interface DigestInput {
  account: { label: string; kind: ProviderKind; displayName?: string | null };
  bindingId: string;
  items: DigestItem[];
  /** "Account prod answers again" lines (no buttons). */
  recoveries: Text[];
}

/** The line posted when an account that could not be checked answers again. */
export function recoveryLine(account: Omit<AccountRef, "id">, since: Date, timeZone: string): Rich {
  return rich`Account ${account.label} (${providerName(account)}) answers again; it could not be checked since ${formatTime(since, timeZone)}.`;
}

/** One message per binding per scan: every alert with what to do and its buttons. */
export function renderDigest(input: DigestInput): Reply {
  const { account, items, recoveries } = input;
  const sorted = [...items].sort((a, b) => a.alert.order - b.alert.order);
  const provider = providerName(account);
  const n = sorted.length;
  const blocks: Block[] = [
    {
      kind: "header",
      text: n
        ? `${n} alert${n === 1 ? "" : "s"} for ${account.label} (${provider})`
        : `${account.label} (${provider}) answers again`,
    },
  ];
  for (const r of recoveries) blocks.push({ kind: "text", text: concat(icon("success"), " ", r) });
  for (const item of sorted.slice(0, MAX_DETAILED)) {
    const a = item.alert;
    blocks.push({
      kind: "text",
      text: rich`${icon(ICON[a.severity])} ${strong(a.title)}\n${a.detail}\nWhat to do: ${a.advice}`,
    });
    if (item.note) blocks.push({ kind: "context", text: item.note });
    const buttons: Button[] = [];
    // The item is named on its buttons: Discord shows every button under the message, not under its alert.
    if (a.renew)
      buttons.push({
        id: ALERT_ACTIONS.renew,
        label: `Renew ${a.short}`,
        style: "primary",
        value: item.deliveryId,
      });
    buttons.push(
      { id: ALERT_ACTIONS.snooze, label: `Snooze ${a.short} 1 day`, value: `${item.deliveryId}|1` },
      { id: ALERT_ACTIONS.snooze, label: `Snooze ${a.short} 7 days`, value: `${item.deliveryId}|7` },
    );
    blocks.push({ kind: "actions", buttons });
  }
  const rest = sorted.slice(MAX_DETAILED);
  if (rest.length) {
    const listed = rest
      .slice(0, MAX_LISTED)
      .map((i) => concat(icon(ICON[i.alert.severity]), " ", i.alert.title));
    const more = rest.length > MAX_LISTED ? `\n…and ${rest.length - MAX_LISTED} more.` : "";
    blocks.push({ kind: "text", text: concat(join(listed, "\n"), more) });
  }
  if (n > 1)
    blocks.push({
      kind: "actions",
      buttons: [
        {
          id: ALERT_ACTIONS.snoozeAll,
          label: `Snooze all of ${account.label} 1 day`,
          value: `${input.bindingId}|1`,
        },
        {
          id: ALERT_ACTIONS.snoozeAll,
          label: `Snooze all of ${account.label} 7 days`,
          value: `${input.bindingId}|7`,
        },
      ],
    });
  if (n)
    blocks.push({
      kind: "context",
      text: rich`Each alert is posted once. Snooze holds it and reminds you when the snooze ends if it still holds. ${command(["alerts", "show"])} shows the open alerts and the settings.`,
    });
  return blocksReply(blocks, { severity: digestSeverity(sorted.map((i) => i.alert.severity)) });
}

function digestSeverity(all: AlertSeverity[]): Severity {
  if (all.includes("critical")) return "critical";
  if (all.includes("warning")) return "warning";
  return all.length ? "info" : "success";
}

/**
 * The settings of a binding as label/value pairs. `balance` (the account's balance now, when
 * known) gives the minimum its currency; without it the minimum is in the balance's currency.
 */
export function settingsFields(
  s: AlertSettings,
  snoozedUntil: string | null,
  balance?: { amount: string; currency: string } | null,
): [string, string][] {
  const quiet = s.quietStart && s.quietEnd ? `${s.quietStart}–${s.quietEnd}` : "none";
  return [
    ["Alerts", s.enabled ? (snoozedUntil ? `on, snoozed until ${snoozedUntil}` : "on") : "off"],
    ["Days before expiry", s.expiryDays.length ? s.expiryDays.join(", ") : "no expiry alerts"],
    [
      "Minimum balance",
      !s.minBalance
        ? "no balance alert"
        : balance
          ? `${s.minBalance} ${balance.currency} (balance now ${balance.amount} ${balance.currency})`
          : `${s.minBalance} (in the currency of the account's balance)`,
    ],
    ["Unpaid invoices", s.unpaidInvoices ? "on" : "off"],
    ["Quiet hours", quiet],
    ["Critical alerts in quiet hours", s.criticalOverridesQuiet ? "posted at once" : "wait too"],
  ];
}
