import {
  type APILabelComponent,
  type APIModalInteractionResponseCallbackComponent,
  type APIModalInteractionResponseCallbackData,
  type APITextInputComponent,
  ComponentType,
  TextInputStyle,
} from "discord.js";
import type { Modal, ModalField } from "../../core/reply.ts";
import { encodeCustomId, type PayloadStore } from "./custom-id.ts";
import { clip, discordPlain } from "./text.ts";

/**
 * core Modal -> Discord modal: one text input per field (Discord modals hold at most 5).
 * - "secret" fields are ordinary text inputs: Discord has no masked input. The value is visible
 *   only to the person typing it and is never echoed back.
 * - "select" fields with at most 25 options become a select menu (a Label component); with more,
 *   a text input where the person types a name or id, matched to an option on submit.
 * - The modal's `intro` has no place in a classic Discord modal and is not shown.
 * - The state travels in the modal's custom_id (see custom-id.ts).
 */

export const MODAL_LIMITS = {
  title: 45,
  inputs: 5,
  label: 45,
  placeholder: 100,
  value: 4000,
  selectOptions: 25,
  optionText: 100,
} as const;

export type RenderedModal =
  | { ok: true; data: APIModalInteractionResponseCallbackData }
  | { ok: false; reason: string };

export function renderModal(modal: Modal, store: PayloadStore): RenderedModal {
  let fields = [...modal.fields];
  // Too many inputs: optional ones go first (the handler treats a missing optional field as empty).
  while (fields.length > MODAL_LIMITS.inputs) {
    const idx = fields.map((f) => Boolean(f.optional)).lastIndexOf(true);
    if (idx < 0) break;
    fields = fields.filter((_, i) => i !== idx);
  }
  if (fields.length > MODAL_LIMITS.inputs)
    return {
      ok: false,
      reason: `This form has ${fields.length} required fields and Discord forms hold at most ${MODAL_LIMITS.inputs}.`,
    };
  const bad = fields.find((f) => f.id.length > 100);
  if (bad) return { ok: false, reason: "This form cannot be shown on Discord (field id too long)." };
  return {
    ok: true,
    data: {
      custom_id: encodeCustomId(modal.id, modal.state, store),
      title: clip(discordPlain(modal.title) || "hostops", MODAL_LIMITS.title),
      components: fields.map(
        (f): APIModalInteractionResponseCallbackComponent =>
          asSelectMenu(f) ? selectInput(f) : { type: ComponentType.ActionRow, components: [textInput(f)] },
      ),
    },
  };
}

function textInput(f: ModalField): APITextInputComponent {
  const input: APITextInputComponent = {
    type: ComponentType.TextInput,
    custom_id: f.id,
    style: f.multiline ? TextInputStyle.Paragraph : TextInputStyle.Short,
    label: clip(discordPlain(f.label) || f.id, MODAL_LIMITS.label),
    required: !f.optional,
  };
  const first = f.options?.[0];
  const placeholder = f.kind === "select" && first ? `Type a name or id, e.g. ${first.label}` : f.placeholder;
  if (placeholder) input.placeholder = clip(placeholder, MODAL_LIMITS.placeholder);
  const max = Math.min(f.maxLength ?? MODAL_LIMITS.value, MODAL_LIMITS.value);
  // Discord refuses a prefilled value longer than the input allows.
  if (f.initial) input.value = f.initial.slice(0, max);
  if (f.maxLength) input.max_length = max;
  return input;
}

const selectable = (f: ModalField) =>
  (f.options ?? []).filter((o) => o.value && o.value.length <= MODAL_LIMITS.optionText);

function asSelectMenu(f: ModalField): boolean {
  const n = selectable(f).length;
  return f.kind === "select" && n > 0 && n <= MODAL_LIMITS.selectOptions;
}

function selectInput(f: ModalField): APILabelComponent {
  return {
    type: ComponentType.Label,
    label: clip(discordPlain(f.label) || f.id, MODAL_LIMITS.label),
    component: {
      type: ComponentType.StringSelect,
      custom_id: f.id,
      required: !f.optional,
      min_values: f.optional ? 0 : 1,
      max_values: 1,
      ...(f.placeholder ? { placeholder: clip(f.placeholder, MODAL_LIMITS.placeholder) } : {}),
      options: selectable(f).map((o) => ({
        label: clip(o.label || o.value, MODAL_LIMITS.optionText),
        value: o.value,
        default: o.value === f.initial,
      })),
    },
  };
}

/**
 * Submitted values; a "select" typed as text is mapped to an option: exact value, exact label,
 * then the one label that contains the text.
 */
export function readModalValues(values: Record<string, string>, modal?: Modal): Record<string, string> {
  if (!modal) return values;
  const out = { ...values };
  for (const f of modal.fields) {
    if (f.kind !== "select" || !f.options) continue;
    const typed = (out[f.id] ?? "").trim().toLowerCase();
    if (!typed) continue;
    const hit =
      f.options.find((o) => o.value.toLowerCase() === typed) ??
      f.options.find((o) => o.label.toLowerCase() === typed) ??
      only(f.options.filter((o) => o.label.toLowerCase().includes(typed)));
    if (hit) out[f.id] = hit.value;
  }
  return out;
}

function only<T>(list: T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined;
}

/**
 * The same form again after a refused submit, with what was typed filled in, except secrets
 * (never sent back to Discord).
 */
export function refill(modal: Modal, values: Record<string, string>): Modal {
  return {
    ...modal,
    fields: modal.fields.map((f) =>
      f.kind === "secret" ? { ...f, initial: undefined } : { ...f, initial: values[f.id] ?? f.initial },
    ),
  };
}

/** Discord shows no error next to a modal field: the errors become one ephemeral message. */
export function fieldErrorsText(errors: Record<string, string>, modal?: Modal): string {
  const label = (id: string) => modal?.fields.find((f) => f.id === id)?.label ?? id;
  const lines = Object.entries(errors).map(([id, msg]) => `• *${label(id)}*: ${msg}`);
  return `:warning: The form was not saved:\n${lines.join("\n")}`;
}
