import type { ConfirmationStatus } from "../../db/schema.ts";
import { forgetSecret, registerSecret, scrub } from "../../observability/secrets.ts";
import {
  type ActionResult,
  ProviderError,
  provedNothingHappened,
  providerName,
} from "../../providers/types.ts";
import type { Account } from "../accounts.ts";
import { actionNamed } from "../actions/catalog.ts";
import { audit } from "../audit.ts";
import type { Actor, Core } from "../context.ts";
import { describeProviderError } from "../errors.ts";
import { textReply } from "../reply.ts";
import { icon, plainText, type Rich, rich, strong, type Text } from "../rich.ts";
import { actionTitle } from "./card.ts";
import { refreshCard, requestActor, updateStateGauge } from "./publish.ts";
import { backToPending, type Request, recordOutcome, settleExecuting } from "./store.ts";

/**
 * Running a claimed request: its params read back and checked, the driver call made once, and
 * its outcome recorded — succeeded, failed only when the provider's answer proves nothing
 * happened, "unknown" when nobody can tell, or back to pending when HOSTKEY wants its PIN. An
 * asynchronous provider task is handed to the task follower, which ends it through `settle`.
 *
 * What is stored in the row (the result summary) is plain text: the column is read outside chat
 * (App Home, SQL, the audit detail) and cut at 500 characters. The approver's answer is rich.
 */

/** The result summary as stored: secrets scrubbed, at most 500 characters. */
const stored = (summary: Text) => scrub(plainText(summary)).slice(0, 500);

/** Why an action with an uncertain outcome cannot be called failed, for the card and the audit. */
function unknownOutcome(err: unknown, account: Account): Rich {
  const why =
    err instanceof ProviderError
      ? scrub(err.message)
      : "hostops hit an unexpected error after the request may have been sent.";
  return rich`${why} The action may have been applied: look at account ${strong(account.label)} in the ${providerName(account)} panel before requesting it again.`;
}

/**
 * HOSTKEY refused the call for its PIN (missing, wrong or blocked): nothing was done, so the request
 * goes back to pending, marked as needing the PIN, without this approver's approval, which they
 * give again with the PIN. Returns the message for the approver, or undefined when the request
 * was no longer executing.
 */
async function retryWithPin(
  core: Core,
  actor: Actor,
  r: Request,
  err: ProviderError,
): Promise<Rich | undefined> {
  const again = await backToPending(
    core.db,
    r,
    actor.userId,
    // The card says why the request waits again.
    "HOSTKEY refused it for the account PIN; nothing was done. Approve again with the PIN.",
    core.clock.now(),
  );
  if (!again) return undefined;
  await audit(core.db, actor, {
    command: r.action,
    outcome: "pin_rejected",
    detail: scrub(err.message),
    requestId: r.id,
  });
  await refreshCard(core, again);
  void updateStateGauge(core);
  return rich`${scrub(err.message)} The request is still waiting: approve it again with the PIN (${strong("Approve (PIN)")} on the card).`;
}

/**
 * Runs the driver call for a claimed request; follows an asynchronous task in the background.
 * Returns the answer for the approver, or `pinRetry` when HOSTKEY refused for its PIN and the
 * request waits for approval again.
 */
