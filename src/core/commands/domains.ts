import { z } from "zod";
import { defineCommand } from "../context.ts";
import { formatDate, plain, relativeDays } from "../format.ts";
import { type Block, blocksReply, reply } from "../reply.ts";
import {
  accountParam,
  accountTitle,
  allFailed,
  failureBlocks,
  forEachAccount,
  labelSchema,
} from "./shared.ts";

export const domains = defineCommand({
  path: ["domains"],
  summary: "List the domains of the accounts bound here, with expiry dates",
  params: [accountParam],
  schema: z.object({ account: labelSchema.optional() }),
  role: "viewer",
  async run(ctx, args) {
    const results = await forEachAccount(ctx, args.account, "listDomains", (d) => d.listDomains!());
    const tz = ctx.core.settings.timeZone;
    const now = ctx.core.clock.now();
    const blocks: Block[] = [{ kind: "header", text: "Domains" }];
    for (const r of results.filter((x) => x.ok)) {
      const list = [...(r.value ?? [])].sort(
        (a, b) =>
          (a.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY) -
          (b.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY),
      );
      blocks.push({ kind: "context", text: `*${accountTitle(r.account)}*: ${list.length} domain(s)` });
      blocks.push({
        kind: "table",
        columns: ["Domain", "Status", "Expires", "", "Autorenew"],
        rows: list.map((d) => [
          plain(d.name, 64),
          plain(d.status, 20),
          formatDate(d.expiresAt, tz),
          relativeDays(d.expiresAt, now),
          d.autorenew === null ? "—" : d.autorenew ? "on" : "off",
        ]),
      });
    }
    blocks.push(...failureBlocks(results));
    return reply(
      blocksReply(blocks, {
        ephemeral: allFailed(results),
        severity: allFailed(results) ? "warning" : "info",
      }),
    );
  },
});
