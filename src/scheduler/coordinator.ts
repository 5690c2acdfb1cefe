import { lt } from "drizzle-orm";
import type { RunCoordinator } from "node-cron";
import type { Database } from "../db/client.ts";
import { cronRuns } from "../db/schema.ts";

/** Claims are kept this long (for "which replica ran the 14:00 scan"), then pruned. */
export const CLAIM_RETENTION_MS = 7 * 86_400_000;

/**
 * node-cron 4 run coordinator backed by Postgres (or PGlite): every replica computes the same key
 * for the same fire (`<task name>:<slot ISO time>`), and only the one whose INSERT … ON CONFLICT
 * DO NOTHING returned the row runs it. Fail-closed: a database error skips the fire (node-cron
 * logs it); the next fire tries again.
 */
export function postgresRunCoordinator(
  database: Database,
  replicaId: string,
  opts: { now?: () => Date } = {},
): RunCoordinator {
  const now = opts.now ?? (() => new Date());
  let lastPrune = 0;
  return {
    async shouldRun(key: string): Promise<boolean> {
      const rows = await database.db
        .insert(cronRuns)
        .values({ key, claimedBy: replicaId, claimedAt: now() })
        .onConflictDoNothing({ target: cronRuns.key })
        .returning({ key: cronRuns.key });
      const won = rows.length === 1;
      if (won && now().getTime() - lastPrune > 3_600_000) {
        lastPrune = now().getTime();
        await database.db
          .delete(cronRuns)
          .where(lt(cronRuns.claimedAt, new Date(now().getTime() - CLAIM_RETENTION_MS)))
          .catch(() => {});
      }
      return won;
    },
  };
}
