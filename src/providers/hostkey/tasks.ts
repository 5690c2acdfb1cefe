/**
 * HOSTKEY task results: where an eq_callback answer stands (power actions and deploys), the text
 * shown for it, and the bounded memory of finished tasks (HOSTKEY deletes a callback key once its
 * final result has been read). "line N" = a line in shared/seeds/hostkey-invapi.txt.
 */
import { LRUCache } from "lru-cache";
import { ProviderError, type TaskStatus } from "../types.ts";
import * as api from "./client.ts";
import { HostkeyApiError } from "./client.ts";
import type { HostkeySession } from "./session.ts";

/** Task refs of deploys (reinstalls) carry this prefix, so getTask applies the deploy rules. */
export const DEPLOY_PREFIX = "deploy:";

/** Finished tasks kept in memory: the callback key is deleted once its final result is read. */
export const MAX_REMEMBERED_TASKS = 500;
/**
 * How long a finished task's result is kept: the task follower stops asking at the first final
 * answer, so a day covers any late second look and lets an idle replica drop the entries.
 */
export const REMEMBERED_TASK_TTL_MS = 24 * 60 * 60_000;

/** Final task results by callback key, bounded in number and age (oldest go first). */
export type FinishedTasks = LRUCache<string, TaskStatus>;

/** `now` is the clock the age is read from (tests pass a fake one). */
export function createFinishedTasks(now: () => number = () => performance.now()): FinishedTasks {
  return new LRUCache<string, TaskStatus>({
    max: MAX_REMEMBERED_TASKS,
    ttl: REMEMBERED_TASK_TTL_MS,
    perf: { now },
    ttlResolution: 0,
  });
}

export async function getTask(s: HostkeySession, finished: FinishedTasks, ref: string): Promise<TaskStatus> {
  const trimmed = ref.trim();
  const deploy = trimmed.startsWith(DEPLOY_PREFIX);
  const key = deploy ? trimmed.slice(DEPLOY_PREFIX.length) : trimmed;
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(key))
    throw new ProviderError("VALIDATION", "That is not a HOSTKEY task key.", {
      provider: "hostkey",
      retryable: false,
    });
  const known = finished.get(key);
  if (known) return known;
  const remember = (status: TaskStatus): TaskStatus => {
    finished.set(key, status);
    return status;
  };
  let body: Awaited<ReturnType<typeof api.checkCallback>>;
  try {
    body = await s.withSession((t) => api.checkCallback(s.http, t, key));
  } catch (err) {
    if (err instanceof HostkeyApiError && err.kind === "not_found")
      throw new ProviderError(
        "NOT_FOUND",
        "HOSTKEY no longer knows this task: its key is deleted once the final result has been read.",
        { provider: "hostkey", retryable: false },
      );
    if (err instanceof HostkeyApiError && err.kind !== "auth" && err.kind !== "malformed") {
      const summary =
        err.kind === "pin"
          ? "HOSTKEY rejected the PIN, so the action did not run."
          : `HOSTKEY reports that the action failed${err.detail ? `: ${err.detail}` : "."}`;
      return remember({ state: "failed", summary });
    }
    throw err;
  }
  const state = callbackState(body, deploy);
  const detail = taskText(body.scope) || taskText(body.debug) || contextText(body.context);
  if (state.kind === "failed")
    return remember({
      state: "failed",
      summary: `HOSTKEY reports that ${describeContext(body.context)} ${state.reason}${detail ? `: ${detail}` : "."}`,
    });
  if (state.kind === "done") {
    const what = describeContext(body.context);
    const ip = contextIp(body.context);
    return remember({
      state: "succeeded",
      summary: `HOSTKEY finished ${what}${ip ? ` (IP ${ip})` : ""}${detail ? `: ${detail}` : "."}`,
    });
  }
  // "Not ready" while running; "Stage" with " (1/5) OS installation started" during a reinstall
  // (line 3739); "OK" with scope "pending" while a deploy runs.
  return { state: "running", summary: `HOSTKEY is still working on it${detail ? `: ${detail}` : "."}` };
}

