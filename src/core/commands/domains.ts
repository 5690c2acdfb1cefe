import { z } from "zod";
import { defineCommand } from "../context.ts";
import { expiryCell, plain } from "../format.ts";
import { rich, strong } from "../rich.ts";
import {
  accountParam,
  accountsReply,
  accountTitle,
  byExpiry,
  forEachAccount,
  labelSchema,
} from "./shared.ts";

export const domains = defineCommand({
  path: ["domains"],
  summary: "List the domains of the accounts bound here, with expiry dates",
  params: [accountParam],
  schema: z.object({ account: labelSchema.optional() }),
  role: "viewer",
  mayCallProvider: true,
  async run(ctx, args) {
    const results = await forEachAccount(ctx, args.account, "listDomains", (d) => d.listDomains());
    const tz = ctx.core.settings.timeZone;
    const now = ctx.core.clock.now();
    return accountsReply("Domains", results, (list, r) => [
      { kind: "context", text: rich`${strong(accountTitle(r.account))}: ${list.length} domain(s)` },
      {
        kind: "table",
        columns: ["Domain", "Status", "Expires", "Autorenew"],
        rows: byExpiry(list).map((d) => [
          plain(d.name, 64),
          plain(d.status, 20),
          expiryCell(d.expiresAt, tz, now),
          d.autorenew === null ? "—" : d.autorenew ? "on" : "off",
        ]),
      },
    ]);
  },
});
