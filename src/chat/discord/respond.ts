import {
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  ComponentType,
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
  MessageFlags,
  type ModalSubmitInteraction,
} from "discord.js";
import type { Modal, Outcome, Reply } from "../../core/reply.ts";
import { errorReply } from "../../core/reply.ts";
import { adapterCustomId } from "./custom-id.ts";
import { fieldErrorsText } from "./modal.ts";
import type { MessagePayload } from "./render.ts";

/**
 * How an Outcome becomes Discord responses, for the two moments it can be ready:
 * - "now": core finished within the ack budget without calling a provider; the Outcome is the
 *   first response (reply, update or showModal: Discord accepts a modal only as the first one).
 * - "late": the interaction was deferred first (deferReply for commands and form submits,
 *   deferUpdate for buttons and forms opened from a message); the Outcome edits or follows it.
 *
 * Visibility: a deferred reply's visibility cannot change. When it differs from the Outcome's
 * (a public "thinking…" and an ephemeral error, say), the placeholder is deleted and the Outcome
 * goes out as a follow-up with its own visibility. The follow-up comes after the delete on
 * purpose: Discord turns the first follow-up of an untouched deferred reply into an edit of it.
 */

export type Responder = {
  render(reply: Reply): MessagePayload;
  /** Renders a Modal for showModal, or says why it cannot be shown on Discord. */
  modal(
    modal: Modal,
  ):
    | { ok: true; data: Parameters<ChatInputCommandInteraction["showModal"]>[0]; customId: string }
    | { ok: false; reason: string };
  /** Keeps a modal that could not be shown now, for an "Open the form" button; returns its key. */
  park(modal: Modal): string;
  /** The modal a form submit came from (to name fields in errors and offer a refilled retry). */
  shownModal(customId: string): Modal | undefined;
  refillKey(customId: string, values: Record<string, string>): string | undefined;
};

type Repliable = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

export function replyOptions(p: MessagePayload, ephemeral: boolean): InteractionReplyOptions {
  return {
    ...(p.content !== undefined ? { content: p.content } : {}),
    embeds: p.embeds,
    components: p.components,
    allowedMentions: p.allowedMentions,
    ...(p.files ? { files: p.files } : {}),
    ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  };
}

export function editOptions(p: MessagePayload): InteractionEditReplyOptions {
  return {
    content: p.content ?? "",
    embeds: p.embeds,
    components: p.components,
    allowedMentions: p.allowedMentions,
    ...(p.files ? { files: p.files } : {}),
  };
}

/** One primary button that opens a form the adapter kept (reserved custom_id, see custom-id.ts). */
function formButton(label: string, key: string): MessagePayload["components"][number] {
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.Button,
        style: ButtonStyle.Primary,
        label,
        custom_id: adapterCustomId("form", key),
      },
    ],
  };
}

function withOpenFormButton(r: Responder, key: string, why: string): MessagePayload {
  const text = `${why} Open the form with the button below.`;
  const p = r.render({ text, ephemeral: true, blocks: [{ kind: "text", text }] });
  p.components = [formButton("Open the form", key)];
  return p;
}

function fieldErrorsPayload(
  r: Responder,
  errors: Record<string, string>,
  submitted?: { customId: string; values: Record<string, string> },
): MessagePayload {
  const modal = submitted ? r.shownModal(submitted.customId) : undefined;
  const text = fieldErrorsText(errors, modal);
  const p = r.render({ text, ephemeral: true, severity: "warning", blocks: [{ kind: "text", text }] });
  const key = submitted ? r.refillKey(submitted.customId, submitted.values) : undefined;
  if (key) p.components = [formButton("Fix and resubmit", key)];
  return p;
}

const DONE: Reply = { text: "Done.", ephemeral: true, blocks: [{ kind: "text", text: "Done." }] };

/**
 * Sends an Outcome as the first response (within the ack budget). On a button, "update" replaces
 * the clicked message and "none" just acknowledges; on a command both become replies.
 */
export async function respondNow(
  i: ChatInputCommandInteraction | ButtonInteraction,
  out: Outcome,
  r: Responder,
): Promise<void> {
  const button = i.isButton() ? i : undefined;
  switch (out.kind) {
    case "modal": {
      const m = r.modal(out.modal);
      if (!m.ok) return void (await i.reply(replyOptions(r.render(errorReply(m.reason)), true)));
      await i.showModal(m.data);
      return;
    }
    case "update":
      if (button) return void (await button.update(editOptions(r.render(out.reply))));
      await i.reply(replyOptions(r.render(out.reply), Boolean(out.reply.ephemeral)));
      return;
    case "reply":
      await i.reply(replyOptions(r.render(out.reply), Boolean(out.reply.ephemeral)));
      return;
    case "fieldErrors":
      await i.reply(replyOptions(fieldErrorsPayload(r, out.errors), true));
      return;
    case "none":
      if (button) return void (await button.deferUpdate());
      await i.reply(replyOptions(r.render(DONE), true));
      return;
  }
}

/** Sends an Outcome after deferReply (commands, form submits) with the given visibility. */
export async function respondLate(
  i: ChatInputCommandInteraction | ModalSubmitInteraction,
  deferredEphemeral: boolean,
  out: Outcome,
  r: Responder,
  submitted?: { customId: string; values: Record<string, string> },
): Promise<void> {
  let payload: MessagePayload;
  let ephemeral: boolean;
  switch (out.kind) {
    case "modal":
      // The defer used up the one chance to show a modal: a button opens it instead.
      payload = withOpenFormButton(r, r.park(out.modal), "That took a moment.");
      ephemeral = true;
      break;
    case "reply":
    case "update":
      payload = r.render(out.reply);
      ephemeral = Boolean(out.reply.ephemeral);
      break;
    case "fieldErrors":
      payload = fieldErrorsPayload(r, out.errors, submitted);
      ephemeral = true;
      break;
    case "none":
      if (deferredEphemeral) await i.editReply(editOptions(r.render(DONE)));
      else await i.deleteReply();
      return;
  }
  if (ephemeral === deferredEphemeral) {
    await i.editReply(editOptions(payload));
    return;
  }
  await i.deleteReply();
  await i.followUp(replyOptions(payload, ephemeral));
}

/**
 * After deferUpdate (a button, or a form opened from a message's button): "update" edits that
 * message, anything else follows up.
 */
export async function respondComponentLate(
  i: ButtonInteraction | ModalSubmitInteraction,
  out: Outcome,
  r: Responder,
  submitted?: { customId: string; values: Record<string, string> },
): Promise<void> {
  switch (out.kind) {
    case "update":
      await i.editReply(editOptions(r.render(out.reply)));
      return;
    case "reply":
      await i.followUp(replyOptions(r.render(out.reply), Boolean(out.reply.ephemeral)));
      return;
    case "modal":
      await i.followUp(replyOptions(withOpenFormButton(r, r.park(out.modal), "That took a moment."), true));
      return;
    case "fieldErrors":
      await i.followUp(replyOptions(fieldErrorsPayload(r, out.errors, submitted), true));
      return;
    case "none":
      return;
  }
}

/** When everything else failed: tell the person, in private, without internals. */
export async function respondFailure(i: Repliable): Promise<void> {
  const text = "Something went wrong on our side; the error has been logged.";
  const p = {
    content: `⚠️ ${text}`,
    allowedMentions: { parse: [] as [] },
    flags: MessageFlags.Ephemeral,
  } as const;
  if (i.replied || i.deferred) await i.followUp(p);
  else await i.reply(p);
}
