import type { ConfirmationStatus } from "../../db/schema.ts";
import type { Request } from "./store.ts";

/**
 * The confirmation state machine, pure (no database, no clock of its own): which moves a request
 * may make, and who may approve or deny it now. The store makes only these moves, each as one
 * conditional UPDATE; the flow asks here before it tries.
 *
 *     pending --quorum reached--> executing --> succeeded | failed | unknown
 *        |                            |
 *        +--> denied | expired        +--> pending (HOSTKEY refused for its PIN: nothing was done)
 *
 * A request that was executing when hostops stopped is never run again: it ends "unknown".
 */

export const TRANSITIONS: Readonly<Record<ConfirmationStatus, readonly ConfirmationStatus[]>> = {
  pending: ["executing", "denied", "expired"],
  executing: ["succeeded", "failed", "unknown", "pending"],
  // Written by older versions between approval and execution; only recovery ends it.
  approved: ["unknown"],
  succeeded: [],
  failed: [],
  denied: [],
  expired: [],
  unknown: [],
};

export function canMove(from: ConfirmationStatus, to: ConfirmationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The states a request may be in to move to `to` (the WHERE of the store's update). */
export function sourcesOf(to: ConfirmationStatus): ConfirmationStatus[] {
  return (Object.keys(TRANSITIONS) as ConfirmationStatus[]).filter((from) => canMove(from, to));
}

export function isFinal(s: ConfirmationStatus): boolean {
  return TRANSITIONS[s].length === 0;
}

type Approvals = Pick<Request, "approvals" | "requiredApprovals">;

export function quorumReached(r: Approvals): boolean {
  return r.approvals.length >= r.requiredApprovals;
}

/** Whether the actor can see the request at all (a request of another workspace "does not exist"). */
export function visibleTo(
  r: Pick<Request, "platform" | "workspaceId"> | undefined,
  actor: { platform: string; workspaceId: string },
): r is NonNullable<typeof r> {
  return r !== undefined && r.platform === actor.platform && r.workspaceId === actor.workspaceId;
}

/** Why an approval is refused, in the order the rules are checked. */
export type ApprovalRefusal =
  /** Only admins of the request's channel approve. */
  | "not_admin"
  /** No longer pending: approved, running, ended, denied or expired. */
  | "decided"
  /** Still pending but past its expiry. */
  | "expired"
  /** The requester may not approve their own request under the two-person rule. */
  | "two_person"
  /** Each admin counts once towards the quorum. */
  | "already_approved";

export interface Approver {
  userId: string;
  /** Admin in the request's channel. */
  isAdmin: boolean;
}

type Approvable = Pick<
  Request,
  "status" | "expiresAt" | "twoPerson" | "requesterId" | "approvals" | "requiredApprovals"
>;

/**
 * Why `who` cannot approve the request now, or undefined when they may. The store checks the
 * same again in its conditional update: a click that raced another may still find nothing to do.
 */
export function approvalRefusal(r: Approvable, who: Approver, now: Date): ApprovalRefusal | undefined {
  if (!who.isAdmin) return "not_admin";
  if (r.status !== "pending") return "decided";
  if (r.expiresAt <= now) return "expired";
  if (r.twoPerson && r.requesterId === who.userId) return "two_person";
  if (r.approvals.some((a) => a.userId === who.userId)) return "already_approved";
  return undefined;
}

/**
 * Whether the approver must give HOSTKEY's PIN first: the request needs it and it was not given
 * (`pin` is undefined on a button click, a string from the PIN form; "" means "no PIN").
 */
export function asksForPin(r: Pick<Request, "needsPin">, pin: string | undefined): boolean {
  return r.needsPin && pin === undefined;
}

/** Admins deny; a requester may withdraw their own request. */
export function mayDeny(r: Pick<Request, "requesterId">, who: Approver): boolean {
  return who.isAdmin || r.requesterId === who.userId;
}
