import { z } from "zod";
import { ACTIONS, actionNamed } from "../actions/catalog.ts";
import { CHOOSE_OS_BUTTON, CHOOSE_OS_FORM, chooseState, operatingSystems } from "../actions/reinstall.ts";
import { recentAudit } from "../audit.ts";
import { approve, deny, openIn, requestConfirmation, requestsById } from "../confirmations.ts";
import {
  type ActionHandlerDef,
  type CommandContext,
  defineCommand,
  type ModalHandlerDef,
} from "../context.ts";
import { UserError } from "../errors.ts";
import { formatDateTime, plain } from "../format.ts";
import { blocksReply, type Outcome, reply, textReply } from "../reply.ts";

/**
 * Commands that change something at a provider, derived from the action catalog
 * (src/core/actions/): each only creates a confirmation request, and the driver runs after an
 * admin approves (src/core/confirmations.ts). Also the commands and buttons around requests:
 * the open requests, the audit log, Approve / Deny, the PIN form and the reinstall OS form.
 */

export const reboot = ACTIONS.reboot.command(requestConfirmation);
export const poweron = ACTIONS.poweron.command(requestConfirmation);
export const poweroff = ACTIONS.poweroff.command(requestConfirmation);
export const reinstall = ACTIONS.reinstall.command(requestConfirmation);
export const renew = ACTIONS.renew.command(requestConfirmation);
export const autorenew = ACTIONS.autorenew.command(requestConfirmation);
export const cancel = ACTIONS.cancel.command(requestConfirmation);
export const domainRenew = ACTIONS["domain-renew"].command(requestConfirmation);
export const domainNs = ACTIONS["domain-ns"].command(requestConfirmation);

/** The account of a "Choose the OS…" button or form, in the actor's workspace. */
async function chosenAccount(ctx: CommandContext, state: string, what: "button" | "form") {
  const st = chooseState.safeParse(safeJson(state));
  if (!st.success) throw new UserError("invalid", `This ${what} is out of date; run the command again.`);
  const account = await ctx.core.accounts.getById(st.data.a);
  if (!account || account.workspaceId !== ctx.actor.workspaceId)
    throw new UserError("not_found", "That account no longer exists.");
  return { account, serviceId: st.data.s };
}

export const reinstallChoose: ActionHandlerDef = {
  id: CHOOSE_OS_BUTTON,
  // The OS list comes from the provider (acknowledged in operatingSystems) and fills a form.
  mayOpenForm: true,
  mayCallProvider: true,
  role: "operator",
  async run(ctx, value) {
    const { account, serviceId } = await chosenAccount(ctx, value, "button");
    const list = await operatingSystems(ctx, account, serviceId);
    return {
      kind: "modal",
      modal: {
        id: CHOOSE_OS_FORM,
        title: "Reinstall server",
        submitLabel: "Request",
        state: value,
        intro: `Reinstalling ${serviceId} erases all its data. The request needs an admin's approval.`,
        fields: [
          {
            id: "os",
            label: "Operating system",
            kind: "select",
            options: list.slice(0, 100).map((o) => ({ value: o.id, label: plain(o.name, 75) })),
          },
        ],
      },
    };
  },
};

export const reinstallSubmit: ModalHandlerDef = {
  id: CHOOSE_OS_FORM,
  role: "operator",
  async run(ctx, state, values) {
    const { account, serviceId } = await chosenAccount(ctx, state, "form");
    const list = await operatingSystems(ctx, account, serviceId);
    const os = list.find((o) => o.id === values.os);
    if (!os) return { kind: "fieldErrors", errors: { os: "Pick an operating system from the list." } };
    return requestConfirmation(ctx, {
      account,
      action: "reinstall",
      params: { serviceId, osId: os.id, osName: os.name },
    });
  },
};

export const pending = defineCommand({
  path: ["pending"],
  summary: "Open confirmation requests in this channel",
  params: [],
  schema: z.object({}),
  role: "viewer",
  ephemeral: true,
  async run(ctx) {
    const rows = await openIn(ctx.core.db, ctx.actor);
    if (!rows.length) return reply(textReply("No open requests in this channel.", { ephemeral: true }));
    const tz = ctx.core.settings.timeZone;
    return reply(
      blocksReply(
        [
          { kind: "header", text: "Open requests" },
          {
            kind: "table",
            columns: ["Action", "About", "Account", "Status", "Requested by", "Expires"],
            rows: rows.map((r) => [
              actionNamed(r.action)?.title ?? r.action,
              requestSubject(r),
              r.accountLabel,
              r.status,
              r.requesterId,
              r.status === "pending" ? formatDateTime(r.expiresAt, tz) : "—",
            ]),
          },
        ],
        { ephemeral: true },
      ),
    );
  },
});

