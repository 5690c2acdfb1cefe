/**
 * HOSTKEY actions that change a server: power (on, off, reboot), reinstall (a deploy with a new
 * random root password) and cancellation requests. Each answers with the callback key to follow in
 * tasks.ts. "line N" = a line in shared/seeds/hostkey-invapi.txt.
 */
import { registerSecret } from "../../observability/secrets.ts";
import { type ActionResult, type PinOption, ProviderError } from "../types.ts";
import * as api from "./client.ts";
import { optionalPin, withPinSecret } from "./pin.ts";
import { generateRootPassword } from "./secrets.ts";
import { serverId } from "./servers.ts";
import { type HostkeySession, notSent } from "./session.ts";
import { DEPLOY_PREFIX } from "./tasks.ts";

export async function power(
  s: HostkeySession,
  action: "on" | "off" | "reboot",
  what: string,
  id: string,
  opts: PinOption | undefined,
): Promise<ActionResult> {
  const sid = serverId(id);
  const pin = optionalPin(opts);
  const started = await withPinSecret(pin, () =>
    s.withSession((t) => api.power(s.http, t, action, sid, pin)),
  );
  // "This action has an asynchronous response" (lines 3663-3687): the callback key tracks it.
  const taskRef = started.callback ?? started.key ?? undefined;
  return {
    summary:
      `HOSTKEY accepted ${what} of server ${sid}.` +
      (taskRef ? "" : " HOSTKEY gave no task key; check the server in the HOSTKEY panel."),
    taskRef,
  };
}

export async function reinstall(
  s: HostkeySession,
  id: string,
  opts: { osId: string; sshKey?: string; pin?: string },
): Promise<ActionResult> {
  const sid = serverId(id);
  const pin = optionalPin(opts);
  if (!/^\d+$/.test(opts.osId.trim()))
    throw new ProviderError("VALIDATION", `HOSTKEY OS ids are numbers; "${opts.osId}" is not one.`, {
      provider: "hostkey",
      retryable: false,
      notSent: true,
    });
  // order_instance's hostname "Defaults to the instance ID" (line 2742): keep the current one.
  // This read comes before anything is sent: its failure proves the reinstall did not start.
  const show = await notSent(s.withSession((t) => api.eqShow(s.http, t, sid)));
  const hostname = show.data.tags.hostname ?? show.data.server_data.hostname ?? undefined;
  // root_pass is required (line 2745) and must fit HOSTKEY's rules (generateRootPassword); it is
  // generated here, sent once, never returned or logged.
  const rootPass = generateRootPassword();
  registerSecret(rootPass);
  const started = await withPinSecret(pin, () =>
    s.withSession((t) =>
      api.reinstall(s.http, t, {
        id: sid,
        pin,
        osId: opts.osId.trim(),
        rootPass,
        hostname,
        sshKey: opts.sshKey?.trim() || undefined,
      }),
    ),
  );
  const key = started.callback ?? started.key ?? undefined;
  // A reinstall is a deploy: it ends only in the states HOSTKEY's Terraform provider treats as final.
  const taskRef = key ? `${DEPLOY_PREFIX}${key}` : undefined;
  const name = hostname ? `server ${sid} (${hostname})` : `server ${sid}`;
  return {
    summary:
      `HOSTKEY started reinstalling ${name} with OS #${opts.osId.trim()}; everything on its disks will be erased. ` +
      "A new random root password was set and is not shown here: reset or retrieve it in the HOSTKEY panel " +
      "(invapi.hostkey.com). HOSTKEY sends no email when this reinstall finishes." +
      (taskRef ? "" : " HOSTKEY gave no task key; follow the progress in the HOSTKEY panel."),
    taskRef,
  };
}

export async function cancelService(
  s: HostkeySession,
  id: string,
  opts: { immediate: boolean; reason: string },
): Promise<ActionResult> {
  const sid = serverId(id);
  await s.withSession((t) =>
    api.requestCancellation(s.http, t, { id: sid, immediate: opts.immediate, reason: opts.reason }),
  );
  // cancellation_type: "1 - immediate cancellation with partial refund (if possible), 0 - at the
  // end of the current billing period" (line 1786).
  return {
    summary: opts.immediate
      ? `HOSTKEY accepted an immediate cancellation request for server ${sid} (partial refund where possible).`
      : `HOSTKEY accepted a request to cancel server ${sid} at the end of its current billing period.`,
  };
}
