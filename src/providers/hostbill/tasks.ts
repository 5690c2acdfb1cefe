/**
 * HostBill tasks: their names, whether a task's `results` may be shown (a reinstall or password
 * reset writes the new root password there), the raw-record cleaning that follows from it, and
 * the status of one task (GET /server/@id/task/@task). "line N" = a line in
 * seeds/hostens-client-api.txt.
 */
import { sanitizeProviderText, sanitizeRaw } from "../_shared/redact.ts";
import type { TaskStatus } from "../types.ts";
import type { HostBillContext } from "./context.ts";

/** Task names seen in the seeds and in the official Time4VPS module ([ext], PROVIDERS.md 1.2). */
export const TASK_NAMES: Record<string, string> = {
  server_reboot: "Reboot",
  server_recreate: "Reinstall",
  server_reinstall: "Reinstall",
  server_reset_password: "Password reset",
  reset_root_password: "Password reset",
  server_webconsole: "Web console",
};

const FAILED_TEXT = /\b(fail(ed|ure)?|error|unable|could not|cannot|timed? ?out|aborted)\b/i;

/**
 * Tasks whose `results` may be shown (sanitized). Every other task's results stay hidden: a
 * reinstall (`server_recreate`) or password reset (`server_reset_password`) writes the new root
 * password there, in plain text ("Password:  s3cret", jpalumickas/ivapi fixtures) or hidden in
 * HTML (`Password: \t<a onclick='...this.innerHTML = "s3cret"'>Click...</a>`, read by
 * vladmesh/codegen_orchestrator and the official Time4VPS WHMCS module), and the web console's
 * results carry console credentials. Unknown task names are treated the same way.
 */
const SAFE_RESULT_TASKS = new Set([
  "server_reboot",
  "server_rename",
  "server_changedns",
  "server_changeptr",
  "server_flushfirewall",
  "server_flush_iptables",
]);

/** Task names as a key: lower case, words joined by "_" ("Reset Root Password" -> reset_root_password). */
export function taskKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

function resultsShown(name: string): boolean {
  return SAFE_RESULT_TASKS.has(taskKey(name));
}

/**
 * Task texts and other provider texts made safe to show: markup removed, labelled secrets and
 * values revealed by markup redacted, registered secrets scrubbed.
 */
export function redactTaskText(text: string): string {
  return sanitizeProviderText(text);
}

/**
 * Raw records for detail views: secret keys removed, secret-looking text redacted, and the
 * `results` of any task that is not known to be harmless (e.g. `last_tasks` of GET /server/@id)
 * replaced by a pointer to the provider's panel.
 */
export function cleanRaw(value: unknown): unknown {
  return sanitizeRaw(value, (key, parent) => {
    const r = parent.results;
    if (key !== "results" || r === null || r === undefined || r === "" || r === false) return undefined;
    const taskName = typeof parent.name === "string" ? parent.name : "";
    return resultsShown(taskName) ? undefined : HIDDEN_RESULTS;
  });
}

const HIDDEN_RESULTS = "[hidden: may carry a password; read it in the provider's client area]";

/** A task ref is "<server id>:<task id>". */
export function taskRef(serverId: string, taskId: string | undefined): string | undefined {
  return taskId === undefined ? undefined : `${serverId}:${taskId}`;
}

export async function getTask(c: HostBillContext, ref: string): Promise<TaskStatus> {
  const { name, panel } = c;
  const m = /^(\d{1,18}):(\d{1,18})$/.exec(String(ref).trim());
  if (!m?.[1] || !m[2])
    throw c.fail("VALIDATION", `"${String(ref).slice(0, 40)}" is not a ${name} task reference.`);
  const [serverId, taskId] = [m[1], m[2]];
  const task = await c.api.getTask(serverId, taskId);
  const what =
    TASK_NAMES[taskKey(task.name)] ??
    (task.name ? sanitizeProviderText(task.name).replace(/_/g, " ").slice(0, 60) : `Task ${taskId}`);
  // Done when `completed` is set (lines 3487-3490); there is no success flag (HS-9).
  if (task.completed === "") {
    const phase = task.assigned === "" ? "is queued" : "is running";
    return { state: "running", summary: `${what} of server ${serverId} ${phase}.` };
  }
  // The failure test reads the text with every secret already removed.
  const text = redactTaskText(task.results).replace(/\s+/g, " ").trim();
  const failed = FAILED_TEXT.test(text);
  if (!resultsShown(task.name)) {
    const where = failed
      ? ` See the task details in ${panel}.`
      : /pass|recreate|reinstall|reset/i.test(taskKey(task.name))
        ? ` The new root password is not posted here: read it in ${panel} (the server's task results).`
        : ` Its details are in ${panel}.`;
    return {
      state: failed ? "failed" : "succeeded",
      summary: `${what} of server ${serverId} ${failed ? "failed" : "finished"}.${where}`,
    };
  }
  const shown = text.slice(0, 300);
  return {
    state: failed ? "failed" : "succeeded",
    summary: `${what} of server ${serverId} ${failed ? "failed" : "finished"}${shown ? `: ${shown}` : "."}`,
  };
}
