import { and, desc, eq, inArray, lte, sql } from "drizzle-orm";
import { type ConfirmationStatus, confirmationRequests, type MessageRef } from "../db/schema.ts";
import { confirmationsByState } from "../observability/metrics.ts";
import { forgetSecret, registerSecret, scrub } from "../observability/secrets.ts";
import {
  type ActionResult,
  type Capability,
  type ProviderDriver,
  ProviderError,
  provedNothingHappened,
  providerName,
} from "../providers/types.ts";
import type { Account } from "./accounts.ts";
import { audit } from "./audit.ts";
import { cannotMessage } from "./commands/shared.ts";
import type { Actor, CommandContext, Core } from "./context.ts";
import { describeProviderError, UserError } from "./errors.ts";
import { formatDateTime } from "./format.ts";
import { atLeast, roleOf } from "./permissions.ts";
import { type Block, blocksReply, type Outcome, type Reply, reply, textReply } from "./reply.ts";
import { plainText } from "./rich.ts";

/**
 * Destructive actions run only through a confirmation request:
 * pending -> executing (one conditional UPDATE, at most once) -> succeeded | failed,
 * or pending -> denied | expired; a crash mid-execution leaves "unknown", never a re-run.
 */

export type ActionName =
  | "reboot"
  | "poweron"
  | "poweroff"
  | "reinstall"
  | "renew"
  | "autorenew"
  | "cancel"
  | "domain-renew"
  | "domain-ns";

export type Request = typeof confirmationRequests.$inferSelect;

interface ActionSpec {
  capability: Capability;
  /** Short verb for titles: "Reboot". */
  title: string;
  /** What will happen, in plain words. */
  describe(p: Record<string, unknown>, a: Account): string;
  /** The provider's own warning, where it gives one. */
  warning?(p: Record<string, unknown>, a: Account): string | undefined;
  /** Whether HOSTKEY asks for its PIN on this action. */
  pin?: boolean;
  run(d: ProviderDriver, p: Record<string, unknown>, pin: string | undefined): Promise<ActionResult>;
}

const str = (v: unknown) => String(v ?? "");
const target = (p: Record<string, unknown>) =>
  p.serviceName ? `*${str(p.serviceName)}* (${str(p.serviceId)})` : `service ${str(p.serviceId)}`;
const on = (a: Account) => `on account *${a.label}* (${providerName(a)})`;

