import { confirmationsByState } from "../../observability/metrics.ts";
import type { Actor, Core } from "../context.ts";
import { renderCard } from "./card.ts";
import { countByStatus, type Request } from "./store.ts";

/**
 * What follows a change of state, outside the answer to the person who clicked: the card in the
 * channel is redrawn, and the gauge of requests by state is refreshed. Both are best effort: a
 * card that cannot be updated is logged, never a reason to undo the change.
 */

export async function refreshCard(core: Core, r: Request): Promise<void> {
  const messenger = core.messengers.get(r.platform);
  if (!messenger || !r.messageRef) return;
  const account = r.accountId ? await core.accounts.getById(r.accountId) : undefined;
  try {
    await messenger.update(r.workspaceId, r.messageRef, renderCard(r, account, core));
  } catch (err) {
    core.log.warn({ err, requestId: r.id }, "could not update the confirmation card");
  }
}

export async function updateStateGauge(core: Core): Promise<void> {
  try {
    const rows = await countByStatus(core.db);
    confirmationsByState.reset();
    for (const r of rows) confirmationsByState.set({ state: r.status }, Number(r.n));
  } catch {
    // Metrics are best effort.
  }
}

/** The audit actor for what happens to a request without a click: the decider, or "system". */
export function requestActor(r: Request, userId?: string | null): Actor {
  const { platform, workspaceId, channelId } = r;
  return { platform, workspaceId, channelId, userId: userId ?? "system", userIsPlatformAdmin: false };
}
