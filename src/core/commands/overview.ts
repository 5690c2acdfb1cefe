import { z } from "zod";
import { defineCommand } from "../context.ts";
import { buildOverview } from "../overview.ts";
import { reply } from "../reply.ts";

/** `/hosting overview`: the person's overview across channels (Slack shows the same in its App Home). */
export const overview = defineCommand({
  path: ["overview"],
  summary: "Your overview: next expiries, alerting accounts, balances and requests waiting for you",
  params: [],
  schema: z.object({}),
  role: "viewer",
  mayCallProvider: true,
  ephemeral: true,
  async run(ctx) {
    return reply(await buildOverview(ctx.core, ctx.actor));
  },
});
