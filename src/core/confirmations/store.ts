import { and, desc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type ConfirmationStatus, confirmationRequests, type MessageRef } from "../../db/schema.ts";
import type { Actor } from "../context.ts";
import { sourcesOf } from "./states.ts";

/**
 * The confirmation requests table. Every change of state is one conditional UPDATE whose WHERE
 * holds the states it may leave (`from(to)`: the moves of states.ts), so of two racing callers
 * exactly one gets the row back: that is what makes an action run at most once. Each returns the
 * row after the change, or undefined when the condition no longer held.
 */

export type Request = typeof confirmationRequests.$inferSelect;
export type NewRequest = typeof confirmationRequests.$inferInsert;

const t = confirmationRequests;

/** The request is in a state that may move to `to`. */
const from = (to: ConfirmationStatus) => inArray(t.status, sourcesOf(to));

export async function insertRequest(db: Database, values: NewRequest): Promise<Request> {
  const [row] = await db.db.insert(t).values(values).returning();
  if (!row) throw new Error("confirmation request was not stored");
  return row;
}

export async function setMessageRef(db: Database, id: string, ref: MessageRef): Promise<void> {
  await db.db.update(t).set({ messageRef: ref }).where(eq(t.id, id));
}

export async function loadRequest(db: Database, id: string): Promise<Request | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [r] = await db.db.select().from(t).where(eq(t.id, id));
  return r;
}

/** Requests by id (the audit log names them), in any state. */
export async function requestsById(db: Database, ids: string[]): Promise<Request[]> {
  if (!ids.length) return [];
  return db.db.select().from(t).where(inArray(t.id, ids));
}

/** The open (pending or executing) requests of the actor's channel, newest first. */
export async function openIn(db: Database, actor: Actor): Promise<Request[]> {
  return db.db
    .select()
    .from(t)
    .where(
      and(
        eq(t.platform, actor.platform),
        eq(t.workspaceId, actor.workspaceId),
        eq(t.channelId, actor.channelId),
        inArray(t.status, ["pending", "executing"]),
      ),
    )
    .orderBy(desc(t.createdAt));
}

/** What the newest request among `actions` of the account learned about HOSTKEY's PIN. */
export async function lastPinNeed(
  db: Database,
  accountId: string,
  actions: readonly string[],
): Promise<boolean | undefined> {
  const [last] = await db.db
    .select({ needsPin: t.needsPin })
    .from(t)
    .where(and(eq(t.accountId, accountId), inArray(t.action, [...actions])))
    .orderBy(desc(sql`coalesce(${t.decidedAt}, ${t.createdAt})`))
    .limit(1);
  return last?.needsPin;
}

/** Adds `userId`'s approval: only while pending, unexpired, not yet approved by them and short of quorum. */
export async function addApproval(
  db: Database,
  id: string,
  userId: string,
  now: Date,
): Promise<Request | undefined> {
  const approval = JSON.stringify([{ userId, at: now.toISOString() }]);
  const [row] = await db.db
    .update(t)
    .set({ approvals: sql`${t.approvals} || ${approval}::jsonb` })
    .where(
      and(
        eq(t.id, id),
        eq(t.status, "pending"),
        sql`${t.expiresAt} > ${now.toISOString()}::timestamptz`,
        sql`not (${t.approvals} @> ${JSON.stringify([{ userId }])}::jsonb)`,
        sql`jsonb_array_length(${t.approvals}) < ${t.requiredApprovals}`,
      ),
    )
    .returning();
  return row;
}

/** pending -> executing once the quorum is reached: the single claim; exactly one caller gets the row. */
export async function claimForExecution(
  db: Database,
  id: string,
  userId: string,
  now: Date,
): Promise<Request | undefined> {
  const [row] = await db.db
    .update(t)
    .set({ status: "executing", decidedBy: userId, decidedAt: now, executedAt: now })
    .where(
      and(eq(t.id, id), from("executing"), sql`jsonb_array_length(${t.approvals}) >= ${t.requiredApprovals}`),
    )
    .returning();
  return row;
}