export const auditCommand = defineCommand({
  path: ["audit"],
  summary: "The latest audit log entries of this channel",
  params: [{ name: "n", description: "how many (1-50)", type: "integer", min: 1, max: 50 }],
  schema: z.object({
    n: z.number().int().min(1, "must be between 1 and 50").max(50, "must be between 1 and 50").optional(),
  }),
  role: "admin",
  ephemeral: true,
  async run(ctx, args) {
    const rows = await recentAudit(ctx.core.db, ctx.actor, args.n ?? 20);
    const tz = ctx.core.settings.timeZone;
    // Entries about a request (approve, executing, succeeded…) take its subject from the request.
    const ids = [...new Set(rows.map((r) => r.requestId).filter((x): x is string => Boolean(x)))];
    const requests = new Map((await requestsById(ctx.core.db, ids)).map((r) => [r.id, r]));
    const about = (r: (typeof rows)[number]) => {
      const req = r.requestId ? requests.get(r.requestId) : undefined;
      const subject = req ? requestSubject(req) : subjectOf(r.args);
      const named = auditArgs.safeParse(r.args);
      const account =
        req?.accountLabel ?? (named.success ? (named.data.account ?? named.data.label) : undefined);
      if (subject === "—") return account ?? "—";
      return account ? `${subject} on ${account}` : subject;
    };
    return reply(
      blocksReply(
        [
          { kind: "header", text: "Audit log" },
          {
            kind: "table",
            columns: ["When", "Who", "Command", "About", "Outcome"],
            rows: rows.map((r) => [
              formatDateTime(r.at, tz),
              r.userId,
              plain(r.command, 40),
              plain(about(r), 60),
              r.outcome,
            ]),
          },
        ],
        { ephemeral: true },
      ),
    );
  },
});

export const approveButton: ActionHandlerDef = {
  id: "confirm:approve",
  // Approval itself checks for admin in the request's channel; viewers get a clear refusal there.
  role: "viewer",
  // The PIN form when HOSTKEY wants one; otherwise the action runs (approve() acknowledges first).
  mayOpenForm: true,
  mayCallProvider: true,
  run: (ctx, value) => approve(ctx, value),
};

export const denyButton: ActionHandlerDef = {
  id: "confirm:deny",
  role: "viewer",
  run: (ctx, value) => deny(ctx, value),
};

export const pinSubmit: ModalHandlerDef = {
  id: "confirm:pin",
  role: "viewer",
  async run(ctx, state, values): Promise<Outcome> {
    // Empty: the account's PIN is switched off (HOSTKEY's PIN is optional).
    const pin = (values.pin ?? "").trim();
    if (pin !== "" && !/^\d{1,32}$/.test(pin))
      return { kind: "fieldErrors", errors: { pin: "A HOSTKEY PIN is made of digits only." } };
    return approve(ctx, state, pin);
  },
};

/** What a request is about ("service 302 (web)"), from its params as the catalog reads them. */
function requestSubject(r: { action: string; params: unknown }): string {
  const read = actionNamed(r.action)?.read(r.params);
  return read?.ok ? read.bound.subject : subjectOf(r.params);
}

/** The names commands give their arguments, where an audit row may hold them (each one optional). */
const word = z.string().min(1).optional().catch(undefined);
const auditArgs = z.object({
  domainName: word,
  domain: word,
  serviceId: word,
  service: word,
  id: word,
  serviceName: word,
  account: word,
  label: word,
});

/** What a command's args (or a request's params that no longer parse) are about: "service 302 (web)", "example.com". */
export function subjectOf(args: unknown): string {
  const parsed = auditArgs.safeParse(args);
  if (!parsed.success) return "—";
  const a = parsed.data;
  const domain = a.domainName ?? a.domain;
  if (domain) return plain(domain, 60);
  const id = a.serviceId ?? a.service ?? a.id;
  if (!id) return "—";
  const name = a.serviceName;
  return plain(name && name !== id ? `service ${id} (${name})` : `service ${id}`, 60);
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
