import { audit } from "../audit.ts";
import type { Core } from "../context.ts";
import { refreshCard, requestActor, updateStateGauge } from "./publish.ts";
import { expireAllStale, markInterrupted } from "./store.ts";

/** What the housekeeping timer and start-up do to requests nobody clicks on any more. */

/** Marks pending requests past their expiry as expired and removes their buttons. */
export async function expireStale(core: Core): Promise<number> {
  const rows = await expireAllStale(core.db, core.clock.now());
  for (const r of rows) {
    await refreshCard(core, r);
    await audit(core.db, requestActor(r), { command: r.action, outcome: "expired", requestId: r.id });
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
  const now = core.clock.now();
  const rows = await markInterrupted(
    core.db,
    new Date(now.getTime() - olderThanMs),
    "outcome unknown — check the provider (hostops stopped while executing)",
    now,
  );
  for (const r of rows) {
    await refreshCard(core, r);
    await audit(core.db, requestActor(r), { command: r.action, outcome: "unknown", requestId: r.id });
  }
  const resumed = (await core.tasks?.resume()) ?? 0;
  return { unknown: rows.length, resumed };
}
