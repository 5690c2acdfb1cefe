import { z } from "zod";
import { scrub } from "../../observability/secrets.ts";
import { checkBaseUrl, getProvider, isProviderKind, providers } from "../../providers/registry.ts";
import {
  PROVIDER_KINDS,
  PROVIDER_NAMES,
  ProviderError,
  type ProviderKind,
  providerName,
} from "../../providers/types.ts";
import { type Account, DISPLAY_NAME_PATTERN } from "../accounts.ts";
import { audit } from "../audit.ts";
import {
  type ActionHandlerDef,
  type CommandContext,
  defineCommand,
  type ModalHandlerDef,
} from "../context.ts";
import { describeProviderError, UserError } from "../errors.ts";
import { formatDate } from "../format.ts";
import { blocksReply, type Modal, type ModalField, reply, textReply } from "../reply.ts";
import { command, plainText, rich, strong } from "../rich.ts";
import { labelParam, labelSchema } from "./shared.ts";

const kindSchema = z
  .string()
  .trim()
  .toLowerCase()
  .refine(isProviderKind, `a provider: ${PROVIDER_KINDS.join(", ")}`)
  .transform((v) => v as ProviderKind);

const baseUrlSchema = z
  .url({ protocol: /^https?$/, error: "an http(s) URL such as https://billing.example.com/api" })
  .max(300);

/** A kind's name without its qualifier, for short places (a form title): "HostBill". */
const shortKindName = (kind: ProviderKind) => PROVIDER_NAMES[kind].replace(/ \(.*\)$/, "");

/**
 * The add/edit form for one provider: label, the provider's name (kinds that stand for many
 * hosts), its credential fields, and the base URL (optional, or required where the kind has no
 * documented one).
 */
function accountModal(kind: ProviderKind, edit?: Account): Modal {
  const entry = getProvider(kind);
  const fields: ModalField[] = [];
  if (!edit)
    fields.push({
      id: "label",
      label: "Label (how you will name it in chat)",
      kind: "text",
      placeholder: "prod",
      maxLength: 32,
    });
  if (entry.customName)
    fields.push({
      id: "display_name",
      label: "Provider name (as your team knows it)",
      kind: "text",
      placeholder: "Acme Hosting",
      initial: edit?.displayName ?? undefined,
      maxLength: 40,
    });
  for (const f of entry.credentialFields)
    fields.push({
      id: `cred_${f.key}`,
      label: f.label,
      kind: f.options ? "select" : f.secret ? "secret" : "text",
      placeholder: f.hint,
      maxLength: 500,
      ...(f.optional ? { optional: true } : {}),
      ...(f.options ? { options: f.options } : {}),
    });
  fields.push(
    entry.defaultBaseUrl
      ? {
          id: "base_url",
          label: "API base URL",
          kind: "text",
          optional: true,
          placeholder: entry.defaultBaseUrl,
          initial: edit?.baseUrl ?? undefined,
          maxLength: 300,
        }
      : {
          id: "base_url",
          label: "API base URL (the client area's /api/ root)",
          kind: "text",
          placeholder: "https://billing.example.com/api",
          initial: edit?.baseUrl ?? undefined,
          maxLength: 300,
        },
  );
  const name = edit
    ? providerName(edit)
    : entry.customName
      ? `the ${shortKindName(kind)} client area`
      : PROVIDER_NAMES[kind];
  return {
    id: edit ? "accounts:edit" : "accounts:add",
    title: `${edit ? "Update" : "Add"} ${shortKindName(kind)} account`.slice(0, 24),
    submitLabel: edit ? "Update" : "Add",
    state: JSON.stringify(edit ? { kind, accountId: edit.id } : { kind }),
    intro: `The credentials are checked with ${name}, then stored encrypted. They are never shown again.`,
    fields,
  };
}

export const accountsAdd = defineCommand({
  path: ["accounts", "add"],
  summary: "Add a provider account (opens a form; credentials never go in the command text)",
  examples: ["/hosting accounts add", "/hosting accounts add time4vps"],
  params: [{ name: "provider", description: "provider", type: "choice", choices: PROVIDER_KINDS }],
  schema: z.object({ provider: kindSchema.optional() }),
  role: "admin",
  ephemeral: true,
  mayOpenForm: true,
  async run(_ctx, args) {
    if (args.provider) return { kind: "modal", modal: accountModal(args.provider) };
    return reply(
      blocksReply(
        [
          { kind: "text", text: "Which provider is the account with?" },
          {
            kind: "actions",
            buttons: PROVIDER_KINDS.map((k) => ({
              id: "accounts:add-form",
              label: PROVIDER_NAMES[k],
              value: k,
            })),
          },
        ],
        { ephemeral: true },
      ),
    );
  },
});