/**
 * executing -> pending when HOSTKEY refused the call for its PIN (nothing was done): marked as
 * needing the PIN, without `withoutUserId`'s approval.
 */
export async function backToPending(
  db: Database,
  r: Request,
  withoutUserId: string,
  summary: string,
  now: Date,
): Promise<Request | undefined> {
  const approvals = JSON.stringify(r.approvals.filter((a) => a.userId !== withoutUserId));
  const [row] = await db.db
    .update(t)
    .set({
      status: "pending",
      needsPin: true,
      resultSummary: summary,
      approvals: sql`${approvals}::jsonb`,
      decidedBy: null,
      decidedAt: now,
      executedAt: null,
    })
    .where(and(eq(t.id, r.id), from("pending")))
    .returning();
  return row;
}

/**
 * The outcome of the driver call this process made for a request it claimed: its end, or
 * "executing" with the provider's task to follow. Keyed by id alone: the claim was ours.
 */
export async function recordOutcome(
  db: Database,
  id: string,
  outcome: {
    status: ConfirmationStatus;
    summary: string;
    taskRef: string | null;
    finishedAt: Date | null;
    needsPin?: boolean;
  },
): Promise<Request | undefined> {
  const [row] = await db.db
    .update(t)
    .set({
      status: outcome.status,
      resultSummary: outcome.summary,
      taskRef: outcome.taskRef,
      finishedAt: outcome.finishedAt,
      ...(outcome.needsPin === undefined ? {} : { needsPin: outcome.needsPin }),
    })
    .where(eq(t.id, id))
    .returning();
  return row;
}

/** executing -> the followed task's end (task-follower.ts); frees the follower's lease. */
export async function settleExecuting(
  db: Database,
  id: string,
  status: ConfirmationStatus,
  summary: string,
  now: Date,
): Promise<Request | undefined> {
  const [row] = await db.db
    .update(t)
    .set({ status, resultSummary: summary, finishedAt: now, followOwner: null, followUntil: null })
    .where(and(eq(t.id, id), eq(t.status, "executing")))
    .returning();
  return row;
}

export async function denyPending(
  db: Database,
  id: string,
  userId: string,
  now: Date,
): Promise<Request | undefined> {
  const [row] = await db.db
    .update(t)
    .set({ status: "denied", decidedBy: userId, decidedAt: now })
    .where(and(eq(t.id, id), from("denied")))
    .returning();
  return row;
}

export async function expirePending(db: Database, id: string): Promise<Request | undefined> {
  const [row] = await db.db
    .update(t)
    .set({ status: "expired" })
    .where(and(eq(t.id, id), from("expired")))
    .returning();
  return row;
}

/** pending -> expired for every request past its expiry. */
export async function expireAllStale(db: Database, now: Date): Promise<Request[]> {
  return db.db
    .update(t)
    .set({ status: "expired" })
    .where(and(from("expired"), lte(t.expiresAt, now)))
    .returning();
}

/**
 * executing (or the old "approved") -> unknown for requests without a provider task whose
 * execution started before `cutoff`: hostops stopped mid-call, and nobody knows what happened.
 */
export async function markInterrupted(
  db: Database,
  cutoff: Date,
  summary: string,
  now: Date,
): Promise<Request[]> {
  return db.db
    .update(t)
    .set({ status: "unknown", resultSummary: summary, finishedAt: now })
    .where(and(from("unknown"), sql`${t.taskRef} is null`, lte(t.executedAt, cutoff)))
    .returning();
}

/** How many requests are in each state (the metrics gauge). */
export async function countByStatus(db: Database): Promise<{ status: string; n: number }[]> {
  return db.rows<{ status: string; n: number }>(
    sql`select status, count(*)::int as n from confirmation_requests group by status`,
  );
}
