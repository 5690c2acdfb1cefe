import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  MessageFlags,
  type ModalSubmitInteraction,
  PermissionFlagsBits,
} from "discord.js";
import { rank, type Suggestions } from "../../core/autocomplete.ts";
import type { Actor, Core, Invocation } from "../../core/context.ts";
import type { Dispatcher } from "../../core/dispatch.ts";
import { errorReply, type Modal, type Outcome, reply } from "../../core/reply.ts";
import type { Logger } from "../../observability/logger.ts";
import { type AckGate, createGate } from "./ack-gate.ts";
import { toChoices } from "./autocomplete.ts";
import { type DiscordCommandSet, routeKey } from "./commands-json.ts";
import { decodeCustomId, type PayloadStore, parseAdapterCustomId } from "./custom-id.ts";
import { readModalValues, refill, renderModal } from "./modal.ts";
import { renderReply } from "./render.ts";
import {
  type Responder,
  replyOptions,
  respondComponentLate,
  respondFailure,
  respondLate,
  respondNow,
} from "./respond.ts";
import type { TtlMap } from "./ttl-map.ts";

/**
 * Every interaction: slash command, button, form submit, autocomplete.
 *
 * Commands and buttons are dispatched at once, with the ack gate (ack-gate.ts) as core's
 * acknowledgement:
 * - core finishes within the ack budget (default 1.5 s; Discord allows 3 s) without asking for
 *   the ack: the Outcome is the first response, so `accounts add` opens its form directly
 *   (showModal is only accepted as the first response);
 * - core is about to call a provider (the handler declares `mayCallProvider`, or acknowledges
 *   itself before a provider call): the interaction is deferred first (deferReply, or
 *   deferUpdate for a button) and the provider call waits for Discord to accept that;
 * - the budget runs out (slow database): deferred the same way.
 * Form submits are deferred at once: a form cannot open another form, and they usually check
 * credentials with the provider.
 */

export interface InteractionDeps {
  core: Core;
  dispatcher: Dispatcher;
  commands: DiscordCommandSet;
  store: PayloadStore;
  /** Modals shown (by custom_id) and modals waiting behind an "Open the form" button (by key). */
  shownForms: TtlMap<Modal>;
  parkedForms: TtlMap<Modal>;
  /** Core's suggestions for options that name an account, a service, a domain or an OS. */
  suggestions: Suggestions;
  log: Logger;
  ackBudgetMs: number;
  /** Only interactions for this application (and, when set, this guild) are handled. */
  applicationId?: string;
  guildId?: string;
}

export function createInteractionHandler(deps: InteractionDeps): (i: Interaction) => Promise<void> {
  const responder = makeResponder(deps);
  return async (i) => {
    // Defense in depth: the gateway only sends our own interactions, but a foreign application
    // or a guild outside DISCORD_GUILD_ID is ignored without an answer.
    if (deps.applicationId && i.applicationId !== deps.applicationId) {
      deps.log.warn({ applicationId: i.applicationId }, "ignored an interaction for another application");
      return;
    }
    if (deps.guildId && i.guildId && i.guildId !== deps.guildId) {
      deps.log.warn({ guildId: i.guildId }, "ignored an interaction from a guild outside DISCORD_GUILD_ID");
      return;
    }
    try {
      if (i.isAutocomplete()) await onAutocomplete(deps, i);
      else if (i.isChatInputCommand()) await onCommand(deps, responder, i);
      else if (i.isButton()) await onButton(deps, responder, i);
      else if (i.isModalSubmit()) await onModalSubmit(deps, responder, i);
    } catch (err) {
      deps.log.error({ err, interactionId: i.id, type: i.type }, "discord interaction failed");
      if (i.isChatInputCommand() || i.isButton() || i.isModalSubmit())
        await respondFailure(i).catch(() => {});
    }
  };
}

