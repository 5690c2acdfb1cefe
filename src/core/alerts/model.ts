import type { AlertSettings } from "../../db/schema.ts";
import {
  type Domain,
  type Invoice,
  type Money,
  type ProviderKind,
  providerName,
  type Service,
} from "../../providers/types.ts";
import type { Text } from "../rich.ts";

/**
 * What an alert is: its kinds, severities and key families, and what one account reported in a
 * scan (the facts the rules read). Types and constants only; the rules are in rules.ts,
 * expiry.ts and runway.ts, the decisions about delivering them in planner.ts.
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
  /** Stable within a binding; see the key formats in rules.ts (`evaluateAlerts`). */
  key: string;
  kind: AlertKind;
  /** critical: expired, expiring today or tomorrow (breaks through quiet hours when allowed). */
  severity: AlertSeverity;
  /** The item the alert is about ("service:302", "domain:48", "invoice:9", "balance", "outage"); snoozes apply per subject. */
  subject: string;
  /** Plain words: shown strong in the digest, and as it is in tables, previews and stored rows. */
  title: string;
  /** A few words naming the item, for button labels ("web", "invoice 308977"). */
  short: string;
  detail: Text;
  /** What to do, in words; never a link. */
  advice: Text;
  /** Present when the driver can renew the item: the Renew button's confirmation request. */
  renew?: RenewRequest;
  /** Sort order inside a digest (smaller first). */
  order: number;
}

/** The account an alert names. */
export interface AccountRef {
  id: string;
  label: string;
  kind: ProviderKind;
  displayName?: string | null;
}

/** What one account reported in a scan. An absent list means it was not fetched (or failed). */
export interface AccountFacts {
  account: AccountRef;
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

/** Where each severity starts in a digest's order (critical first). */
export const ORDER = { critical: 0, warning: 1_000, info: 2_000 } as const;

/** "Account prod (Time4VPS)" */
export function accountRef(facts: AccountFacts): string {
  return `Account ${facts.account.label} (${providerName(facts.account)})`;
}

/** "1 day", "3 days" */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
