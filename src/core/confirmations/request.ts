import type { Account } from "../accounts.ts";
import { type Action, actionNamed, PIN_ACTIONS } from "../actions/catalog.ts";
import { audit } from "../audit.ts";
import { cannotMessage } from "../commands/shared.ts";
import type { CommandContext, Core } from "../context.ts";
import { UserError } from "../errors.ts";
import { formatDateTime } from "../format.ts";
import { atLeast } from "../permissions.ts";
import { type Outcome, reply, textReply } from "../reply.ts";
import { plainText, rich, strong } from "../rich.ts";
import { renderCard } from "./card.ts";
import { updateStateGauge } from "./publish.ts";
import { insertRequest, lastPinNeed, setMessageRef } from "./store.ts";

/**
 * Making a request: checked (role, capability, params, binding), stored with the approval policy
 * of the channel's binding, its card posted with Approve / Deny, and the requester told.
 */

export interface RequestInput {
  account: Account;
  /** An action of the catalog (actions/catalog.ts); anything else is refused. */
  action: string;
  /** Checked against the action's params schema; stored as it parsed. */
  params: unknown;
  /** "4.99 EUR", shown on the card. */
  cost?: string;
}

/**
 * Whether to ask the approver for HOSTKEY's PIN up front. HOSTKEY's PIN is optional (an account can
 * switch it off, and HOSTKEY's own clients never send one), so it is asked only once HOSTKEY has
 * said this account needs it: the newest PIN-action request of the account carries what was
 * learned (set when HOSTKEY refused a call for its PIN, cleared when a call went through without).
 */
async function needsPin(core: Core, action: Action, a: Account): Promise<boolean> {
  if (a.kind !== "hostkey" || !action.pin) return false;
  // The admin's word for this account comes first (the account form's "Account PIN").
  const mode = core.accounts.driverFor(a).pinMode;
  if (mode === "ask") return true;
  if (mode === "never") return false;
  return (await lastPinNeed(core.db, a.id, PIN_ACTIONS)) ?? false;
}

/** Creates a request, posts its card with Approve / Deny, and tells the requester. */
export async function requestConfirmation(ctx: CommandContext, input: RequestInput): Promise<Outcome> {
  const action = actionNamed(input.action);
  if (!action) throw new UserError("invalid", `Unknown action ${input.action}.`);
  if (!atLeast(ctx.role, "operator"))
    throw new UserError("denied", rich`You need the ${strong("operator")} role here to request actions.`);
  const { core, actor } = ctx;
  const { account } = input;
  if (!core.accounts.driverFor(account).capabilities.has(action.capability))
    throw new UserError("unsupported", cannotMessage(account, action.capability));
  const read = action.read(input.params);
  if (!read.ok)
    throw new UserError(
      "invalid",
      `hostops cannot request this ${action.title.toLowerCase()}: its parameters are not valid (${read.problem}).`,
    );
  const { bound } = read;
  const here = await core.accounts.channelAccounts(actor.platform, actor.workspaceId, actor.channelId);
  const binding = here.find((b) => b.account.id === account.id)?.binding;
  if (!binding)
    throw new UserError("not_found", rich`Account ${strong(account.label)} is not bound to this channel.`);
  const policy = binding.approvalPolicy;
  const now = core.clock.now();
  const row = await insertRequest(core.db, {
    platform: actor.platform,
    workspaceId: actor.workspaceId,
    channelId: actor.channelId,
    accountId: account.id,
    accountLabel: account.label,
    action: action.name,
    params: { ...bound.params, ...(input.cost ? { cost: input.cost } : {}) },
    // Plain: the column is read outside chat too (App Home, SQL); the card draws it again with
    // its names in strong from the params (card.ts).
    description: plainText(bound.describe(account)),
    requesterId: actor.userId,
    requiredApprovals: Math.max(1, policy.quorum),
    twoPerson: policy.twoPersonActions.includes(action.name),
    needsPin: await needsPin(core, action, account),
    expiresAt: new Date(now.getTime() + core.settings.confirmTtlMinutes * 60_000),
    createdAt: now,
  });
  await audit(core.db, actor, {
    command: action.name,
    args: bound.params,
    outcome: "requested",
    requestId: row.id,
  });
  const messenger = core.messengers.get(actor.platform);
  const card = renderCard(row, account, core);
  if (!messenger) return reply(card);
  const ref = await messenger.post(actor.workspaceId, actor.channelId, card);
  await setMessageRef(core.db, row.id, ref);
  void updateStateGauge(core);
  const approvers = row.requiredApprovals > 1 ? `${row.requiredApprovals} admins` : "an admin";
  return reply(
    textReply(
      `Request posted: ${action.title.toLowerCase()} waits for ${approvers} to approve${row.twoPerson ? " (not you: two-person rule)" : ""}. It expires at ${formatDateTime(row.expiresAt, core.settings.timeZone)}.`,
      { ephemeral: true },
    ),
  );
}
