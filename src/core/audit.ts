import { and, desc, eq } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { auditLog } from "../db/schema.ts";
import { scrub } from "../observability/secrets.ts";
import type { Actor } from "./context.ts";

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

export async function audit(database: Database, actor: Actor, entry: AuditEntry): Promise<void> {
  await database.db.insert(auditLog).values({
    platform: actor.platform,
    workspaceId: actor.workspaceId,
    channelId: actor.channelId,
    userId: actor.userId,
    command: entry.command,
    args: redactArgs(entry.args ?? {}),
    outcome: entry.outcome,
    detail: entry.detail ? scrub(entry.detail).slice(0, 1000) : null,
    requestId: entry.requestId ?? null,
    taskRef: entry.taskRef ?? null,
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