export const ACTIONS: Record<ActionName, ActionSpec> = {
  reboot: {
    capability: "reboot",
    title: "Reboot",
    pin: true,
    describe: (p, a) => `Reboot ${target(p)} ${on(a)}. The server is unreachable while it restarts.`,
    run: (d, p, pin) => d.reboot!(str(p.serviceId), { pin }),
  },
  poweron: {
    capability: "powerOn",
    title: "Power on",
    pin: true,
    describe: (p, a) => `Power on ${target(p)} ${on(a)}.`,
    run: (d, p, pin) => d.powerOn!(str(p.serviceId), { pin }),
  },
  poweroff: {
    capability: "powerOff",
    title: "Power off",
    pin: true,
    describe: (p, a) => `Power off ${target(p)} ${on(a)}. It stays down until someone powers it on.`,
    run: (d, p, pin) => d.powerOff!(str(p.serviceId), { pin }),
  },
  reinstall: {
    capability: "reinstall",
    title: "Reinstall",
    pin: true,
    describe: (p, a) => `Reinstall ${target(p)} ${on(a)} with *${str(p.osName || p.osId)}*.`,
    warning: (_p, a) =>
      a.kind === "hostkey"
        ? "All data on the server will be lost. HOSTKEY: do not begin a new reinstallation until the previous one is complete; the new root password is set by the provider — retrieve or reset it in the HOSTKEY panel."
        : `${providerName(a)}: "All data in the server will be lost! All of backups of your server will be deleted from our storages!"`,
    run: (d, p, pin) => d.reinstall!(str(p.serviceId), { osId: str(p.osId), pin }),
  },
  renew: {
    capability: "renewService",
    title: "Renew",
    describe: (p, a) =>
      `Renew ${target(p)} ${on(a)}${p.optionLabel ? ` (${str(p.optionLabel)})` : ""}. This spends money from the account balance.`,
    run: (d, p) => d.renewService!(str(p.serviceId), p.optionId ? { optionId: str(p.optionId) } : undefined),
  },
  autorenew: {
    capability: "setAutorenew",
    title: "Autorenew",
    describe: (p, a) =>
      `Turn autorenew *${p.enabled ? "on" : "off"}* for ${target(p)} ${on(a)}.${p.enabled ? " Renewals will be paid from the balance automatically." : " The service expires unless renewed by hand."}`,
    run: (d, p) => d.setAutorenew!(str(p.serviceId), Boolean(p.enabled)),
  },
  cancel: {
    capability: "cancelService",
    title: "Cancel",
    describe: (p, a) =>
      `Cancel ${target(p)} ${on(a)} ${p.immediate ? "*immediately*" : "at the end of the billing period"}. Reason: "${str(p.reason)}".`,
    warning: (p) =>
      p.immediate
        ? "The service and its data are removed right away; this cannot be undone."
        : "Cancellation cannot be undone from chat.",
    run: (d, p) =>
      d.cancelService!(str(p.serviceId), { immediate: Boolean(p.immediate), reason: str(p.reason) }),
  },
  "domain-renew": {
    capability: "renewDomain",
    title: "Renew domain",
    describe: (p, a) =>
      `Renew domain *${str(p.domainName)}* for ${str(p.years ?? 1)} year(s) ${on(a)}. This spends money.`,
    run: (d, p) => d.renewDomain!(str(p.domainId), { years: Number(p.years ?? 1) }),
  },
  "domain-ns": {
    capability: "setNameservers",
    title: "Change nameservers",
    describe: (p, a) =>
      `Set the nameservers of *${str(p.domainName)}* ${on(a)} to ${(p.nameservers as string[]).join(", ")}.`,
    warning: () => "Wrong nameservers take the domain's websites and mail offline until fixed.",
    run: (d, p) => d.setNameservers!(str(p.domainId), p.nameservers as string[]),
  },
};

/** Actions whose two-person rule key differs from their name (policy uses these names). */
export const MONEY_ACTIONS: ActionName[] = ["renew", "domain-renew"];

const PIN_ACTIONS = (Object.keys(ACTIONS) as ActionName[]).filter((a) => ACTIONS[a].pin);

/**
 * Whether to ask the approver for HOSTKEY's PIN up front. HOSTKEY's PIN is optional (an account can
 * switch it off, and HOSTKEY's own clients never send one), so it is asked only once HOSTKEY has
 * said this account needs it: the newest PIN-action request of the account carries what was
 * learned (set when HOSTKEY refused a call for its PIN, cleared when a call went through without).
 */
async function needsPin(core: Core, action: ActionName, a: Account): Promise<boolean> {
  if (a.kind !== "hostkey" || !ACTIONS[action].pin) return false;
  // The admin's word for this account comes first (the account form's "Account PIN").
  const mode = core.accounts.driverFor(a).pinMode;
  if (mode === "ask") return true;
  if (mode === "never") return false;
  const [last] = await core.db.db
    .select({ needsPin: confirmationRequests.needsPin })
    .from(confirmationRequests)
    .where(and(eq(confirmationRequests.accountId, a.id), inArray(confirmationRequests.action, PIN_ACTIONS)))
    .orderBy(desc(sql`coalesce(${confirmationRequests.decidedAt}, ${confirmationRequests.createdAt})`))
    .limit(1);
  return last?.needsPin ?? false;
}

