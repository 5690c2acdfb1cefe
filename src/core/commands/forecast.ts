import pLimit from "p-limit";
import { z } from "zod";
import { fetchFacts } from "../alerts/facts.ts";
import { defineCommand } from "../context.ts";
import { buildForecast, FORECAST_DAYS, forecastAccount, forecastSummary } from "../forecast/plan.ts";
import { type Block, blocksReply, reply } from "../reply.ts";
import { join, rich } from "../rich.ts";
import { accountParam, COMMAND_FAN_OUT, labelSchema } from "./shared.ts";

/**
 * `/hosting forecast [account]`: the next 90 days as a picture — each prepaid balance stepping down
 * at its renewals against the channel's minimum, and every expiry and unpaid invoice on a calendar
 * coloured by risk — with the same facts in a few sentences beside it.
 */
export const forecast = defineCommand({
  path: ["forecast"],
  summary: `Chart the next ${FORECAST_DAYS} days: balance runway and renewal calendar of the accounts bound here`,
  examples: ["/hosting forecast", "/hosting forecast prod"],
  params: [accountParam],
  schema: z.object({ account: labelSchema.optional() }),
  role: "viewer",
  mayCallProvider: true,
  async run(ctx, args) {
    const { core, actor } = ctx;
    const targets = await core.accounts.resolve(
      actor.platform,
      actor.workspaceId,
      actor.channelId,
      args.account,
    );
    const limit = pLimit(Math.max(COMMAND_FAN_OUT, core.settings.providerConcurrency));
    const fetched = await Promise.all(
      targets.map(({ account, binding }) =>
        fetchFacts(core, account, { invoices: true }, limit).then((r) => ({ ...r, account, binding })),
      ),
    );
    const accounts = fetched.map(({ facts, account, binding }) =>
      forecastAccount(account, binding.alertSettings.minBalance, facts),
    );
    const f = buildForecast(accounts, { now: core.clock.now(), timeZone: core.settings.timeZone });
    const summary = forecastSummary(f);
    // echarts and resvg (a native module) load on the first chart, not at every start: ~45 MB.
    const { renderForecastPng } = await import("../forecast/chart.ts");
    const { png } = renderForecastPng(f);
    const blocks: Block[] = [
      { kind: "header", text: `Forecast: ${f.today} to ${f.until}` },
      { kind: "text", text: summary.join("\n") },
      {
        kind: "image",
        png,
        filename: `hostops-forecast-${f.today}.png`,
        alt: `Balance runway and renewal calendar, ${f.today} to ${f.until}. ${summary.join(" ")}`,
      },
    ];
    const failures = fetched.flatMap((r) => (r.failure ? [r.failure] : []));
    if (failures.length) blocks.push({ kind: "context", text: rich`Incomplete: ${join(failures, " ")}` });
    return reply(blocksReply(blocks));
  },
});
