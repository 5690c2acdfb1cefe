import { audit } from "../audit.ts";
import type { Actor, CommandContext, Core } from "../context.ts";
import { UserError } from "../errors.ts";
import { atLeast, roleOf } from "../permissions.ts";
import { type Outcome, reply, textReply } from "../reply.ts";
import { plainText, type Text } from "../rich.ts";
import { ALREADY_APPROVED_TEXT, alreadyDecided, NOT_FOUND_TEXT, refusalText } from "./card.ts";
import { execute } from "./execute.ts";
import { refreshCard, updateStateGauge } from "./publish.ts";
import { approvalRefusal, asksForPin, mayDeny, quorumReached, visibleTo } from "./states.ts";
import {
  addApproval,
  claimForExecution,
  denyPending,
  expirePending,
  loadRequest,
  type Request,
} from "./store.ts";

/**
 * Approve and Deny: every click is authorized again now, in the request's channel (a role revoked
 * since the card was posted no longer counts), decided by the rules of states.ts, and carried out
 * by the store's conditional updates, so that an action runs at most once however the clicks race.
 */

const privately = (text: Text): Outcome => reply(textReply(text, { ephemeral: true }));

async function isAdminIn(core: Core, actor: Actor, channelId: string): Promise<boolean> {
  return atLeast(await roleOf(core.db, { ...actor, channelId }, core.settings.defaultRole), "admin");
}

/**
 * The answer to a click that lost the race: the request as it is now. `stillPending` is said
 * when it is still waiting for more approvals (this click's approval was already counted).
 */
async function currentState(core: Core, id: string, stillPending?: string): Promise<Outcome> {
  const again = await loadRequest(core.db, id);
  const text = !again
    ? NOT_FOUND_TEXT
    : stillPending && again.status === "pending" && !quorumReached(again)
      ? stillPending
      : alreadyDecided(again);
  return privately(text);
}

/** The request if the actor may see it; "does not exist" otherwise (another workspace included). */
async function visibleRequest(core: Core, actor: Actor, id: string): Promise<Request> {
  const r = await loadRequest(core.db, id);
  if (!visibleTo(r, actor)) throw new UserError("not_found", NOT_FOUND_TEXT);
  return r;
}

/**
 * An approval click (or the PIN form). Re-authorized now: only admins approve, the requester not
 * under the two-person rule, and only a pending, unexpired request. Executes at most once.
 */
export async function approve(ctx: CommandContext, requestId: string, pin?: string): Promise<Outcome> {
  const { core, actor } = ctx;
  const r = await visibleRequest(core, actor, requestId);
  const isAdmin = await isAdminIn(core, actor, r.channelId);
  const now = core.clock.now();
  const refusal = approvalRefusal(r, { userId: actor.userId, isAdmin }, now);
  if (refusal === "not_admin") {
    await audit(core.db, actor, { command: "confirm approve", outcome: "denied", requestId: r.id });
    throw new UserError("denied", refusalText(refusal, r));
  }
  if (refusal === "expired") {
    const done = await expirePending(core.db, r.id);
    if (done) await refreshCard(core, done);
  }
  if (refusal) return privately(refusalText(refusal, r));
  if (asksForPin(r, pin))
    return {
      kind: "modal",
      modal: {
        id: "confirm:pin",
        title: "Approve with PIN",
        submitLabel: "Approve",
        state: r.id,
        intro: `${r.description} HOSTKEY asked for this account's PIN. It is used for this call only and never stored. Leave it empty if the account's PIN is switched off.`,
        fields: [{ id: "pin", label: "HOSTKEY PIN", kind: "secret", maxLength: 32, optional: true }],
      },
    };

  // Step 1: add this approval, only while pending, unexpired and not yet approved by this user.
  const after = await addApproval(core.db, r.id, actor.userId, now);
  if (!after) return currentState(core, r.id, ALREADY_APPROVED_TEXT);
  await audit(core.db, actor, {
    command: "confirm approve",
    args: { action: r.action },
    outcome: "approved",
    requestId: r.id,
  });
  if (!quorumReached(after)) {
    await refreshCard(core, after);
    return privately(
      `Approved (${after.approvals.length}/${after.requiredApprovals}); it needs another admin.`,
    );
  }
  // Step 2: the single conditional transition to executing. Exactly one caller gets a row back.
  const claimed = await claimForExecution(core.db, r.id, actor.userId, now);
  if (!claimed) return currentState(core, r.id);
  await audit(core.db, actor, { command: r.action, outcome: "executing", requestId: r.id });
  await refreshCard(core, claimed);
  // The provider is asked next: the platform gets its acknowledgement first (Discord defers).
  await ctx.acknowledge();
  const result = await execute(core, actor, claimed, pin);
  if ("answer" in result) return privately(result.answer);
  // HOSTKEY refused for its PIN: nothing was done and the request waits again. From the PIN form,
  // the form shows why and takes the PIN again; from a button, the card now asks for the PIN.
  if (pin !== undefined) return { kind: "fieldErrors", errors: { pin: plainText(result.pinRetry) } };
  return privately(result.pinRetry);
}

export async function deny(ctx: CommandContext, requestId: string): Promise<Outcome> {
  const { core, actor } = ctx;
  const r = await visibleRequest(core, actor, requestId);
  const isAdmin = await isAdminIn(core, actor, r.channelId);
  if (!mayDeny(r, { userId: actor.userId, isAdmin }))
    throw new UserError("denied", "Only admins of this channel (or the requester) can deny requests.");
  const done = await denyPending(core.db, r.id, actor.userId, core.clock.now());
  if (!done) return currentState(core, r.id);
  await audit(core.db, actor, {
    command: "confirm deny",
    args: { action: r.action },
    outcome: "denied",
    requestId: r.id,
  });
  await refreshCard(core, done);
  void updateStateGauge(core);
  return privately("Denied. Nothing was done.");
}

/**
 * Why `actor` cannot approve the request now, or undefined when they may: asked before the
 * console's "Type yes" so that nobody confirms an approval that is then refused. Advisory only:
 * `approve` checks all of it again, atomically.
 */
export async function approvalRefusalText(
  core: Core,
  actor: Actor,
  requestId: string,
): Promise<Text | undefined> {
  const r = await loadRequest(core.db, requestId);
  if (!visibleTo(r, actor)) return NOT_FOUND_TEXT;
  const isAdmin = await isAdminIn(core, actor, r.channelId);
  const refusal = approvalRefusal(r, { userId: actor.userId, isAdmin }, core.clock.now());
  return refusal ? refusalText(refusal, r) : undefined;
}
