import { z } from "zod";
import { defineCommand } from "../context.ts";
import { formatMoney } from "../format.ts";
import { accountParam, accountsReply, accountTitle, forEachAccount, labelSchema } from "./shared.ts";

export const balance = defineCommand({
  path: ["balance"],
  summary: "Show the prepaid balance (credit) of the accounts bound here",
  params: [accountParam],
  schema: z.object({ account: labelSchema.optional() }),
  role: "viewer",
  mayCallProvider: true,
  async run(ctx, args) {
    const results = await forEachAccount(ctx, args.account, "getBalance", (d) => d.getBalance());
    return accountsReply("Balance", results, (value, r) => [
      { kind: "fields", fields: [[accountTitle(r.account), formatMoney(value)]] },
    ]);
  },
});