/** Creates a request, posts its card with Approve / Deny, and tells the requester. */
export async function requestConfirmation(
  ctx: CommandContext,
  input: { account: Account; action: string; params: Record<string, unknown>; cost?: string },
): Promise<Outcome> {
  const action = input.action as ActionName;
  const spec = ACTIONS[action];
  if (!spec) throw new UserError("invalid", `Unknown action ${input.action}.`);
  if (!atLeast(ctx.role, "operator"))
    throw new UserError("denied", "You need the *operator* role here to request actions.");
  const { core, actor } = ctx;
  const driver = core.accounts.driverFor(input.account);
  if (!driver.capabilities.has(spec.capability))
    throw new UserError("unsupported", cannotMessage(input.account, spec.capability));
  const bound = await core.accounts.channelAccounts(actor.platform, actor.workspaceId, actor.channelId);
  const binding = bound.find((b) => b.account.id === input.account.id)?.binding;
  if (!binding)
    throw new UserError("not_found", `Account *${input.account.label}* is not bound to this channel.`);
  const policy = binding.approvalPolicy;
  const now = core.clock.now();
  const description = spec.describe(input.params, input.account);
  const [row] = await core.db.db
    .insert(confirmationRequests)
    .values({
      platform: actor.platform,
      workspaceId: actor.workspaceId,
      channelId: actor.channelId,
      accountId: input.account.id,
      accountLabel: input.account.label,
      action,
      params: { ...input.params, ...(input.cost ? { cost: input.cost } : {}) },
      description,
      requesterId: actor.userId,
      requiredApprovals: Math.max(1, policy.quorum),
      twoPerson: policy.twoPersonActions.includes(action),
      needsPin: await needsPin(core, action, input.account),
      expiresAt: new Date(now.getTime() + core.settings.confirmTtlMinutes * 60_000),
      createdAt: now,
    })
    .returning();
  if (!row) throw new Error("confirmation request was not stored");
  await audit(core.db, actor, {
    command: action,
    args: input.params,
    outcome: "requested",
    requestId: row.id,
  });
  const messenger = core.messengers.get(actor.platform);
  const card = renderCard(row, input.account, core);
  if (!messenger) return reply(card);
  const ref = await messenger.post(actor.workspaceId, actor.channelId, card);
  await core.db.db
    .update(confirmationRequests)
    .set({ messageRef: ref })
    .where(eq(confirmationRequests.id, row.id));
  void updateStateGauge(core);
  return reply(
    textReply(
      `Request posted: ${spec.title.toLowerCase()} waits for ${row.requiredApprovals > 1 ? `${row.requiredApprovals} admins` : "an admin"} to approve${row.twoPerson ? " (not you: two-person rule)" : ""}. It expires at ${formatDateTime(row.expiresAt, core.settings.timeZone)}.`,
      { ephemeral: true },
    ),
  );
}

/** The card: who asks, what will happen, cost, expiry, and the buttons while it is pending. */
/** Approve / Deny for a pending request (the card, the App Home and the overview use the same ids). */
export function decisionButtons(r: Pick<Request, "id" | "needsPin">): Block {
  return {
    kind: "actions",
    buttons: [
      {
        id: "confirm:approve",
        label: r.needsPin ? "Approve (PIN)" : "Approve",
        style: "primary",
        value: r.id,
      },
      { id: "confirm:deny", label: "Deny", style: "danger", value: r.id },
    ],
  };
}

