import { z } from "zod";
import { providerName } from "../../providers/types.ts";
import { defineCommand } from "../context.ts";
import { UserError } from "../errors.ts";
import { blocksReply, reply, textReply } from "../reply.ts";
import { labelParam, labelSchema } from "./shared.ts";

export const bind = defineCommand({
  path: ["bind"],
  compactPath: ["channel", "bind"],
  summary: "Bind an account to this channel: its services, alerts and actions appear here",
  params: [labelParam],
  schema: z.object({ label: labelSchema }),
  role: "admin",
  async run(ctx, args) {
    const a = await ctx.core.accounts.requireByLabel(ctx.actor.platform, ctx.actor.workspaceId, args.label);
    const { created } = await ctx.core.accounts.bind(a, ctx.actor.channelId, ctx.actor.userId);
    if (!created)
      return reply(textReply(`*${a.label}* is already bound to this channel.`, { ephemeral: true }));
    return reply(
      textReply(
        `Bound ${providerName(a)} account *${a.label}* to this channel. Try \`/hosting services\`; expiry, balance and invoice alerts will be posted here.`,
      ),
    );
  },
});

export const unbind = defineCommand({
  path: ["unbind"],
  compactPath: ["channel", "unbind"],
  summary: "Unbind an account from this channel",
  params: [labelParam],
  schema: z.object({ label: labelSchema }),
  role: "admin",
  async run(ctx, args) {
    const a = await ctx.core.accounts.requireByLabel(ctx.actor.platform, ctx.actor.workspaceId, args.label);
    if (!(await ctx.core.accounts.unbind(a, ctx.actor.channelId)))
      throw new UserError("not_found", `*${a.label}* is not bound to this channel.`);
    return reply(textReply(`Unbound *${a.label}* from this channel.`));
  },
});

export const bindings = defineCommand({
  path: ["bindings"],
  compactPath: ["channel", "bindings"],
  summary: "Show which accounts are bound to which channels",
  params: [],
  schema: z.object({}),
  role: "viewer",
  ephemeral: true,
  async run(ctx) {
    const all = await ctx.core.accounts.workspaceBindings(ctx.actor.platform, ctx.actor.workspaceId);
    if (!all.length)
      return reply(
        textReply("No account is bound to any channel yet. `/hosting bind <label>` binds one here.", {
          ephemeral: true,
        }),
      );
    const channelRef = (id: string) =>
      ctx.actor.platform === "slack" ? `<#${id}>` : ctx.actor.platform === "discord" ? `<#${id}>` : id;
    return reply(
      blocksReply(
        [
          { kind: "header", text: "Channel bindings" },
          {
            kind: "fields",
            fields: all.map((b) => [
              `${b.account.label} (${providerName(b.account)})`,
              `${channelRef(b.binding.channelId)}${b.binding.channelId === ctx.actor.channelId ? " (this channel)" : ""}`,
            ]),
          },
        ],
        { ephemeral: true },
      ),
    );
  },
});
