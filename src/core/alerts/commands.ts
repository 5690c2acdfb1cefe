import { z } from "zod";
import { providerName } from "../../providers/types.ts";
import type { Account, Binding } from "../accounts.ts";
import { audit } from "../audit.ts";
import { accountParam, labelSchema } from "../commands/shared.ts";
import { requestConfirmation } from "../confirmations.ts";
import {
  type ActionHandlerDef,
  type CommandContext,
  defineCommand,
  type ModalHandlerDef,
} from "../context.ts";
import { UserError } from "../errors.ts";
import { type Block, blocksReply, reply, textReply } from "../reply.ts";
import { command, icon, join, mention, rich } from "../rich.ts";
import { formatTime } from "./hours.ts";
import { count } from "./model.ts";
import { ALERT_ACTIONS, settingsFields } from "./render.ts";
import { runAlertScan } from "./scan.ts";
import { parseSettingsForm, SETTINGS_MODAL_ID, settingsModal } from "./settings.ts";
import { DeliveryStore } from "./store.ts";

/**
 * `/hosting alerts …` (show, run, config and its form, on, off) and the buttons alerts carry
 * (Renew, Snooze, Snooze all). The rows they read and write go through the delivery store.
 */

const MAX_OPEN_SHOWN = 20;

const store = (ctx: CommandContext) => new DeliveryStore(ctx.core.db.db);

/** The channel's binding of `label`, or its only binding; several and no label -> ask which. */
async function oneBinding(
  ctx: CommandContext,
  label: string | undefined,
  path: readonly string[],
): Promise<{ account: Account; binding: Binding }> {
  const { actor } = ctx;
  const bound = await ctx.core.accounts.resolve(actor.platform, actor.workspaceId, actor.channelId, label);
  const [first] = bound;
  if (!first) throw new UserError("not_found", "No account is bound here.");
  if (bound.length > 1)
    throw new UserError(
      "invalid",
      rich`Several accounts are bound here (${bound.map((b) => b.account.label).join(", ")}): name one, e.g. ${command(path, { account: first.account.label })}.`,
    );
  return first;
}

export const alertsShow = defineCommand({
  path: ["alerts", "show"],
  summary: "Show the alert settings of the accounts bound here and the alerts that are open",
  params: [accountParam],
  schema: z.object({ account: labelSchema.optional() }),
  role: "viewer",
  ephemeral: true,
  mayCallProvider: true,
  async run(ctx, args) {
    const { core, actor } = ctx;
    const tz = core.settings.timeZone;
    const now = core.clock.now();
    const bound = await core.accounts.resolve(
      actor.platform,
      actor.workspaceId,
      actor.channelId,
      args.account,
    );
    const rows = await store(ctx).open(bound.map((b) => b.binding.id));
    // A minimum balance is in the balance's currency: ask for the balance of the accounts that have one.
    const balances = await Promise.all(
      bound.map(async ({ account, binding }) => {
        const driver = core.accounts.driverFor(account);
        if (!binding.alertSettings.minBalance || !driver.getBalance) return null;
        try {
          return await driver.getBalance();
        } catch {
          return null;
        }
      }),
    );
    const blocks: Block[] = [];
    for (const [i, { account, binding }] of bound.entries()) {
      const snoozed =
        binding.snoozedUntil && binding.snoozedUntil > now ? formatTime(binding.snoozedUntil, tz) : null;
      blocks.push(
        { kind: "header", text: `Alerts: ${account.label} (${providerName(account)})` },
        { kind: "fields", fields: settingsFields(binding.alertSettings, snoozed, balances[i]) },
      );
      const open = rows.filter((r) => r.bindingId === binding.id);
      const status = (r: (typeof open)[number]) =>
        r.snoozedUntil && r.snoozedUntil > now
          ? `snoozed until ${formatTime(r.snoozedUntil, tz)}`
          : r.status === "sent"
            ? "posted"
            : r.status === "deferred"
              ? "waiting (quiet hours or snooze)"
              : "being posted";
      if (!open.length) {
        blocks.push({ kind: "context", text: `No open alerts for ${account.label}.` });
        continue;
      }
      blocks.push({
        kind: "table",
        columns: ["Open alert", "State", "Since"],
        rows: open.slice(0, MAX_OPEN_SHOWN).map((r) => [r.title, status(r), formatTime(r.createdAt, tz)]),
      });
      if (open.length > MAX_OPEN_SHOWN)
        blocks.push({ kind: "context", text: `…and ${open.length - MAX_OPEN_SHOWN} more.` });
    }
    blocks.push({
      kind: "context",
      text: rich`An alert is posted once per crossing and cleared when it no longer holds. Admins change the settings with ${command(["alerts", "config"])}; operators check now with ${command(["alerts", "run"])}.`,
    });
    return reply(blocksReply(blocks, { ephemeral: true }));
  },
});

