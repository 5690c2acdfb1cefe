/**
 * HOSTKEY billing through its WHMCS bridge: the account credit (whmcs/get_client), the invoice list
 * with its paging, and WHMCS currency and invoice-status normalization. "line N" = a line in
 * shared/seeds/hostkey-invapi.txt.
 */
import { type Invoice, type InvoiceStatus, type Money, ProviderError } from "../types.ts";
import * as api from "./client.ts";
import type { InvoiceRecord } from "./schemas.ts";
import { stripHostkeySecrets } from "./secrets.ts";
import type { HostkeySession } from "./session.ts";

const INVOICE_PAGE_SIZE = 100;
const MAX_INVOICE_PAGES = 50;
const DAY_MS = 86_400_000;

export async function getBalance(s: HostkeySession): Promise<Money> {
  const client = await s.withSession((t) => api.getClient(s.http, t));
  if (client.credit === null)
    throw unexpected("HOSTKEY sent an account credit that is not a number (whmcs/get_client client.credit).");
  if (!client.currency_code)
    throw unexpected(
      "HOSTKEY sent no currency for the account credit (whmcs/get_client client.currency_code).",
    );
  return { amount: client.credit, currency: client.currency_code.toUpperCase() };
}

export async function listInvoices(s: HostkeySession): Promise<Invoice[]> {
  const byId = new Map<string, InvoiceRecord>();
  const first = await s.withSession((t) => api.getInvoices(s.http, t));
  for (const r of first.invoices) byId.set(r.id, r);
  const total = first.totalresults;
  let offset = first.invoices.length;
  // WHMCS pages the list: "totalresults": 6 with "numreturned": 5 (line 1622).
  for (let page = 1; total !== null && byId.size < total && page < MAX_INVOICE_PAGES; page++) {
    const before = byId.size;
    const next = await s.withSession((t) =>
      api.getInvoices(s.http, t, { limitstart: offset, limitnum: INVOICE_PAGE_SIZE }),
    );
    for (const r of next.invoices) byId.set(r.id, r);
    offset += next.invoices.length;
    if (byId.size === before) break; // the paging parameters were ignored: nothing new
  }
  if (total !== null && byId.size < total)
    s.log.warn(
      { provider: "hostkey", received: byId.size, total },
      "HOSTKEY invoice list is incomplete after paging",
    );
  const now = Date.now();
  return [...byId.values()].map((r) => toInvoice(s, r, now));
}

function toInvoice(s: HostkeySession, r: InvoiceRecord, now: number): Invoice {
  const amount = r.total;
  if (amount === null)
    // HOSTKEY sends invalid decimals such as "2.5.00" (line 1759, HK-14), or no total at all: the
    // total is unknown, never a made-up 0.00.
    s.log.warn({ provider: "hostkey", invoiceId: r.id }, "invoice total is missing or not a number");
  let currency = r.currencycode?.toUpperCase() ?? currencyFromAffixes(r.currencyprefix, r.currencysuffix);
  if (!currency) {
    s.log.warn({ provider: "hostkey", invoiceId: r.id }, "invoice has no currency; assuming EUR");
    currency = "EUR"; // HOSTKEY B.V. prices in EUR (presets/list "price in EUR", line 1847)
  }
  return {
    id: r.id,
    issuedAt: r.date,
    dueAt: r.duedate,
    total: amount === null ? null : { amount, currency },
    status: invoiceStatus(r.status, r.duedate, now),
    raw: stripHostkeySecrets(r.raw),
  };
}

/** WHMCS invoice status; "overdue" = unpaid after the due day has ended. */
function invoiceStatus(status: string | null, dueAt: Date | null, now: number): InvoiceStatus {
  switch (status?.toLowerCase()) {
    case "paid":
      return "paid";
    case "unpaid":
    case "payment pending":
      return dueAt && now >= dueAt.getTime() + DAY_MS ? "overdue" : "unpaid";
    case "collections":
      return "overdue";
    case "cancelled":
      return "cancelled";
    default:
      return "unknown";
  }
}

const CURRENCY_SYMBOLS: Record<string, string> = { "€": "EUR", $: "USD", "£": "GBP", "₽": "RUB" };

/** WHMCS `currencyprefix`/`currencysuffix` ("" and "EUR", line 1378) to a currency code. */
export function currencyFromAffixes(prefix: string | null, suffix: string | null): string | undefined {
  for (const v of [suffix, prefix]) {
    const s = v?.trim();
    if (!s) continue;
    if (/^[A-Za-z]{3}$/.test(s)) return s.toUpperCase();
    const bySymbol = CURRENCY_SYMBOLS[s];
    if (bySymbol) return bySymbol;
  }
  return undefined;
}

function unexpected(message: string): ProviderError {
  return new ProviderError("UNEXPECTED_RESPONSE", message, { provider: "hostkey", retryable: false });
}