export function renderCard(r: Request, account: Account | undefined, core: Core): Reply {
  const spec = ACTIONS[r.action as ActionName];
  const tz = core.settings.timeZone;
  const who = (id: string) => (r.platform === "console" ? id : `<@${id}>`);
  const icon: Record<ConfirmationStatus, string> = {
    pending: "⏳",
    approved: "✅",
    executing: "⚙️",
    succeeded: "✅",
    failed: "❌",
    denied: "🚫",
    expired: "⌛",
    unknown: "❓",
  };
  const fields: [string, string][] = [
    ["Requested by", who(r.requesterId)],
    ["Account", account ? `${account.label} (${providerName(account)})` : r.accountLabel],
    ["Status", `${icon[r.status]} ${statusWords(r)}`],
  ];
  if (typeof r.params.cost === "string") fields.push(["Cost", r.params.cost]);
  if (r.status === "pending") {
    fields.push(["Expires", formatDateTime(r.expiresAt, tz)]);
    fields.push([
      "Approvals",
      `${r.approvals.length}/${r.requiredApprovals}${r.twoPerson ? " · requester cannot approve" : ""}`,
    ]);
  }
  if (r.approvals.length && r.status !== "pending")
    fields.push(["Approved by", r.approvals.map((a) => who(a.userId)).join(", ")]);
  if (r.status === "denied" && r.decidedBy) fields.push(["Denied by", who(r.decidedBy)]);
  if (r.resultSummary) fields.push(["Result", r.resultSummary]);
  const blocks: Block[] = [
    { kind: "header", text: `${spec?.title ?? r.action} requested` },
    { kind: "text", text: r.description },
  ];
  const warning = spec?.warning && account ? spec.warning(r.params, account) : undefined;
  if (warning && (r.status === "pending" || r.status === "executing"))
    blocks.push({ kind: "context", text: `⚠ ${warning}` });
  blocks.push({ kind: "fields", fields });
  if (r.status === "pending") blocks.push(decisionButtons(r));
  return blocksReply(blocks, {
    severity:
      r.status === "failed" || r.status === "unknown"
        ? "critical"
        : r.status === "pending"
          ? "warning"
          : "info",
  });
}

function statusWords(r: Request): string {
  switch (r.status) {
    case "pending":
      return "waiting for approval";
    case "approved":
    case "executing":
      return r.taskRef ? "running at the provider" : "executing";
    case "succeeded":
      return "done";
    case "failed":
      return "failed";
    case "denied":
      return "denied";
    case "expired":
      return "expired before approval";
    case "unknown":
      return "outcome unknown — check the provider";
  }
}

async function load(core: Core, id: string): Promise<Request | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [r] = await core.db.db.select().from(confirmationRequests).where(eq(confirmationRequests.id, id));
  return r;
}

/** The audit actor for what happens to a request without a click: the decider, or "system". */
function requestActor(r: Request, userId?: string | null): Actor {
  const { platform, workspaceId, channelId } = r;
  return { platform, workspaceId, channelId, userId: userId ?? "system", userIsPlatformAdmin: false };
}

/**
 * The answer to a click that lost the race: the request as it is now. `stillPending` is said
 * when it is still waiting for more approvals (this click's approval was already counted).
 */
async function currentState(core: Core, id: string, stillPending?: string): Promise<Outcome> {
  const again = await load(core, id);
  const text = !again
    ? "That request does not exist."
    : stillPending && again.status === "pending" && again.approvals.length < again.requiredApprovals
      ? stillPending
      : alreadyDecided(again);
  return reply(textReply(text, { ephemeral: true }));
}

async function refreshCard(core: Core, r: Request): Promise<void> {
  const messenger = core.messengers.get(r.platform);
  if (!messenger || !r.messageRef) return;
  const account = r.accountId ? await core.accounts.getById(r.accountId) : undefined;
  try {
    await messenger.update(r.workspaceId, r.messageRef, renderCard(r, account, core));
  } catch (err) {
    core.log.warn({ err, requestId: r.id }, "could not update the confirmation card");
  }
}

function alreadyDecided(r: Request): string {
  const who = (id: string) => (r.platform === "console" ? id : `<@${id}>`);
  switch (r.status) {
    case "pending":
      // Quorum reached, execution about to start (another click won the race).
      return r.approvals.length >= r.requiredApprovals
        ? `Already approved by ${r.approvals.map((a) => who(a.userId)).join(", ")} (starting).`
        : "This request is still pending.";
    case "denied":
      return `Already denied by ${r.decidedBy ? who(r.decidedBy) : "an admin"}.`;
    case "expired":
      return "This request expired before it was approved. Request it again if it is still needed.";
    default:
      return `Already approved by ${r.approvals.map((a) => who(a.userId)).join(", ") || "an admin"} (${statusWords(r)}).`;
  }
}

/**
 * An approval click (or the PIN form). Re-authorized now: only admins approve, the requester not
 * under the two-person rule, and only a pending, unexpired request. Executes at most once.
 */
