import { z } from "zod";
import { providerName, type Service } from "../../providers/types.ts";
import { defineCommand } from "../context.ts";
import { UserError } from "../errors.ts";
import { formatDay, formatMoney, plain, relativeDays } from "../format.ts";
import { type Block, blocksReply, reply } from "../reply.ts";
import {
  accountParam,
  accountsReply,
  accountTitle,
  byExpiry,
  failureBlocks,
  forEachAccount,
  labelSchema,
  serviceIdSchema,
} from "./shared.ts";

const STATUS_ICON: Record<Service["status"], string> = {
  active: "🟢",
  pending: "🟡",
  suspended: "🟠",
  expired: "🔴",
  cancelled: "⚫",
  unknown: "⚪",
};

export const services = defineCommand({
  path: ["services"],
  summary: "List the services of the accounts bound to this channel, with expiry dates",
  examples: ["/hosting services", "/hosting services prod"],
  params: [accountParam],
  schema: z.object({ account: labelSchema.optional() }),
  role: "viewer",
  async run(ctx, args) {
    const results = await forEachAccount(ctx, args.account, "listServices", (d) => d.listServices!());
    const now = ctx.core.clock.now();
    const tz = ctx.core.settings.timeZone;
    return accountsReply("Services", results, (list, r) => [
      { kind: "context", text: `*${accountTitle(r.account)}*: ${list.length} service(s)` },
      {
        kind: "table",
        columns: ["ID", "Name", "Status", "Expires", ""],
        rows: byExpiry(list).map((s) => [
          s.id,
          plain(s.label || s.product, 32),
          `${STATUS_ICON[s.status]} ${s.status}`,
          formatDay(s.expiresAt),
          relativeDays(s.expiresAt, now, tz),
        ]),
      },
    ]);
  },
});

export const service = defineCommand({
  path: ["service"],
  compactPath: ["service", "show"],
  summary: "Show one service in detail",
  examples: ["/hosting service 1234", "/hosting service 1234 prod"],
  params: [
    {
      name: "id",
      description: "service id (see /hosting services)",
      type: "string",
      required: true,
      autocomplete: "service",
    },
    accountParam,
  ],
  schema: z.object({ id: serviceIdSchema, account: labelSchema.optional() }),
  role: "viewer",
  async run(ctx, args) {
    const results = await forEachAccount(ctx, args.account, "getService", async (d) => {
      try {
        return await d.getService!(args.id);
      } catch (err) {
        if ((err as { code?: string }).code === "NOT_FOUND") return null;
        throw err;
      }
    });
    const found = results.filter((r) => r.ok && r.value);
    if (found.length === 0) {
      const errors = results.filter((r) => !r.ok).map((r) => r.error);
      throw new UserError(
        "not_found",
        [`No service with id \`${plain(args.id, 80)}\` in the accounts bound here.`, ...errors].join("\n"),
      );
    }
    const tz = ctx.core.settings.timeZone;
    const now = ctx.core.clock.now();
    const blocks: Block[] = [];
    for (const r of found) {
      const s = r.value as Service;
      blocks.push({ kind: "header", text: `${plain(s.label || s.product, 80)} (${s.id})` });
      const fields: [string, string][] = [
        ["Account", accountTitle(r.account)],
        ["Product", plain(s.product, 80)],
        ["Status", `${STATUS_ICON[s.status]} ${s.status}`],
        ["Expires", `${formatDay(s.expiresAt)} ${relativeDays(s.expiresAt, now, tz)}`.trim()],
        ["Autorenew", s.autorenew === null ? "—" : s.autorenew ? "on" : "off"],
      ];
      if (s.hostname) fields.push(["Hostname", plain(s.hostname, 80)]);
      if (s.ipv4) fields.push(["IPv4", s.ipv4]);
      if (s.ipv6) fields.push(["IPv6", s.ipv6]);
      if (s.renewalPrice) fields.push(["Renewal", formatMoney(s.renewalPrice)]);
      blocks.push({ kind: "fields", fields });
      const driver = ctx.core.accounts.driverFor(r.account);
      const actions = [...driver.capabilities].filter((c) =>
        [
          "reboot",
          "powerOn",
          "powerOff",
          "reinstall",
          "renewService",
          "cancelService",
          "setAutorenew",
        ].includes(c),
      );
      blocks.push({
        kind: "context",
        text: actions.length
          ? `Actions ${providerName(r.account)} offers: ${actions.join(", ")} (each needs approval).`
          : `${providerName(r.account)} offers no server actions from the API.`,
      });
    }
    blocks.push(...failureBlocks(results));
    return reply(blocksReply(blocks));
  },
});