export const alertsRun = defineCommand({
  path: ["alerts", "run"],
  summary: "Check the accounts bound here for alerts now (--preview: only say what would be posted)",
  params: [
    { name: "preview", description: "show what would be posted, post nothing", type: "boolean", flag: true },
    accountParam,
  ],
  schema: z.object({ preview: z.boolean().optional(), account: labelSchema.optional() }),
  role: "operator",
  ephemeral: true,
  mayCallProvider: true,
  async run(ctx, args) {
    const { core, actor } = ctx;
    const bound = await core.accounts.resolve(
      actor.platform,
      actor.workspaceId,
      actor.channelId,
      args.account,
    );
    const on = bound.filter((b) => b.binding.alertSettings.enabled);
    if (!on.length)
      return reply(
        textReply(
          rich`Alerts are off for ${bound.map((b) => b.account.label).join(", ")} here; an admin turns them on with ${command(["alerts", "on"])}.`,
          { ephemeral: true },
        ),
      );
    const s = await runAlertScan(core, {
      bindingIds: on.map((b) => b.binding.id),
      dryRun: Boolean(args.preview),
      ignoreQuietHours: true,
    });
    const blocks: Block[] = [];
    const checked = `${count(s.accounts, "account")} (${on.map((b) => b.account.label).join(", ")})`;
    if (args.preview) {
      blocks.push({ kind: "header", text: "Alert preview (nothing was posted)" });
      const planned = s.reports.flatMap((r) => (r.planned ?? []).map((p) => ({ ...p, account: r.account })));
      const words = { post: "would be posted", defer: "held (snoozed)", already: "already posted" };
      blocks.push(
        planned.length
          ? {
              kind: "table",
              columns: ["Account", "Alert", "Now"],
              rows: planned.map((p) => [p.account, p.title, words[p.action]]),
            }
          : { kind: "text", text: "Nothing to alert about now." },
      );
    } else {
      const parts = [
        `${count(s.posted, "new alert")} posted in this channel`,
        `${s.deduplicated} already posted before`,
      ];
      if (s.deferred) parts.push(`${s.deferred} held by a snooze`);
      if (s.reset) parts.push(`${s.reset} cleared (no longer hold)`);
      blocks.push({ kind: "text", text: `Checked ${checked}: ${parts.join(", ")}.` });
    }
    if (s.failedAccounts.length)
      blocks.push({
        kind: "context",
        text: join(
          s.failedAccounts.map((f) => rich`${icon("warning")} Could not check ${f.account}: ${f.text}`),
          "\n",
        ),
      });
    if (s.deliveryFailures)
      blocks.push({
        kind: "context",
        text: rich`${icon("warning")} The alert message could not be posted here; the next scan tries again.`,
      });
    return reply(blocksReply(blocks, { ephemeral: true }));
  },
});

export const alertsConfig = defineCommand({
  path: ["alerts", "config"],
  summary: "Change the alert settings of an account bound here (opens a form)",
  params: [accountParam],
  schema: z.object({ account: labelSchema.optional() }),
  role: "admin",
  ephemeral: true,
  mayOpenForm: true,
  async run(ctx, args) {
    const { account, binding } = await oneBinding(ctx, args.account, ["alerts", "config"]);
    return {
      kind: "modal",
      modal: settingsModal(binding.id, account.label, binding.alertSettings, ctx.core.settings.timeZone),
    };
  },
});

const settingsState = z.object({ bindingId: z.uuid() });

/** The binding, if it is one of the actor's channel's. */
async function channelBinding(ctx: CommandContext, bindingId: string) {
  const { actor } = ctx;
  const bound = await ctx.core.accounts.channelAccounts(actor.platform, actor.workspaceId, actor.channelId);
  return bound.find((b) => b.binding.id === bindingId);
}

export const alertsConfigSubmit: ModalHandlerDef = {
  id: SETTINGS_MODAL_ID,
  role: "admin",
  async run(ctx, state, values) {
    let parsedState: z.infer<typeof settingsState>;
    try {
      parsedState = settingsState.parse(JSON.parse(state));
    } catch {
      throw new UserError(
        "invalid",
        rich`This form is out of date; run ${command(["alerts", "config"])} again.`,
      );
    }
    const hit = await channelBinding(ctx, parsedState.bindingId);
    if (!hit) throw new UserError("not_found", "That account is no longer bound to this channel.");
    const parsed = parseSettingsForm(values, hit.binding.alertSettings);
    if (!parsed.ok) return { kind: "fieldErrors", errors: parsed.errors };
    await ctx.core.accounts.updateBinding(hit.binding.id, { alertSettings: parsed.settings });
    await audit(ctx.core.db, ctx.actor, {
      command: "alerts config",
      args: { account: hit.account.label, ...parsed.settings },
      outcome: "ok",
    });
    return reply(
      blocksReply(
        [
          { kind: "text", text: `Saved the alert settings of ${hit.account.label} in this channel.` },
          { kind: "fields", fields: settingsFields(parsed.settings, null) },
        ],
        { ephemeral: true },
      ),
    );
  },
};