export const accountsAddForm: ActionHandlerDef = {
  id: "accounts:add-form",
  role: "admin",
  mayOpenForm: true,
  async run(_ctx, value) {
    if (!isProviderKind(value)) throw new UserError("invalid", "Unknown provider.");
    return { kind: "modal", modal: accountModal(value) };
  },
};

export const accountsEdit = defineCommand({
  path: ["accounts", "edit"],
  summary: "Replace an account's credentials or base URL (opens a form)",
  params: [labelParam],
  schema: z.object({ label: labelSchema }),
  role: "admin",
  ephemeral: true,
  mayOpenForm: true,
  async run(ctx, args) {
    const a = await ctx.core.accounts.requireByLabel(ctx.actor.platform, ctx.actor.workspaceId, args.label);
    return { kind: "modal", modal: accountModal(a.kind, a) };
  },
});

const modalState = z.object({ kind: kindSchema, accountId: z.uuid().optional() });

function readCredentials(kind: ProviderKind, values: Record<string, string>) {
  const creds: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const f of providers[kind].credentialFields) {
    const v = (values[`cred_${f.key}`] ?? "").trim();
    if (!v) {
      if (!f.optional) errors[`cred_${f.key}`] = `${f.label} is required.`;
    } else if (v.length > 500) errors[`cred_${f.key}`] = `${f.label} is too long.`;
    else if (f.options && !f.options.some((o) => o.value === v))
      errors[`cred_${f.key}`] = `${f.label}: one of ${f.options.map((o) => o.value).join(", ")}.`;
    else creds[f.key] = v;
  }
  let baseUrl: string | null = null;
  const raw = (values.base_url ?? "").trim();
  if (raw) {
    const r = baseUrlSchema.safeParse(raw);
    const problem = r.success ? checkBaseUrl(r.data) : undefined;
    if (!r.success) errors.base_url = "Must be an http(s) URL, e.g. https://billing.example.com/api";
    else if (problem) errors.base_url = `The base URL ${problem}.`;
    else baseUrl = r.data;
  } else if (!providers[kind].defaultBaseUrl)
    errors.base_url =
      "The API base URL is required: the client area's /api/ root, e.g. https://billing.example.com/api";
  // The provider's own rules for each credential (a colon in a TheHost login, …), on its field.
  if (Object.keys(creds).length === providers[kind].credentialFields.length) {
    const checked = providers[kind].credentialsSchema.safeParse(creds);
    if (!checked.success)
      for (const issue of checked.error.issues) {
        const key = `cred_${String(issue.path[0] ?? "")}`;
        if (key in values)
          errors[key] ??= `${issue.message.slice(0, 1).toUpperCase()}${issue.message.slice(1)}.`;
      }
  }
  let displayName: string | null = null;
  if (providers[kind].customName) {
    const name = (values.display_name ?? "").replace(/\s+/g, " ").trim();
    if (DISPLAY_NAME_PATTERN.test(name)) displayName = name;
    else
      errors.display_name =
        "The provider's name as people know it: 1-40 letters, digits, spaces and . , & ' ( ) -, e.g. Acme Hosting.";
  }
  return { creds, baseUrl, displayName, errors };
}