function makeResponder(deps: InteractionDeps): Responder {
  return {
    render: (r) => renderReply(r, deps.store),
    modal: (modal) => {
      const m = renderModal(modal, deps.store);
      if (!m.ok) return m;
      deps.shownForms.set(m.data.custom_id, modal);
      return { ok: true, data: m.data, customId: m.data.custom_id };
    },
    park: (modal) => deps.parkedForms.put(modal),
    shownModal: (customId) => deps.shownForms.get(customId),
    refillKey: (customId, values) => {
      const modal = deps.shownForms.get(customId);
      return modal ? deps.parkedForms.put(refill(modal, values)) : undefined;
    },
  };
}

/** Who acts, where: guild = workspace; in a thread, the parent channel (bindings are per channel). */
export function actorOf(i: Interaction): Actor | undefined {
  if (!i.inGuild()) return undefined;
  const ch = i.channel;
  const channelId = ch?.isThread() && ch.parentId ? ch.parentId : i.channelId;
  const perms = i.memberPermissions;
  return {
    platform: "discord",
    workspaceId: i.guildId,
    channelId: channelId ?? "",
    userId: i.user.id,
    userName: i.user.username,
    requestId: i.id,
    // Administrator or Manage Server: the Discord equivalent of a Slack workspace admin.
    userIsPlatformAdmin: Boolean(
      perms?.has(PermissionFlagsBits.Administrator) || perms?.has(PermissionFlagsBits.ManageGuild),
    ),
  };
}

const OUTSIDE_GUILD = "hostops works in server channels: accounts, bindings and roles belong to a server.";

async function onCommand(deps: InteractionDeps, r: Responder, i: ChatInputCommandInteraction): Promise<void> {
  const actor = actorOf(i);
  if (!actor) return void (await i.reply(replyOptions(r.render(errorReply(OUTSIDE_GUILD)), true)));
  const key = routeKey(i.options.getSubcommandGroup(false), i.options.getSubcommand(false));
  const route = deps.commands.routes.get(key);
  if (!route) {
    deps.log.warn({ command: key }, "discord command not in the tree (stale registration?)");
    const msg = "That command no longer exists. `/hosting help` lists the commands.";
    return void (await i.reply(replyOptions(r.render(errorReply(msg)), true)));
  }
  const args: Record<string, unknown> = {};
  for (const [name] of route.params) {
    const opt = i.options.get(name);
    if (opt && opt.value !== undefined && opt.value !== null) args[name] = opt.value;
  }
  const inv: Invocation = { ...actor, path: [...route.def.path], args };
  const ephemeral = Boolean(route.def.ephemeral);
  const gate = createGate(
    () => i.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
    (err) => deps.log.warn({ err }, "discord defer failed"),
  );
  const out = await gated(deps, gate, () => deps.dispatcher.command(inv, { acknowledge: gate.ack }));
  // Admin commands change accounts and bindings: suggestions are rebuilt on the next keystroke.
  if (route.def.role === "admin") deps.suggestions.invalidate(actor);
  if (!gate.started) return respondNow(i, out, r);
  await respondLate(i, ephemeral, out, r);
}

async function onButton(deps: InteractionDeps, r: Responder, i: ButtonInteraction): Promise<void> {
  const own = parseAdapterCustomId(i.customId);
  if (own?.name === "form") {
    const modal = deps.parkedForms.get(own.key);
    const m = modal ? r.modal(modal) : undefined;
    if (!m?.ok)
      return void (await i.reply(replyOptions(r.render(errorReply(m?.reason ?? FORM_EXPIRED)), true)));
    return void (await i.showModal(m.data));
  }
  const actor = actorOf(i);
  if (!actor) return void (await i.reply(replyOptions(r.render(errorReply(OUTSIDE_GUILD)), true)));
  const decoded = decodeCustomId(i.customId, deps.store);
  if (!decoded || !("payload" in decoded))
    return void (await i.reply(
      replyOptions(r.render(errorReply("This button has expired; run the command again.")), true),
    ));
  const gate = createGate(
    () => i.deferUpdate(),
    (err) => deps.log.warn({ err }, "discord defer failed"),
  );
  const out = await gated(deps, gate, () =>
    deps.dispatcher.action(actor, decoded.id, decoded.payload, { acknowledge: gate.ack }),
  );
  if (!gate.started) return respondNow(i, out, r);
  await respondComponentLate(i, out, r);
}