export async function execute(
  core: Core,
  actor: Actor,
  r: Request,
  pin: string | undefined,
): Promise<{ answer: Text } | { pinRetry: Text }> {
  const finish = async (status: ConfirmationStatus, summary: Text, taskRef?: string, needsPin?: boolean) => {
    const detail = stored(summary);
    const done = await recordOutcome(core.db, r.id, {
      status,
      summary: detail,
      taskRef: taskRef ?? null,
      finishedAt: status === "executing" ? null : core.clock.now(),
      ...(needsPin === undefined ? {} : { needsPin }),
    });
    await audit(core.db, actor, {
      command: r.action,
      outcome: status === "executing" ? "started" : status,
      detail: plainText(summary),
      requestId: r.id,
      taskRef,
    });
    if (done) await refreshCard(core, done);
    void updateStateGauge(core);
    return done;
  };
  const action = actionNamed(r.action);
  const account = r.accountId ? await core.accounts.getById(r.accountId) : undefined;
  if (!action || !account) {
    await finish("failed", "The account of this request no longer exists; nothing was done.");
    return { answer: "The account no longer exists; nothing was done." };
  }
  // The params come back from jsonb: checked again, never trusted (a row of an older version, a
  // hand edit). Nothing is sent when they no longer fit the action.
  const read = action.read(r.params);
  const call = read.ok ? read.bound.prepare(core.accounts.driverFor(account)) : undefined;
  if (!read.ok || !call) {
    const why = read.ok
      ? `${providerName(account)} can no longer ${action.title.toLowerCase()} from the API`
      : `its stored parameters are no longer valid (${read.problem})`;
    const msg = `hostops cannot run this request: ${why}; nothing was done. Request it again if it is still needed.`;
    await finish("failed", msg);
    return { answer: `Failed: ${msg}` };
  }
  if (pin) registerSecret(pin);
  let result: ActionResult;
  try {
    result = await call(pin || undefined);
  } catch (err) {
    if (err instanceof ProviderError && err.pinRejected && action.pin) {
      const retry = await retryWithPin(core, actor, r, err);
      if (retry) return { pinRetry: retry };
    }
    if (!(err instanceof ProviderError)) core.log.error({ err, requestId: r.id }, "confirmed action failed");
    // Only an error that proves nothing happened may end the request as failed. A timeout or reset
    // after sending, a 5xx, an unreadable or unexpected answer: nobody knows, and saying "failed"
    // would invite a second run (a second payment).
    if (err instanceof ProviderError && provedNothingHappened(err)) {
      const msg = describeProviderError(err, account);
      await finish("failed", msg);
      return { answer: rich`Failed: ${msg}` };
    }
    const msg = unknownOutcome(err, account);
    await finish("unknown", msg);
    return { answer: rich`Outcome unknown — check the provider. ${msg}` };
  } finally {
    if (pin) forgetSecret(pin);
  }
  // A PIN action that went through without a PIN teaches that this account has none (any more).
  const learned = action.pin && !pin && r.needsPin ? false : undefined;
  if (result.taskRef) {
    const running = await finish("executing", result.summary, result.taskRef, learned);
    if (running) core.tasks?.follow(running.id);
    return { answer: `Approved. ${result.summary} I will post the outcome in the card's thread.` };
  }
  await finish("succeeded", result.summary, undefined, learned);
  return { answer: `Approved. ${result.summary}` };
}

/** Records a followed task's end (task-follower.ts): the card, the audit log and a line in its thread. */
export async function settle(
  core: Core,
  r: Request,
  status: ConfirmationStatus,
  summary: string,
): Promise<void> {
  const done = await settleExecuting(core.db, r.id, status, stored(summary), core.clock.now());
  if (!done) return;
  await audit(core.db, requestActor(r, r.decidedBy), {
    command: r.action,
    outcome: status,
    detail: summary,
    requestId: r.id,
    taskRef: r.taskRef ?? undefined,
  });
  await refreshCard(core, done);
  const messenger = core.messengers.get(r.platform);
  if (messenger && done.messageRef) {
    const mark =
      status === "succeeded"
        ? [icon("success")]
        : status === "failed"
          ? [icon("failure")]
          : [icon("unknown")];
    await messenger
      .postInThread(
        r.workspaceId,
        done.messageRef,
        textReply(rich`${mark} ${actionTitle(r)} ${status}: ${scrub(summary)}`),
      )
      .catch((err: unknown) => core.log.warn({ err }, "could not post the outcome in the thread"));
  }
  void updateStateGauge(core);
}
