import type { AlertSettings } from "../../../db/schema.ts";
import type { Invoice, Service } from "../../../providers/types.ts";
import { DEFAULT_ALERT_SETTINGS } from "../../accounts.ts";
import type { AccountFacts, Alert } from "../model.ts";
import { evaluateAlerts } from "../rules.ts";

/** Builders shared by the alert tests: a fixed "now", provider dates around it, facts and settings. */

export const DAY = 86_400_000;
export const NOW = new Date("2026-03-10T09:00:00Z");

/** The provider date `offset` days from `from`'s UTC date (drivers read "YYYY-MM-DD" as UTC midnight). */
export const day = (offset: number, from = NOW) =>
  new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()) + offset * DAY);
export const iso = (d: Date) => d.toISOString().slice(0, 10);

export function service(over: Partial<Service> = {}): Service {
  return {
    id: "302",
    label: "vps1.example.com",
    product: "Linux 4",
    status: "active",
    expiresAt: day(30),
    autorenew: null,
    raw: {},
    ...over,
  };
}

export function invoice(over: Partial<Invoice> = {}): Invoice {
  return {
    id: "308977",
    issuedAt: day(-2),
    dueAt: day(5),
    total: { amount: "4.99", currency: "EUR" },
    status: "unpaid",
    raw: {},
    ...over,
  };
}

export function facts(over: Partial<AccountFacts> = {}): AccountFacts {
  return {
    account: { id: "acc-1", label: "prod", kind: "time4vps" },
    services: [],
    domains: [],
    invoices: [],
    canRenewService: true,
    canRenewDomain: true,
    ...over,
  };
}

export const settings = (over: Partial<AlertSettings> = {}): AlertSettings => ({
  ...DEFAULT_ALERT_SETTINGS,
  ...over,
});

export const eur = (amount: string) => ({ amount, currency: "EUR" });

export const run = (f: AccountFacts, now = NOW, s: Partial<AlertSettings> = {}, timeZone = "UTC") =>
  evaluateAlerts(f, { now, timeZone, settings: settings(s) });

export const keys = (alerts: Alert[]) => alerts.map((a) => a.key);
