/**
 * HostBill server actions (VPS only): reboot and reinstall, refused while another task runs on the
 * server, and the operating systems a server can be reinstalled with. Each starts a task followed
 * in tasks.ts. "line N" = a line in seeds/hostens-client-api.txt.
 */
import { safeText, sanitizeProviderText } from "../_shared/redact.ts";
import { type ActionResult, type OperatingSystem, ProviderError } from "../types.ts";
import type { HostBillContext } from "./context.ts";
import type { HostBillServerDetails } from "./schemas.ts";
import { TASK_NAMES, taskKey, taskRef } from "./tasks.ts";

export async function listOperatingSystems(
  c: HostBillContext,
  serviceId: string,
): Promise<OperatingSystem[]> {
  const sid = c.checkId(serviceId, "server");
  try {
    return (await c.api.listOses(sid)).map((o) => ({ id: o.os, name: o.title || o.os }));
  } catch (err) {
    if (err instanceof ProviderError && err.code === "NOT_FOUND")
      throw c.fail(
        "NOT_FOUND",
        `${c.name} has no server with id ${sid}; only servers (VPS) can be reinstalled.`,
      );
    throw err;
  }
}

export async function reboot(c: HostBillContext, id: string): Promise<ActionResult> {
  const sid = c.checkId(id, "server");
  const server = await requireServer(c, sid, "rebooted");
  assertIdle(c, sid, server);
  const taskId = await c.api.reboot(sid);
  const ref = taskRef(sid, taskId);
  return {
    summary: `Reboot of ${serverLabel(sid, server)} started${ref ? "" : `; ${c.name} gave no task id to follow`}.`,
    ...(ref ? { taskRef: ref } : {}),
  };
}

export async function reinstall(
  c: HostBillContext,
  id: string,
  opts: { osId: string; sshKey?: string },
): Promise<ActionResult> {
  const { name } = c;
  const sid = c.checkId(id, "server");
  const osId = String(opts?.osId ?? "").trim();
  if (!osId)
    throw c.fail("VALIDATION", `Choose an operating system to reinstall ${name} server ${sid} with.`);
  const server = await requireServer(c, sid, "reinstalled");
  assertIdle(c, sid, server);
  // Only an OS from GET /server/@id/oses is valid (line 3547).
  const oses = await c.api.listOses(sid);
  const os = oses.find((o) => o.os === osId);
  if (!os)
    throw c.fail(
      "VALIDATION",
      `${name} offers no operating system "${osId.slice(0, 60)}" for server ${sid}; pick one from its OS list.`,
    );
  const sshKey = opts.sshKey?.trim() || undefined;
  const taskId = await c.api.reinstall(sid, os.os, sshKey);
  const ref = taskRef(sid, taskId);
  return {
    summary:
      `Reinstall of ${serverLabel(sid, server)} with ${os.title || os.os} started; ` +
      `all its data and backups are being deleted${ref ? "" : ` (${name} gave no task id to follow)`}. ` +
      `The new root password will not be posted here: read it in ${c.panel} when the reinstall has finished.`,
    ...(ref ? { taskRef: ref } : {}),
  };
}

/** GET /server/@id, turning "no such server" into a message that says why it matters. */
async function requireServer(c: HostBillContext, id: string, action: string): Promise<HostBillServerDetails> {
  try {
    return (await c.api.getServer(id)).value;
  } catch (err) {
    if (err instanceof ProviderError && err.code === "NOT_FOUND")
      throw c.fail(
        "NOT_FOUND",
        `${c.name} has no server with id ${id}; only servers (VPS) can be ${action}.`,
      );
    throw err;
  }
}

/** "You can run one task per server at a time" (line 3401): refuse while `active_task` is set. */
function assertIdle(c: HostBillContext, id: string, server: HostBillServerDetails): void {
  const t = server.active_task;
  // Idle is `null` (line 3474); PHP may also send an empty list or object, 0 or "0".
  if (t === null || t === undefined || t === "" || t === false || t === 0 || t === "0") return;
  if (Array.isArray(t) ? t.length === 0 : typeof t === "object" && Object.keys(t).length === 0) return;
  const taskName =
    typeof t === "string"
      ? t
      : t && typeof t === "object" && "name" in t
        ? String((t as { name: unknown }).name)
        : "";
  const what =
    TASK_NAMES[taskKey(taskName)] ??
    (taskName ? sanitizeProviderText(taskName).replace(/_/g, " ").trim().slice(0, 60) : "another task");
  throw c.fail(
    "VALIDATION",
    `${c.name} server ${id} is busy (${what} in progress); try again when it has finished.`,
  );
}

function serverLabel(id: string, server: HostBillServerDetails): string {
  const host = safeText(server.domain || server.label);
  return host ? `server ${id} (${host})` : `server ${id}`;
}