const FORM_EXPIRED = "This form has expired; run the command again.";

async function onModalSubmit(deps: InteractionDeps, r: Responder, i: ModalSubmitInteraction): Promise<void> {
  const actor = actorOf(i);
  if (!actor) return void (await i.reply(replyOptions(r.render(errorReply(OUTSIDE_GUILD)), true)));
  const decoded = decodeCustomId(i.customId, deps.store);
  if (!decoded || !("payload" in decoded))
    return void (await i.reply(replyOptions(r.render(errorReply(FORM_EXPIRED)), true)));
  const raw: Record<string, string> = {};
  for (const [id, field] of i.fields.fields) {
    if ("value" in field && typeof field.value === "string") raw[id] = field.value;
    else if ("values" in field && Array.isArray(field.values)) raw[id] = String(field.values[0] ?? "");
  }
  const values = readModalValues(raw, deps.shownForms.get(i.customId));
  const submitted = { customId: i.customId, values };
  // A form opened from a message's button answers like that button; one opened by a command, privately.
  const fromMessage = i.isFromMessage();
  if (fromMessage) await i.deferUpdate();
  else await i.deferReply({ flags: MessageFlags.Ephemeral });
  const out = await safely(deps, () => deps.dispatcher.modal(actor, decoded.id, decoded.payload, values));
  deps.suggestions.invalidate(actor);
  if (fromMessage) await respondComponentLate(i, out, r, submitted);
  else await respondLate(i, true, out, r, submitted);
}

/** Runs one dispatch; defers when the budget runs out; returns once it is safe to answer. */
async function gated(deps: InteractionDeps, gate: AckGate, fn: () => Promise<Outcome>): Promise<Outcome> {
  const work = safely(deps, fn);
  const first = await within(work, deps.ackBudgetMs);
  if (!first.done) void gate.ack();
  const out = first.done ? first.value : await work;
  if (gate.started) await gate.ack();
  // Background work core started (following a provider task) must not try to defer later.
  gate.close();
  return out;
}

/** The focused option as core's suggestions: fixed choices ranked here, the rest asked of core. */
async function onAutocomplete(deps: InteractionDeps, i: AutocompleteInteraction): Promise<void> {
  const actor = actorOf(i);
  const focused = i.options.getFocused(true);
  const route = deps.commands.routes.get(
    routeKey(i.options.getSubcommandGroup(false), i.options.getSubcommand(false)),
  );
  const param = route?.params.get(focused.name);
  if (!actor || !param) return void (await i.respond([]));
  const typed = String(focused.value ?? "");
  // More than 25 fixed choices are offered through autocomplete from the same list.
  if (param.choices?.length) {
    const fixed = param.choices.map((c) => ({ label: c, value: c }));
    return void (await i.respond(toChoices(rank(fixed, typed))));
  }
  const kind = param.autocomplete;
  if (!kind) return void (await i.respond([]));
  const serviceParam = route?.def.params.find((p) => p.autocomplete === "service");
  const serviceId = serviceParam
    ? (i.options.get(serviceParam.name)?.value as string | undefined)
    : undefined;
  const suggested = await within(
    deps.suggestions.suggest(actor, kind, typed, { serviceId }).catch((err: unknown) => {
      deps.log.warn({ err }, "autocomplete failed");
      return [];
    }),
    deps.ackBudgetMs + 500,
  );
  await i.respond(suggested.done ? toChoices(suggested.value) : []);
}

/** The dispatcher never throws; this keeps an adapter bug from leaving the interaction unanswered. */
function safely(deps: InteractionDeps, fn: () => Promise<Outcome>): Promise<Outcome> {
  return fn().catch((err: unknown) => {
    deps.log.error({ err }, "dispatch threw");
    return reply(
      errorReply("Something went wrong on our side; nothing was changed. The error has been logged."),
    );
  });
}

async function within<T>(p: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  try {
    return await Promise.race([p.then((value) => ({ done: true as const, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}
