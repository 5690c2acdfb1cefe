import { and, desc, eq } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { auditLog } from "../db/schema.ts";
import { scrub } from "../observability/secrets.ts";
import type { Actor } from "./context.ts";
import { escapeControlChars, escapeDeep } from "./control-chars.ts";

export interface AuditEntry {
  command: string;
  args?: Record<string, unknown>;
  outcome: string;
  detail?: string;
  requestId?: string;
  taskRef?: string;
}

/** Argument names whose values never reach the audit log. */
const SECRET_ARG = /pass|secret|token|key|pin|credential|authinfo/i;

export function redactArgs(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    if (v === undefined) continue;
    out[k] = SECRET_ARG.test(k) ? "[redacted]" : typeof v === "string" ? scrub(v).slice(0, 500) : v;
  }
  return out;
}

/**
 * Writes one audit row. Every text is stored with its control characters escaped: Postgres
 * refuses NUL in text and jsonb, and the row of a command sent with one must not be lost.
 */
export async function audit(database: Database, actor: Actor, entry: AuditEntry): Promise<void> {
  const esc = escapeControlChars;
  await database.db.insert(auditLog).values({
    platform: actor.platform,
    workspaceId: esc(actor.workspaceId),
    channelId: esc(actor.channelId),
    userId: esc(actor.userId),
    command: esc(entry.command),
    args: escapeDeep(redactArgs(entry.args ?? {})) as Record<string, unknown>,
    outcome: entry.outcome,
    detail: entry.detail ? esc(scrub(entry.detail).slice(0, 1000)) : null,
    requestId: entry.requestId ?? null,
    taskRef: entry.taskRef ? esc(entry.taskRef) : null,
  });
}

export async function recentAudit(database: Database, actor: Actor, limit: number) {
  return database.db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.platform, actor.platform),
        eq(auditLog.workspaceId, actor.workspaceId),
        eq(auditLog.channelId, actor.channelId),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(limit);
}