export async function approve(ctx: CommandContext, requestId: string, pin?: string): Promise<Outcome> {
  const { core, actor } = ctx;
  const r = await load(core, requestId);
  if (!r || r.platform !== actor.platform || r.workspaceId !== actor.workspaceId)
    throw new UserError("not_found", "That request does not exist.");
  const role = await roleOf(core.db, { ...actor, channelId: r.channelId }, core.settings.defaultRole);
  if (!atLeast(role, "admin")) {
    await audit(core.db, actor, { command: "confirm approve", outcome: "denied", requestId: r.id });
    throw new UserError("denied", "Only admins of this channel can approve requests.");
  }
  const now = core.clock.now();
  if (r.status !== "pending") return reply(textReply(alreadyDecided(r), { ephemeral: true }));
  if (r.expiresAt <= now) {
    await expireOne(core, r.id);
    return reply(
      textReply("This request expired before it was approved. Request it again if it is still needed.", {
        ephemeral: true,
      }),
    );
  }
  if (r.twoPerson && r.requesterId === actor.userId)
    return reply(
      textReply("Two-person rule: someone other than the requester must approve this.", { ephemeral: true }),
    );
  if (r.approvals.some((a) => a.userId === actor.userId))
    return reply(
      textReply("You already approved this request; it needs another admin.", { ephemeral: true }),
    );
  // `pin` is undefined on a button click and a string ("" = no PIN) from the PIN form.
  if (r.needsPin && pin === undefined)
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
  const approval = JSON.stringify([{ userId: actor.userId, at: now.toISOString() }]);
  const added = await core.db.db
    .update(confirmationRequests)
    .set({ approvals: sql`${confirmationRequests.approvals} || ${approval}::jsonb` })
    .where(
      and(
        eq(confirmationRequests.id, r.id),
        eq(confirmationRequests.status, "pending"),
        sql`${confirmationRequests.expiresAt} > ${now.toISOString()}::timestamptz`,
        sql`not (${confirmationRequests.approvals} @> ${JSON.stringify([{ userId: actor.userId }])}::jsonb)`,
        sql`jsonb_array_length(${confirmationRequests.approvals}) < ${confirmationRequests.requiredApprovals}`,
      ),
    )
    .returning();
  const after = added[0];
  if (!after) {
    return currentState(core, r.id, "You already approved this request; it needs another admin.");
  }
  await audit(core.db, actor, {
    command: "confirm approve",
    args: { action: r.action },
    outcome: "approved",
    requestId: r.id,
  });
  if (after.approvals.length < after.requiredApprovals) {
    await refreshCard(core, after);
    return reply(
      textReply(`Approved (${after.approvals.length}/${after.requiredApprovals}); it needs another admin.`, {
        ephemeral: true,
      }),
    );
  }
  // Step 2: the single conditional transition to executing. Exactly one caller gets a row back.
  const [claimed] = await core.db.db
    .update(confirmationRequests)
    .set({ status: "executing", decidedBy: actor.userId, decidedAt: now, executedAt: now })
    .where(
      and(
        eq(confirmationRequests.id, r.id),
        eq(confirmationRequests.status, "pending"),
        sql`jsonb_array_length(${confirmationRequests.approvals}) >= ${confirmationRequests.requiredApprovals}`,
      ),
    )
    .returning();
  if (!claimed) {
    return currentState(core, r.id);
  }
  await audit(core.db, actor, { command: r.action, outcome: "executing", requestId: r.id });
  await refreshCard(core, claimed);
  const result = await execute(core, actor, claimed, pin);
  if (typeof result === "string") return reply(textReply(result, { ephemeral: true }));
  // HOSTKEY refused for its PIN: nothing was done and the request waits again. From the PIN form,
  // the form shows why and takes the PIN again; from a button, the card now asks for the PIN.
  if (pin !== undefined) return { kind: "fieldErrors", errors: { pin: result.pinRetry } };
  return reply(textReply(result.pinRetry, { ephemeral: true }));
}

