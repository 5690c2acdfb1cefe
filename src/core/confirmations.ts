/**
 * Destructive actions run only through a confirmation request:
 * pending -> executing (one conditional UPDATE, at most once) -> succeeded | failed,
 * or pending -> denied | expired; a crash mid-execution leaves "unknown", never a re-run.
 *
 * This module is the door to it; the parts live in confirmations/:
 * - store.ts        the table and its conditional updates (the "at most once")
 * - states.ts       the state machine and the approval rules, pure
 * - card.ts         the card and the sentences a person reads, pure
 * - request.ts      making a request
 * - decide.ts       Approve / Deny
 * - execute.ts      the driver call and its outcome; `settle` for followed tasks
 * - housekeeping.ts expiry and recovery after a restart
 * The actions themselves (params, driver call, command) are in actions/catalog.ts; the task
 * follower in task-follower.ts.
 */

export type { ActionName } from "./actions/catalog.ts";
export { decisionButtons, renderCard, requestDescription } from "./confirmations/card.ts";
export { approvalRefusalText as approvalRefusal, approve, deny } from "./confirmations/decide.ts";
export { settle } from "./confirmations/execute.ts";
export { expireStale, recoverInterrupted } from "./confirmations/housekeeping.ts";
export { type RequestInput, requestConfirmation } from "./confirmations/request.ts";
export { openIn, type Request, requestsById } from "./confirmations/store.ts";
