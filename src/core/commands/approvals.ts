import { z } from "zod";
import { providerName } from "../../providers/types.ts";
import { DEFAULT_APPROVAL_POLICY } from "../accounts.ts";
import { ACTIONS, type ActionName } from "../confirmations.ts";
import { defineCommand } from "../context.ts";
import { UserError } from "../errors.ts";
import { blocksReply, reply, textReply } from "../reply.ts";
import { accountParam, labelParam, labelSchema } from "./shared.ts";

/**
 * Per binding: how many admins must approve, and for which actions the requester may not approve
 * their own request (the two-person rule).
 */

const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];

const twoPersonSchema = z
  .string()
  .trim()
  .toLowerCase()
  .transform((v) => {
    if (v === "default") return [...DEFAULT_APPROVAL_POLICY.twoPersonActions];
    if (v === "none") return [];
    if (v === "all") return [...ACTION_NAMES];
    return v.split(/[\s,]+/).filter(Boolean);
  })
  .pipe(
    z
      .array(
        z.enum(ACTION_NAMES, {
          error: `must list actions among ${ACTION_NAMES.join(", ")}, or be all, none or default`,
        }),
      )
      .max(20),
  );

export const approvalsShow = defineCommand({
  path: ["approvals", "show"],
  summary: "Who must approve actions for the accounts bound here",
  params: [accountParam],
  schema: z.object({ account: labelSchema.optional() }),
  role: "viewer",
  ephemeral: true,
  async run(ctx, args) {
    const { core, actor } = ctx;
    const bound = await core.accounts.resolve(
      actor.platform,
      actor.workspaceId,
      actor.channelId,
      args.account,
    );
    return reply(
      blocksReply(
        [
          { kind: "header", text: "Approval rules" },
          {
            kind: "table",
            columns: ["Account", "Approvers", "Requester may not approve"],
            rows: bound.map(({ account, binding }) => [
              `${account.label} (${providerName(account)})`,
              String(binding.approvalPolicy.quorum),
              binding.approvalPolicy.twoPersonActions.join(", ") || "—",
            ]),
          },
          {
            kind: "context",
            text: "Admins change them with `/hosting approvals set <account> --quorum N --two-person reinstall,cancel`.",
          },
        ],
        { ephemeral: true },
      ),
    );
  },
});

export const approvalsSet = defineCommand({
  path: ["approvals", "set"],
  summary: "Set how many admins approve, and where the two-person rule applies, for an account here",
  examples: ["/hosting approvals set prod --quorum 2", "/hosting approvals set prod --two-person all"],
  params: [
    labelParam,
    {
      name: "quorum",
      description: "admins who must approve (1-5)",
      type: "integer",
      flag: true,
      min: 1,
      max: 5,
    },
    {
      name: "two-person",
      description: "actions the requester may not approve: a list, all, none or default",
      type: "string",
      flag: true,
    },
  ],
  schema: z
    .object({
      label: labelSchema,
      quorum: z.number().int().min(1, "must be between 1 and 5").max(5, "must be between 1 and 5").optional(),
      "two-person": twoPersonSchema.optional(),
    })
    .refine((a) => a.quorum !== undefined || a["two-person"] !== undefined, {
      message: "Give --quorum, --two-person or both.",
      path: ["quorum"],
    }),
  role: "admin",
  async run(ctx, args) {
    const { core, actor } = ctx;
    const [target] = await core.accounts.resolve(
      actor.platform,
      actor.workspaceId,
      actor.channelId,
      args.label,
    );
    if (!target) throw new UserError("not_found", `Account *${args.label}* is not bound to this channel.`);
    const policy = {
      quorum: args.quorum ?? target.binding.approvalPolicy.quorum,
      twoPersonActions: args["two-person"] ?? target.binding.approvalPolicy.twoPersonActions,
    };
    await core.accounts.updateBinding(target.binding.id, { approvalPolicy: policy });
    return reply(
      textReply(
        `Actions on *${target.account.label}* in this channel now need ${policy.quorum} admin approval(s); the requester may not approve: ${policy.twoPersonActions.join(", ") || "no action"}. Requests already posted keep their rules.`,
      ),
    );
  },
});