/** Why an action with an uncertain outcome cannot be called failed, for the card and the audit. */
function unknownOutcome(err: unknown, account: Account): string {
  const name = providerName(account);
  const why =
    err instanceof ProviderError
      ? scrub(err.message)
      : "hostops hit an unexpected error after the request may have been sent.";
  return `${why} The action may have been applied: look at account *${account.label}* in the ${name} panel before requesting it again.`;
}

/**
 * HOSTKEY refused the call for its PIN (missing, wrong or blocked): nothing was done, so the request
 * goes back to pending, marked as needing the PIN, without this approver's approval, which they
 * give again with the PIN. Returns the message for the approver, or undefined when the request
 * was no longer executing.
 */
async function backToPending(
  core: Core,
  actor: Actor,
  r: Request,
  err: ProviderError,
): Promise<string | undefined> {
  const without = JSON.stringify(r.approvals.filter((a) => a.userId !== actor.userId));
  const [again] = await core.db.db
    .update(confirmationRequests)
    .set({
      status: "pending",
      needsPin: true,
      // The card says why the request waits again.
      resultSummary: "HOSTKEY refused it for the account PIN; nothing was done. Approve again with the PIN.",
      approvals: sql`${without}::jsonb`,
      decidedBy: null,
      decidedAt: core.clock.now(),
      executedAt: null,
    })
    .where(and(eq(confirmationRequests.id, r.id), eq(confirmationRequests.status, "executing")))
    .returning();
  if (!again) return undefined;
  await audit(core.db, actor, {
    command: r.action,
    outcome: "pin_rejected",
    detail: scrub(err.message),
    requestId: r.id,
  });
  await refreshCard(core, again);
  void updateStateGauge(core);
  return `${scrub(err.message)} The request is still waiting: approve it again with the PIN (*Approve (PIN)* on the card).`;
}

/**
 * Runs the driver call for a claimed request; follows an asynchronous task in the background.
 * Returns the message for the approver, or `{ pinRetry }` when HOSTKEY refused for its PIN and the
 * request waits for approval again.
 */
async function execute(
  core: Core,
  actor: Actor,
  r: Request,
  pin: string | undefined,
): Promise<string | { pinRetry: string }> {
  const spec = ACTIONS[r.action as ActionName];
  const account = r.accountId ? await core.accounts.getById(r.accountId) : undefined;
  const finish = async (
    status: ConfirmationStatus,
    summary: string,
    taskRef?: string,
    extra: { needsPin?: boolean } = {},
  ) => {
    const [done] = await core.db.db
      .update(confirmationRequests)
      .set({
        status,
        resultSummary: scrub(summary).slice(0, 500),
        taskRef: taskRef ?? null,
        finishedAt: status === "executing" ? null : core.clock.now(),
        ...extra,
      })
      .where(eq(confirmationRequests.id, r.id))
      .returning();
    await audit(core.db, actor, {
      command: r.action,
      outcome: status === "executing" ? "started" : status,
      detail: summary,
      requestId: r.id,
      taskRef,
    });
    if (done) await refreshCard(core, done);
    void updateStateGauge(core);
    return done;
  };
  if (!spec || !account) {
    await finish("failed", "The account of this request no longer exists; nothing was done.");
    return "The account no longer exists; nothing was done.";
  }
  if (pin) registerSecret(pin);
  let result: ActionResult;
  try {
    result = await spec.run(core.accounts.driverFor(account), r.params, pin || undefined);
  } catch (err) {
    if (err instanceof ProviderError && err.pinRejected && spec.pin) {
      const retry = await backToPending(core, actor, r, err);
      if (retry) return { pinRetry: retry };
    }
    if (!(err instanceof ProviderError)) core.log.error({ err, requestId: r.id }, "confirmed action failed");
    // Only an error that proves nothing happened may end the request as failed. A timeout or reset
    // after sending, a 5xx, an unreadable or unexpected answer: nobody knows, and saying "failed"
    // would invite a second run (a second payment).
    if (provedNothingHappened(err)) {
      const msg = plainText(describeProviderError(err as ProviderError, account));
      await finish("failed", msg);
      return `Failed: ${msg}`;
    }
    const msg = unknownOutcome(err, account);
    await finish("unknown", msg);
    return `Outcome unknown — check the provider. ${msg}`;
  } finally {
    if (pin) forgetSecret(pin);
  }
  // A PIN action that went through without a PIN teaches that this account has none (any more).
  const learned = spec.pin && !pin && r.needsPin ? { needsPin: false } : {};
  if (result.taskRef) {
    const running = await finish("executing", result.summary, result.taskRef, learned);
    if (running) core.tasks?.follow(running.id);
    return `Approved. ${result.summary} I will post the outcome in the card's thread.`;
  }
  await finish("succeeded", result.summary, undefined, learned);
  return `Approved. ${result.summary}`;
}