type CallbackState = { kind: "running" } | { kind: "done" } | { kind: "failed"; reason: string };

function lowerJson(v: unknown): string {
  if (v === undefined || v === null) return "";
  return (typeof v === "string" ? v : JSON.stringify(v)).toLowerCase();
}

function contextIp(context: unknown): string | undefined {
  if (!context || typeof context !== "object") return undefined;
  const c = context as Record<string, unknown>;
  const ip = typeof c.ip === "string" ? c.ip.trim() : typeof c.IP === "string" ? c.IP.trim() : "";
  return /^[0-9a-f.:]{3,45}$/i.test(ip) ? ip : undefined;
}

function contextHasServer(context: unknown): boolean {
  if (!context || typeof context !== "object") return false;
  const id = (context as Record<string, unknown>).id;
  const hasId = (typeof id === "string" && id.trim() !== "") || (typeof id === "number" && id > 0);
  return hasId && contextIp(context) !== undefined;
}

/**
 * Where an eq_callback answer stands. For a deploy (reinstall) the rules of HOSTKEY's own Terraform
 * provider (internal/invapi/callback.go, `callbackTerminal`): done only when `scope` says
 * "deploy_done" or "autodeploy completed", or `context` carries the server id and its IP; failed
 * when `result` is Error/Failed/Cancelled, or scope/context/debug says cancelled, aborted,
 * rejected, failed or error; anything else (`"result":"OK","scope":"pending"`, "Not ready",
 * "Stage") is still running. A power action is done on "OK"/"success" unless its scope says pending.
 */
export function callbackState(
  body: { result?: unknown; scope?: unknown; context?: unknown; debug?: unknown },
  deploy: boolean,
): CallbackState {
  const result = typeof body.result === "string" ? body.result.trim().toLowerCase() : "";
  const scope = lowerJson(body.scope);
  if (scope.includes("deploy_done") || scope.includes("autodeploy completed")) return { kind: "done" };
  if (contextHasServer(body.context)) return { kind: "done" };
  if (["error", "failed", "fail", "cancelled", "canceled"].includes(result))
    return { kind: "failed", reason: /cancel/.test(result) ? "was cancelled" : "failed" };
  const blob = `${scope} ${lowerJson(body.context)} ${lowerJson(body.debug)}`;
  if (/cancelled|canceled|cancel_request|"status":"cancel"/.test(blob))
    return { kind: "failed", reason: "was cancelled" };
  if (/aborted|rejected|failure|failed|error/.test(blob)) return { kind: "failed", reason: "failed" };
  if (deploy) return { kind: "running" };
  if ((result === "ok" || result === "success") && scope.trim().replace(/"/g, "") !== "pending")
    return { kind: "done" };
  return { kind: "running" };
}

/** First line of an async result text, secrets scrubbed, at most 200 characters. */
function taskText(v: unknown): string {
  if (typeof v !== "string") return "";
  const line = v.split("\n").find((l) => l.trim() !== "") ?? "";
  return api.safeDetail(line.replace(/(pass(word)?|token|secret)\s*[=:]\s*\S+/gi, "$1=[redacted]"));
}

/** A reason carried inside `context` (`{"error":"deploy aborted by panel"}`, `{"status":"cancelled"}`). */
function contextText(context: unknown): string {
  if (!context || typeof context !== "object") return "";
  const c = context as Record<string, unknown>;
  return taskText(c.error) || taskText(c.message) || taskText(c.status);
}

function describeContext(context: unknown): string {
  if (!context || typeof context !== "object") return "the action";
  const c = context as Record<string, unknown>;
  const action =
    typeof c.action === "string" && /^[a-z_]{1,40}$/i.test(c.action) ? c.action.replace(/_/g, " ") : "";
  const id = typeof c.id === "string" || typeof c.id === "number" ? String(c.id) : "";
  if (action && /^\d+$/.test(id)) return `${action} of server ${id}`;
  return action ? action : "the action";
}