async function saveAccount(
  ctx: CommandContext,
  state: string,
  values: Record<string, string>,
  editing: boolean,
) {
  const parsedState = modalState.safeParse(safeJson(state));
  if (!parsedState.success)
    throw new UserError("invalid", "This form is out of date; run the command again.");
  const { kind, accountId } = parsedState.data;
  const { creds, baseUrl, displayName, errors } = readCredentials(kind, values);
  let label = "";
  if (!editing) {
    const l = labelSchema.safeParse(values.label ?? "");
    if (!l.success) errors.label = "1-32 characters: a-z, 0-9, '.', '_' or '-'.";
    else label = l.data;
  }
  if (Object.keys(errors).length) return { kind: "fieldErrors", errors } as const;
  try {
    if (editing) {
      const account = accountId ? await ctx.core.accounts.getById(accountId) : undefined;
      if (
        !account ||
        account.workspaceId !== ctx.actor.workspaceId ||
        account.platform !== ctx.actor.platform
      )
        throw new UserError("not_found", "That account no longer exists.");
      await ctx.core.accounts.updateCredentials(account, creds, baseUrl, displayName);
      await audit(ctx.core.db, ctx.actor, {
        command: "accounts edit",
        args: { label: account.label },
        outcome: "ok",
      });
      const named = { kind, displayName: displayName ?? account.displayName };
      return reply(
        textReply(rich`Updated the credentials of ${strong(account.label)} (${providerName(named)}).`, {
          ephemeral: true,
        }),
      );
    }
    const account = await ctx.core.accounts.add({
      platform: ctx.actor.platform,
      workspaceId: ctx.actor.workspaceId,
      label,
      kind,
      baseUrl,
      displayName,
      credentials: creds,
      createdBy: ctx.actor.userId,
    });
    await audit(ctx.core.db, ctx.actor, {
      command: "accounts add",
      args: { label, kind, baseUrl, ...(displayName ? { displayName } : {}) },
      outcome: "ok",
    });
    return reply(
      textReply(
        rich`Added ${providerName(account)} account ${strong(account.label)}. Bind it to a channel with ${command(["bind"], { label: account.label })} in that channel.`,
        { ephemeral: true },
      ),
    );
  } catch (err) {
    if (err instanceof ProviderError) {
      await audit(ctx.core.db, ctx.actor, {
        command: editing ? "accounts edit" : "accounts add",
        args: { label, kind },
        outcome: "rejected",
        detail: err.code,
      });
      // Only a credential rejection is the credentials' fault; anything else (unreachable, DNS,
      // TLS, a redirect, the address guard, not this provider's API) is the base URL to correct.
      const named = { kind, displayName };
      const firstCred = providers[kind].credentialFields[0];
      if (err.code === "AUTH_FAILED" && firstCred)
        return {
          kind: "fieldErrors",
          errors: { [`cred_${firstCred.key}`]: `${providerName(named)} rejected the credentials.` },
        } as const;
      const fallback = getProvider(kind).defaultBaseUrl;
      const msg =
        err.about === "baseUrl"
          ? scrub(err.message)
          : `${plainText(describeProviderError(err, { label: label || "new", ...named }))} Check the base URL${fallback ? ` (empty = ${fallback})` : ""}.`;
      return { kind: "fieldErrors", errors: { base_url: msg } } as const;
    }
    if (err instanceof UserError && err.kind === "conflict" && !editing)
      // Field errors are plain text on every platform: the plain reading of the message.
      return { kind: "fieldErrors", errors: { label: err.message } } as const;
    throw err;
  }
}

export const accountsAddSubmit: ModalHandlerDef = {
  id: "accounts:add",
  role: "admin",
  run: (ctx, state, values) => saveAccount(ctx, state, values, false),
};
export const accountsEditSubmit: ModalHandlerDef = {
  id: "accounts:edit",
  role: "admin",
  run: (ctx, state, values) => saveAccount(ctx, state, values, true),
};

export const accountsList = defineCommand({
  path: ["accounts", "list"],
  summary: "List the provider accounts of this workspace",
  params: [],
  schema: z.object({}),
  role: "operator",
  ephemeral: true,
  async run(ctx) {
    const list = await ctx.core.accounts.list(ctx.actor.platform, ctx.actor.workspaceId);
    const bindings = await ctx.core.accounts.workspaceBindings(ctx.actor.platform, ctx.actor.workspaceId);
    if (!list.length)
      return reply(
        textReply(rich`No accounts yet. Add one with ${command(["accounts", "add"])}.`, { ephemeral: true }),
      );
    return reply(
      blocksReply(
        [
          { kind: "header", text: "Provider accounts" },
          {
            kind: "table",
            columns: ["Label", "Provider", "Channels", "Added"],
            rows: list.map((a) => [
              a.label,
              providerName(a),
              String(bindings.filter((b) => b.account.id === a.id).length),
              formatDate(a.createdAt, ctx.core.settings.timeZone),
            ]),
          },
        ],
        { ephemeral: true },
      ),
    );
  },
});

export const accountsRemove = defineCommand({
  path: ["accounts", "remove"],
  summary: "Remove an account from hostops (its bindings go with it; nothing changes at the provider)",
  params: [labelParam],
  schema: z.object({ label: labelSchema }),
  role: "admin",
  ephemeral: true,
  async run(ctx, args) {
    const a = await ctx.core.accounts.requireByLabel(ctx.actor.platform, ctx.actor.workspaceId, args.label);
    await ctx.core.accounts.remove(a);
    return reply(
      textReply(
        rich`Removed account ${strong(a.label)} and its channel bindings. Its stored credentials are deleted.`,
        { ephemeral: true },
      ),
    );
  },
});

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

export { isProviderKind };
