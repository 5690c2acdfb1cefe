import { z } from "zod";
import { providerName } from "../../providers/types.ts";
import { defineCommand } from "../context.ts";
import { UserError } from "../errors.ts";
import { blocksReply, reply, textReply } from "../reply.ts";
import { channel, command, rich, strong } from "../rich.ts";
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
      return reply(
        textReply(rich`${strong(a.label)} is already bound to this channel.`, { ephemeral: true }),
      );
    return reply(
      textReply(
        rich`Bound ${providerName(a)} account ${strong(a.label)} to this channel. Try ${command(["services"])}; expiry, balance and invoice alerts will be posted here.`,
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
      throw new UserError("not_found", rich`${strong(a.label)} is not bound to this channel.`);
    return reply(textReply(rich`Unbound ${strong(a.label)} from this channel.`));
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
        textReply(
          rich`No account is bound to any channel yet. ${command(["bind"], { label: "<label>" })} binds one here.`,
          {
            ephemeral: true,
          },
        ),
      );
    return reply(
      blocksReply(
        [
          { kind: "header", text: "Channel bindings" },
          {
            kind: "fields",
            fields: all.map((b) => [
              `${b.account.label} (${providerName(b.account)})`,
              rich`${channel(b.binding.channelId)}${b.binding.channelId === ctx.actor.channelId ? " (this channel)" : ""}`,
            ]),
          },
        ],
        { ephemeral: true },
      ),
    );
  },
});
