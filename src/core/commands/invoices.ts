import { z } from "zod";
import type { Invoice } from "../../providers/types.ts";
import { defineCommand } from "../context.ts";
import { formatDate, formatMoney, relativeDays } from "../format.ts";
import { type Block, blocksReply, reply } from "../reply.ts";
import {
  accountParam,
  accountTitle,
  allFailed,
  failureBlocks,
  forEachAccount,
  labelSchema,
} from "./shared.ts";

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
  async run(ctx, args) {
    const results = await forEachAccount(ctx, args.account, "listInvoices", (d) => d.listInvoices!());
    const tz = ctx.core.settings.timeZone;
    const now = ctx.core.clock.now();
    const blocks: Block[] = [{ kind: "header", text: args.unpaid ? "Unpaid invoices" : "Invoices" }];
    let open = 0;
    for (const r of results.filter((x) => x.ok)) {
      const list = (r.value ?? [])
        .filter((i) => !args.unpaid || i.status === "unpaid" || i.status === "overdue")
        .sort((a, b) => (b.issuedAt?.getTime() ?? 0) - (a.issuedAt?.getTime() ?? 0));
      const unpaid = list.filter((i) => i.status === "unpaid" || i.status === "overdue");
      open += unpaid.length;
      blocks.push({
        kind: "context",
        text: `*${accountTitle(r.account)}*: ${list.length} invoice(s), ${unpaid.length} unpaid`,
      });
      blocks.push({
        kind: "table",
        columns: ["ID", "Issued", "Due", "Total", "Status"],
        rows: list
          .slice(0, 50)
          .map((i) => [
            i.id,
            formatDate(i.issuedAt, tz),
            i.dueAt && (i.status === "unpaid" || i.status === "overdue")
              ? `${formatDate(i.dueAt, tz)} (${relativeDays(i.dueAt, now)})`
              : formatDate(i.dueAt, tz),
            formatMoney(i.total),
            FLAG[i.status],
          ]),
      });
      if (list.length > 50)
        blocks.push({ kind: "context", text: `…and ${list.length - 50} older invoice(s).` });
    }
    blocks.push(...failureBlocks(results));
    return reply(
      blocksReply(blocks, {
        ephemeral: allFailed(results),
        severity: allFailed(results) ? "warning" : open > 0 ? "warning" : "info",
      }),
    );
  },
});
