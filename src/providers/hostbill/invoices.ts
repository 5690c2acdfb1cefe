/**
 * HostBill balance and invoices: prepaid credit, and the invoice list with "overdue" worked out
 * from the due day (a calendar date, UTC midnight).
 */
import type { Invoice, Money } from "../types.ts";
import type { HostBillContext } from "./context.ts";
import { invoiceBaseStatus } from "./schemas.ts";
import { cleanRaw } from "./tasks.ts";

export async function getBalance(c: HostBillContext): Promise<Money> {
  const b = await c.api.getBalance();
  // Prepaid credit is acc_credit; acc_balance is the unpaid-invoices total (HS-1).
  return { amount: b.acc_credit, currency: b.currency };
}

export async function listInvoices(c: HostBillContext): Promise<Invoice[]> {
  const invoices = await c.api.listInvoices();
  const needsCurrency = invoices.some((i) => !i.value.currency);
  // Invoices that name their currency are the usual case; /balance is asked only otherwise.
  const fallback = needsCurrency
    ? invoices.map((i) => i.value.currency).find((cur) => cur) || (await c.accountCurrency())
    : "";
  const today = startOfTodayUtc(Date.now());
  return invoices.map(({ value: inv, raw }) => {
    const dueAt = inv.duedate ?? inv.paybefore;
    let status: Invoice["status"] = invoiceBaseStatus(inv.status);
    // Overdue: unpaid and the due day (a calendar date, UTC midnight) is before today.
    if (status === "unpaid" && dueAt && dueAt.getTime() < today) status = "overdue";
    if (inv.total === null)
      throw c.fail("UNEXPECTED_RESPONSE", `${c.name} sent an invoice (${inv.id}) without a valid total.`);
    return {
      id: inv.id,
      issuedAt: inv.date,
      dueAt,
      total: { amount: inv.total, currency: inv.currency || fallback },
      status,
      raw: cleanRaw(raw),
    };
  });
}

function startOfTodayUtc(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}
