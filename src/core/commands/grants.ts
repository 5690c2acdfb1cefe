import { z } from "zod";
import { defineCommand } from "../context.ts";
import { UserError } from "../errors.ts";
import { grantRole, listGrants, ROLES, revokeRole } from "../permissions.ts";
import { blocksReply, reply, textReply } from "../reply.ts";
import { mention, rich, strong } from "../rich.ts";

const userSchema = z
  .string()
  .trim()
  .regex(/^[A-Z0-9]{2,20}$|^\d{5,25}$/, "must be a user mention such as @alice");

export const grant = defineCommand({
  path: ["grant"],
  compactPath: ["roles", "grant"],
  summary: "Give a member a role in this channel (or the whole workspace with --workspace)",
  examples: ["/hosting grant @alice operator", "/hosting grant @bob admin --workspace"],
  params: [
    { name: "user", description: "member", type: "user", required: true },
    { name: "role", description: "role", type: "choice", choices: ROLES, required: true },
    { name: "workspace", description: "for every channel of the workspace", type: "boolean", flag: true },
  ],
  schema: z.object({ user: userSchema, role: z.enum(ROLES), workspace: z.boolean().optional() }),
  role: "admin",
  async run(ctx, args) {
    if (args.user === ctx.actor.userId) throw new UserError("invalid", "You cannot change your own role.");
    const scope = args.workspace ? "workspace" : "channel";
    await grantRole(ctx.core.db, { actor: ctx.actor, subject: args.user, role: args.role, scope });
    return reply(
      textReply(
        rich`${mention(args.user)} is now ${strong(args.role)} ${scope === "workspace" ? "in every channel of this workspace" : "in this channel"}.`,
      ),
    );
  },
});

export const revoke = defineCommand({
  path: ["revoke"],
  compactPath: ["roles", "revoke"],
  summary: "Remove a member's role in this channel (and their workspace role with --workspace)",
  params: [
    { name: "user", description: "member", type: "user", required: true },
    { name: "workspace", description: "also the workspace-wide role", type: "boolean", flag: true },
  ],
  schema: z.object({ user: userSchema, workspace: z.boolean().optional() }),
  role: "admin",
  async run(ctx, args) {
    const n = await revokeRole(ctx.core.db, {
      actor: ctx.actor,
      subject: args.user,
      workspace: args.workspace ?? false,
    });
    if (!n) throw new UserError("not_found", rich`${mention(args.user)} has no role to revoke here.`);
    return reply(textReply(rich`Revoked the role(s) of ${mention(args.user)}.`));
  },
});

export const grants = defineCommand({
  path: ["grants"],
  compactPath: ["roles", "list"],
  summary: "Show who has which role here",
  params: [],
  schema: z.object({}),
  role: "viewer",
  ephemeral: true,
  async run(ctx) {
    const rows = await listGrants(ctx.core.db, ctx.actor);
    if (!rows.length)
      return reply(textReply("No roles granted here; platform admins are admins.", { ephemeral: true }));
    return reply(
      blocksReply(
        [
          { kind: "header", text: "Roles" },
          {
            kind: "list",
            items: rows.map(
              (g) =>
                rich`${mention(g.subject)}: ${strong(g.role)} (${g.scope === "workspace" ? "workspace" : "this channel"})`,
            ),
          },
        ],
        { ephemeral: true },
      ),
    );
  },
});
