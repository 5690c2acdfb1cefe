import { z } from "zod";
import type { Invoice } from "../../providers/types.ts";
import { defineCommand } from "../context.ts";
import { formatDay, formatMoney, relativeDays } from "../format.ts";
import type { Block } from "../reply.ts";
import { rich, strong } from "../rich.ts";
import { accountParam, accountsReply, accountTitle, forEachAccount, labelSchema } from "./shared.ts";

const FLAG: Record<Invoice["status"], string> = {
  paid: "paid",
  unpaid: "⚠ UNPAID",
  overdue: "🔴 OVERDUE",
  cancelled: "cancelled",
  unknown: "?",
};

export const invoices = defineCommand({
  path: ["invoices"],
  summary: "List invoices; unpaid and overdue ones are flagged",
  examples: ["/hosting invoices", "/hosting invoices --unpaid"],
  params: [
    accountParam,
    { name: "unpaid", description: "only unpaid and overdue invoices", type: "boolean", flag: true },
  ],
  schema: z.object({ account: labelSchema.optional(), unpaid: z.boolean().optional() }),
  role: "viewer",
  mayCallProvider: true,
  async run(ctx, args) {
    const results = await forEachAccount(ctx, args.account, "listInvoices", (d) => d.listInvoices());
    const tz = ctx.core.settings.timeZone;
    const now = ctx.core.clock.now();
    const isOpen = (i: Invoice) => i.status === "unpaid" || i.status === "overdue";
    const anyOpen = results.some((r) => r.value?.some(isOpen));
    return accountsReply(
      args.unpaid ? "Unpaid invoices" : "Invoices",
      results,
      (all, r) => {
        const list = all
          .filter((i) => !args.unpaid || isOpen(i))
          .sort((a, b) => (b.issuedAt?.getTime() ?? 0) - (a.issuedAt?.getTime() ?? 0));
        const blocks: Block[] = [
          {
            kind: "context",
            text: rich`${strong(accountTitle(r.account))}: ${list.length} invoice(s), ${list.filter(isOpen).length} unpaid`,
          },
          {
            kind: "table",
            columns: ["ID", "Issued", "Due", "Total", "Status"],
            rows: list
              .slice(0, 50)
              .map((i) => [
                i.id,
                formatDay(i.issuedAt),
                i.dueAt && isOpen(i)
                  ? `${formatDay(i.dueAt)} (${relativeDays(i.dueAt, now, tz)})`
                  : formatDay(i.dueAt),
                formatMoney(i.total),
                FLAG[i.status],
              ]),
          },
        ];
        if (list.length > 50)
          blocks.push({ kind: "context", text: `…and ${list.length - 50} older invoice(s).` });
        return blocks;
      },
      anyOpen ? "warning" : "info",
    );
  },
});