/** Records a followed task's end (task-follower.ts): the card, the audit log and a line in its thread. */
export async function settle(
  core: Core,
  r: Request,
  status: ConfirmationStatus,
  summary: string,
): Promise<void> {
  const [done] = await core.db.db
    .update(confirmationRequests)
    .set({
      status,
      resultSummary: scrub(summary).slice(0, 500),
      finishedAt: core.clock.now(),
      followOwner: null,
      followUntil: null,
    })
    .where(and(eq(confirmationRequests.id, r.id), eq(confirmationRequests.status, "executing")))
    .returning();
  if (!done) return;
  const actor = requestActor(r, r.decidedBy);
  await audit(core.db, actor, {
    command: r.action,
    outcome: status,
    detail: summary,
    requestId: r.id,
    taskRef: r.taskRef ?? undefined,
  });
  await refreshCard(core, done);
  const messenger = core.messengers.get(r.platform);
  if (messenger && done.messageRef) {
    const icon = status === "succeeded" ? "✅" : status === "failed" ? "❌" : "❓";
    await messenger
      .postInThread(
        r.workspaceId,
        done.messageRef as MessageRef,
        textReply(
          `${icon} ${ACTIONS[r.action as ActionName]?.title ?? r.action} ${status}: ${scrub(summary)}`,
        ),
      )
      .catch((err: unknown) => core.log.warn({ err }, "could not post the outcome in the thread"));
  }
  void updateStateGauge(core);
}

export async function deny(ctx: CommandContext, requestId: string): Promise<Outcome> {
  const { core, actor } = ctx;
  const r = await load(core, requestId);
  if (!r || r.platform !== actor.platform || r.workspaceId !== actor.workspaceId)
    throw new UserError("not_found", "That request does not exist.");
  const role = await roleOf(core.db, { ...actor, channelId: r.channelId }, core.settings.defaultRole);
  // Admins deny; a requester may withdraw their own request.
  if (!atLeast(role, "admin") && r.requesterId !== actor.userId)
    throw new UserError("denied", "Only admins of this channel (or the requester) can deny requests.");
  const [done] = await core.db.db
    .update(confirmationRequests)
    .set({ status: "denied", decidedBy: actor.userId, decidedAt: core.clock.now() })
    .where(and(eq(confirmationRequests.id, r.id), eq(confirmationRequests.status, "pending")))
    .returning();
  if (!done) {
    return currentState(core, r.id);
  }
  await audit(core.db, actor, {
    command: "confirm deny",
    args: { action: r.action },
    outcome: "denied",
    requestId: r.id,
  });
  await refreshCard(core, done);
  void updateStateGauge(core);
  return reply(textReply("Denied. Nothing was done.", { ephemeral: true }));
}

async function expireOne(core: Core, id: string): Promise<void> {
  const [done] = await core.db.db
    .update(confirmationRequests)
    .set({ status: "expired" })
    .where(and(eq(confirmationRequests.id, id), eq(confirmationRequests.status, "pending")))
    .returning();
  if (done) await refreshCard(core, done);
}