function toggle(enabled: boolean) {
  return defineCommand({
    path: ["alerts", enabled ? "on" : "off"],
    summary: enabled
      ? "Turn alerts on here (and end a snooze of all alerts)"
      : "Turn alerts off here for an account (or all accounts bound here)",
    params: [accountParam],
    schema: z.object({ account: labelSchema.optional() }),
    role: "admin",
    async run(ctx, args) {
      const { actor } = ctx;
      const bound = await ctx.core.accounts.resolve(
        actor.platform,
        actor.workspaceId,
        actor.channelId,
        args.account,
      );
      for (const { binding } of bound)
        await ctx.core.accounts.updateBinding(binding.id, {
          alertSettings: { ...binding.alertSettings, enabled },
          ...(enabled ? { snoozedUntil: null } : {}),
        });
      const labels = bound.map((b) => b.account.label).join(", ");
      return reply(
        textReply(
          enabled
            ? `Alerts are on for ${labels} in this channel.`
            : rich`Alerts are off for ${labels} in this channel; ${command(["alerts", "on"])} turns them back on.`,
        ),
      );
    },
  });
}
export const alertsOn = toggle(true);
export const alertsOff = toggle(false);

// ---------------------------------------------------------------------------------------------
// Buttons

const GONE =
  "This alert no longer applies: the item was renewed, paid or topped up since, or the account was unbound.";

/** The delivery row a button points at, checked to belong to a binding of the clicker's channel. */
async function deliveryInChannel(ctx: CommandContext, id: string) {
  if (!z.uuid().safeParse(id).success) throw new UserError("invalid", "That button is no longer valid.");
  const row = await store(ctx).find(id);
  if (!row) throw new UserError("not_found", GONE);
  const hit = await channelBinding(ctx, row.bindingId);
  if (!hit) throw new UserError("not_found", GONE);
  return { row, ...hit };
}

function snoozeDays(raw: string | undefined): 1 | 7 {
  if (raw === "1") return 1;
  if (raw === "7") return 7;
  throw new UserError("invalid", "That button is no longer valid.");
}

export const snoozeButton: ActionHandlerDef = {
  id: ALERT_ACTIONS.snooze,
  role: "operator",
  async run(ctx, value) {
    const [id = "", d] = value.split("|");
    const days = snoozeDays(d);
    const { row } = await deliveryInChannel(ctx, id);
    const until = new Date(ctx.core.clock.now().getTime() + days * 86_400_000);
    await store(ctx).snooze(row.id, until);
    const title = row.title ?? "this alert";
    return reply(
      textReply(
        rich`${mention(ctx.actor.userId)} snoozed "${title}" for ${count(days, "day")}, until ${formatTime(until, ctx.core.settings.timeZone)}. If it still holds then, it is posted again.`,
      ),
    );
  },
};

export const snoozeAllButton: ActionHandlerDef = {
  id: ALERT_ACTIONS.snoozeAll,
  role: "operator",
  async run(ctx, value) {
    const [bindingId = "", d] = value.split("|");
    const days = snoozeDays(d);
    if (!z.uuid().safeParse(bindingId).success)
      throw new UserError("invalid", "That button is no longer valid.");
    const hit = await channelBinding(ctx, bindingId);
    if (!hit) throw new UserError("not_found", "That account is no longer bound to this channel.");
    const until = new Date(ctx.core.clock.now().getTime() + days * 86_400_000);
    await ctx.core.accounts.updateBinding(hit.binding.id, { snoozedUntil: until });
    return reply(
      textReply(
        rich`${mention(ctx.actor.userId)} snoozed all alerts of ${hit.account.label} here for ${count(days, "day")}, until ${formatTime(until, ctx.core.settings.timeZone)}. New alerts wait until then; ${command(["alerts", "on"])} ends the snooze.`,
      ),
    );
  },
};

export const renewButton: ActionHandlerDef = {
  id: ALERT_ACTIONS.renew,
  role: "operator",
  async run(ctx, value) {
    const { row, account } = await deliveryInChannel(ctx, value);
    if (!row.renew) throw new UserError("invalid", "This alert cannot be renewed from chat.");
    const { action, params, cost } = row.renew;
    return requestConfirmation(ctx, { account, action, params, ...(cost ? { cost } : {}) });
  },
};

export const alertCommands = [alertsShow, alertsRun, alertsConfig, alertsOn, alertsOff];
export const alertModalHandlers: ModalHandlerDef[] = [alertsConfigSubmit];
export const alertActionHandlers: ActionHandlerDef[] = [renewButton, snoozeButton, snoozeAllButton];
