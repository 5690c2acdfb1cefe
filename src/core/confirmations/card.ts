import { z } from "zod";
import type { ConfirmationStatus } from "../../db/schema.ts";
import { providerName } from "../../providers/types.ts";
import type { Account } from "../accounts.ts";
import { actionNamed } from "../actions/catalog.ts";
import type { Core } from "../context.ts";
import { formatDateTime } from "../format.ts";
import { type Block, blocksReply, type Reply } from "../reply.ts";
import { concat, icon, join, mention, type Rich, rich, type Text } from "../rich.ts";
import { type ApprovalRefusal, quorumReached } from "./states.ts";
import type { Request } from "./store.ts";

/**
 * What a person sees of a request: its card (who asks, what will happen, cost, expiry, status,
 * and Approve / Deny while pending), and the sentences that say why a click changed nothing.
 * Pure: a request row in, a Reply or rich text out.
 */

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

const STATUS_ICON: Record<ConfirmationStatus, Text> = {
  pending: [icon("pending")],
  approved: [icon("success")],
  executing: [icon("executing")],
  succeeded: [icon("success")],
  failed: [icon("failure")],
  denied: [icon("denied")],
  expired: [icon("expired")],
  unknown: [icon("unknown")],
};

/** The action's title ("Reboot"), or the stored name of an action this version does not know. */
export function actionTitle(r: Pick<Request, "action">): string {
  return actionNamed(r.action)?.title ?? r.action;
}

/**
 * What the request will do. Drawn again from the catalog when the params still parse and the
 * account still exists (with the names in strong); otherwise the plain text stored with the row.
 */
export function requestDescription(
  r: Pick<Request, "action" | "params" | "description">,
  account?: Account,
): Text {
  const read = account ? actionNamed(r.action)?.read(r.params) : undefined;
  return read?.ok && account ? read.bound.describe(account) : r.description;
}

/** The provider's warning, for a request whose params still parse. */
function requestWarning(r: Request, account: Account | undefined): Text | undefined {
  const read = account ? actionNamed(r.action)?.read(r.params) : undefined;
  return read?.ok && account ? read.bound.warning(account) : undefined;
}

/** "4.99 EUR", stored beside the action's params when the provider gave a price. */
const costField = z.object({ cost: z.string() });
export function costOf(params: unknown): string | undefined {
  const c = costField.safeParse(params);
  return c.success ? c.data.cost : undefined;
}

const people = (ids: string[]): Rich => join(ids.map(mention), ", ");

export function renderCard(r: Request, account: Account | undefined, core: Pick<Core, "settings">): Reply {
  const tz = core.settings.timeZone;
  const fields: [string, Text][] = [
    ["Requested by", [mention(r.requesterId)]],
    ["Account", account ? `${account.label} (${providerName(account)})` : r.accountLabel],
    ["Status", concat(STATUS_ICON[r.status], " ", statusWords(r))],
  ];
  const cost = costOf(r.params);
  if (cost) fields.push(["Cost", cost]);
  if (r.status === "pending") {
    fields.push(["Expires", formatDateTime(r.expiresAt, tz)]);
    fields.push([
      "Approvals",
      `${r.approvals.length}/${r.requiredApprovals}${r.twoPerson ? " · requester cannot approve" : ""}`,
    ]);
  }
  if (r.approvals.length && r.status !== "pending")
    fields.push(["Approved by", people(r.approvals.map((a) => a.userId))]);
  if (r.status === "denied" && r.decidedBy) fields.push(["Denied by", [mention(r.decidedBy)]]);
  if (r.resultSummary) fields.push(["Result", r.resultSummary]);
  const blocks: Block[] = [
    { kind: "header", text: `${actionTitle(r)} requested` },
    { kind: "text", text: requestDescription(r, account) },
  ];
  const warning = requestWarning(r, account);
  if (warning && (r.status === "pending" || r.status === "executing"))
    blocks.push({ kind: "context", text: concat(icon("warning"), " ", warning) });
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

export function statusWords(r: Pick<Request, "status" | "taskRef">): string {
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

export const EXPIRED_TEXT =
  "This request expired before it was approved. Request it again if it is still needed.";
export const NOT_FOUND_TEXT = "That request does not exist.";
export const ALREADY_APPROVED_TEXT = "You already approved this request; it needs another admin.";

/** Why a click on a request that is no longer waiting for it changed nothing. */
export function alreadyDecided(r: Request): Rich {
  const approvers = r.approvals.map((a) => a.userId);
  switch (r.status) {
    case "pending":
      // Quorum reached, execution about to start (another click won the race).
      return quorumReached(r)
        ? rich`Already approved by ${people(approvers)} (starting).`
        : rich`This request is still pending.`;
    case "denied":
      return rich`Already denied by ${r.decidedBy ? [mention(r.decidedBy)] : "an admin"}.`;
    case "expired":
      return rich`${EXPIRED_TEXT}`;
    default:
      return rich`Already approved by ${approvers.length ? people(approvers) : "an admin"} (${statusWords(r)}).`;
  }
}

/** The sentence for each refused approval. */
export function refusalText(refusal: ApprovalRefusal, r: Request): Text {
  switch (refusal) {
    case "not_admin":
      return "Only admins of this channel can approve requests.";
    case "decided":
      return alreadyDecided(r);
    case "expired":
      return EXPIRED_TEXT;
    case "two_person":
      return "Two-person rule: someone other than the requester must approve this.";
    case "already_approved":
      return ALREADY_APPROVED_TEXT;
  }
}
