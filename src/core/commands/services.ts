import { z } from "zod";
import { type Capability, providerName, type Service } from "../../providers/types.ts";
import { defineCommand } from "../context.ts";
import { UserError } from "../errors.ts";
import { expiryCell, formatMoney, plain } from "../format.ts";
import { type Block, blocksReply, reply } from "../reply.ts";
import { code, command, join, rich, strong } from "../rich.ts";
import {
  accountParam,
  accountsReply,
  accountTitle,
  byExpiry,
  CAPABILITY_COMMAND,
  failureBlocks,
  forEachAccount,
  labelSchema,
  notFoundText,
  relevantFailures,
  serviceIdSchema,
} from "./shared.ts";

const STATUS_ICON: Record<Service["status"], string> = {
  active: "🟢",
  pending: "🟡",
  suspended: "🟠",
  expired: "🔴",
  cancelled: "⚫",
  stopped: "⏹️",
  unknown: "⚪",
};

/** The status as a person reads it ("stopped" is a powered-off machine, not a suspension). */
function statusWord(status: Service["status"]): string {
  return status === "stopped" ? "powered off" : status;
}

export const services = defineCommand({
  path: ["services"],
  summary: "List the services of the accounts bound to this channel, with expiry dates",
  examples: ["/hosting services", "/hosting services prod"],
  params: [accountParam],
  schema: z.object({ account: labelSchema.optional() }),
  role: "viewer",
  mayCallProvider: true,
  async run(ctx, args) {
    const results = await forEachAccount(ctx, args.account, "listServices", (d) => d.listServices());
    const now = ctx.core.clock.now();
    const tz = ctx.core.settings.timeZone;
    return accountsReply("Services", results, (list, r) => [
      { kind: "context", text: rich`${strong(accountTitle(r.account))}: ${list.length} service(s)` },
      {
        kind: "table",
        columns: ["ID", "Name", "Status", "Expires"],
        rows: byExpiry(list).map((s) => [
          s.id,
          plain(s.label || s.product, 32),
          `${STATUS_ICON[s.status]} ${statusWord(s.status)}`,
          expiryCell(s.expiresAt, tz, now),
        ]),
      },
    ]);
  },
});

/** The actions a service page offers, in the order shown. */
const SERVICE_ACTIONS: Capability[] = [
  "reboot",
  "powerOn",
  "powerOff",
  "reinstall",
  "renewService",
  "setAutorenew",
  "cancelService",
];

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
  mayCallProvider: true,
  async run(ctx, args) {
    const results = await forEachAccount(ctx, args.account, "getService", async (d) => {
      try {
        return await d.getService(args.id);
      } catch (err) {
        if ((err as { code?: string }).code === "NOT_FOUND") return null;
        throw err;
      }
    });
    const found = results.filter((r) => r.ok && r.value);
    if (found.length === 0)
      throw new UserError(
        "not_found",
        notFoundText(results, rich`No service with id ${code(plain(args.id, 80))}`),
      );
    const tz = ctx.core.settings.timeZone;
    const now = ctx.core.clock.now();
    const blocks: Block[] = [];
    for (const r of found) {
      const s = r.value as Service;
      blocks.push({ kind: "header", text: `${plain(s.label || s.product, 80)} (${s.id})` });
      const fields: [string, string][] = [
        ["Account", accountTitle(r.account)],
        ["Product", plain(s.product, 80)],
        ["Status", `${STATUS_ICON[s.status]} ${statusWord(s.status)}`],
        ["Expires", expiryCell(s.expiresAt, tz, now)],
        ["Autorenew", s.autorenew === null ? "—" : s.autorenew ? "on" : "off"],
      ];
      if (s.hostname) fields.push(["Hostname", plain(s.hostname, 80)]);
      if (s.ipv4) fields.push(["IPv4", s.ipv4]);
      if (s.ipv6) fields.push(["IPv6", s.ipv6]);
      if (s.renewalPrice) fields.push(["Renewal", formatMoney(s.renewalPrice)]);
      blocks.push({ kind: "fields", fields });
      const driver = ctx.core.accounts.driverFor(r.account);
      // Each platform spells the commands its own way (Discord groups them: `/hosting service reboot`).
      const actions = SERVICE_ACTIONS.filter((c) => driver.capabilities.has(c)).map(
        (c) => CAPABILITY_COMMAND[c] ?? c,
      );
      const first = actions[0];
      const example = first
        ? rich`, e.g. ${command(first, { service: s.id, ...(first === "autorenew" ? { state: "on" } : {}), account: r.account.label })}`
        : [];
      blocks.push({
        kind: "context",
        text: actions.length
          ? rich`Actions (each runs after an admin approves): ${join(
              actions.map((a) => command(a)),
              ", ",
            )}${example}.`
          : `${providerName(r.account)} offers no server actions from the API.`,
      });
    }
    blocks.push(...failureBlocks(relevantFailures(results)));
    return reply(blocksReply(blocks));
  },
});
