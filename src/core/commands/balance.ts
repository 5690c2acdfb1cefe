import { z } from "zod";
import { defineCommand } from "../context.ts";
import { formatMoney } from "../format.ts";
import { type Block, blocksReply, reply } from "../reply.ts";
import {
  accountParam,
  accountTitle,
  allFailed,
  failureBlocks,
  forEachAccount,
  labelSchema,
} from "./shared.ts";

export const balance = defineCommand({
  path: ["balance"],
  summary: "Show the prepaid balance (credit) of the accounts bound here",
  params: [accountParam],
  schema: z.object({ account: labelSchema.optional() }),
  role: "viewer",
  async run(ctx, args) {
    const results = await forEachAccount(ctx, args.account, "getBalance", (d) => d.getBalance!());
    const ok = results.filter((r) => r.ok);
    const blocks: Block[] = [{ kind: "header", text: "Balance" }];
    if (ok.length)
      blocks.push({ kind: "fields", fields: ok.map((r) => [accountTitle(r.account), formatMoney(r.value)]) });
    blocks.push(...failureBlocks(results));
    return reply(
      blocksReply(blocks, {
        ephemeral: allFailed(results),
        severity: allFailed(results) ? "warning" : "info",
      }),
    );
  },
});