/** Marks pending requests past their expiry as expired and removes their buttons. */
export async function expireStale(core: Core): Promise<number> {
  const rows = await core.db.db
    .update(confirmationRequests)
    .set({ status: "expired" })
    .where(
      and(eq(confirmationRequests.status, "pending"), lte(confirmationRequests.expiresAt, core.clock.now())),
    )
    .returning();
  for (const r of rows) {
    await refreshCard(core, r);
    const actor = requestActor(r);
    await audit(core.db, actor, { command: r.action, outcome: "expired", requestId: r.id });
  }
  if (rows.length) void updateStateGauge(core);
  return rows.length;
}

/**
 * After a restart: a request left executing without a provider task is never re-run — it is
 * marked "outcome unknown". One with a task reference is followed again (reading a task is safe)
 * when no live follower holds its lease (task-follower.ts).
 * `olderThanMs` leaves alone requests another replica may be executing right now.
 */
export async function recoverInterrupted(
  core: Core,
  olderThanMs = 0,
): Promise<{ unknown: number; resumed: number }> {
  const cutoff = new Date(core.clock.now().getTime() - olderThanMs);
  const rows = await core.db.db
    .update(confirmationRequests)
    .set({
      status: "unknown",
      resultSummary: "outcome unknown — check the provider (hostops stopped while executing)",
      finishedAt: core.clock.now(),
    })
    .where(
      and(
        inArray(confirmationRequests.status, ["executing", "approved"]),
        sql`${confirmationRequests.taskRef} is null`,
        lte(confirmationRequests.executedAt, cutoff),
      ),
    )
    .returning();
  for (const r of rows) {
    await refreshCard(core, r);
    const actor = requestActor(r);
    await audit(core.db, actor, { command: r.action, outcome: "unknown", requestId: r.id });
  }
  const resumed = (await core.tasks?.resume()) ?? 0;
  return { unknown: rows.length, resumed };
}

/**
 * Why `actor` cannot approve the request now, or undefined when they may: asked before the
 * console's "Type yes" so that nobody confirms an approval that is then refused. Advisory only:
 * `approve` checks all of it again, atomically.
 */
export async function approvalRefusal(
  core: Core,
  actor: Actor,
  requestId: string,
): Promise<string | undefined> {
  const r = await load(core, requestId);
  if (!r || r.platform !== actor.platform || r.workspaceId !== actor.workspaceId)
    return "That request does not exist.";
  const role = await roleOf(core.db, { ...actor, channelId: r.channelId }, core.settings.defaultRole);
  if (!atLeast(role, "admin")) return "Only admins of this channel can approve requests.";
  if (r.status !== "pending") return alreadyDecided(r);
  if (r.expiresAt <= core.clock.now())
    return "This request expired before it was approved. Request it again if it is still needed.";
  if (r.twoPerson && r.requesterId === actor.userId)
    return "Two-person rule: someone other than the requester must approve this.";
  if (r.approvals.some((a) => a.userId === actor.userId))
    return "You already approved this request; it needs another admin.";
  return undefined;
}

/** Requests by id (the audit log names them), in any state. */
export async function requestsById(core: Core, ids: string[]): Promise<Request[]> {
  if (!ids.length) return [];
  return core.db.db.select().from(confirmationRequests).where(inArray(confirmationRequests.id, ids));
}

export async function pendingIn(core: Core, actor: Actor): Promise<Request[]> {
  return core.db.db
    .select()
    .from(confirmationRequests)
    .where(
      and(
        eq(confirmationRequests.platform, actor.platform),
        eq(confirmationRequests.workspaceId, actor.workspaceId),
        eq(confirmationRequests.channelId, actor.channelId),
        inArray(confirmationRequests.status, ["pending", "executing"]),
      ),
    )
    .orderBy(desc(confirmationRequests.createdAt));
}

async function updateStateGauge(core: Core): Promise<void> {
  try {
    const rows = await core.db.rows<{ status: string; n: number }>(
      sql`select status, count(*)::int as n from confirmation_requests group by status`,
    );
    confirmationsByState.reset();
    for (const r of rows) confirmationsByState.set({ state: r.status }, Number(r.n));
  } catch {
    // Metrics are best effort.
  }
}
