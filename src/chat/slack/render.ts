import { commandText, optionText } from "../../core/commands/lookup.ts";
import type { Block, Modal, Reply } from "../../core/reply.ts";
import { blocksToText, tableText } from "../../core/reply.ts";
import {
  ICON_CHAR,
  type IconName,
  renderText,
  type SpanWriter,
  type Text,
  usageLine,
} from "../../core/rich.ts";

/** Block Kit limits (api.slack.com/reference/block-kit): what the renderer keeps within. */
const MAX_BLOCKS = 50;
const MAX_SECTION_TEXT = 3000;
const MAX_FIELDS = 10;
const MAX_FIELD_TEXT = 2000;
const MAX_HEADER = 150;
const MAX_TEXT_FALLBACK = 3900;

/** Slack Block Kit JSON; typed loosely on purpose: Bolt accepts `KnownBlock[]` and we build plain objects. */
export type SlackBlock = Record<string, unknown>;

/** `&`, `<` and `>` as entities: Slack reads nothing else as the start of a link, mention or broadcast. */
export function escapeEntities(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const ZWSP = "\u200b";
const WORD = /[\p{L}\p{N}]/u;

/**
 * Foreign text made inert for mrkdwn: entities escaped, and every `*`, `_`, `~` or backtick that
 * could open or close formatting (one at a word edge) fenced with zero-width spaces, so
 * Slack no longer sees it next to a word boundary. Mrkdwn has no escape character; this keeps
 * the text as typed (`web_1` stays as is) while `*x*` or `_x_` show literally.
 */
export function escapeMrkdwn(text: string): string {
  return escapeEntities(text).replace(/[*_~`]/g, (c, at: number, all: string) => {
    const inWord = WORD.test(all[at - 1] ?? " ") && WORD.test(all[at + 1] ?? " ");
    return c === "`" || !inWord ? `${ZWSP}${c}${ZWSP}` : c;
  });
}

const SLACK_ICON: Partial<Record<IconName, string>> = {
  warning: ":warning:",
  success: ":white_check_mark:",
  failure: ":x:",
  pending: ":hourglass_flowing_sand:",
  lock: ":lock:",
};

/** Core's text in Slack mrkdwn: spans become markup, plain text is escaped. */
export const slackWriter: SpanWriter = {
  text: escapeMrkdwn,
  strong: (s) => {
    const inner = escapeMrkdwn(s.replace(/\*/g, "").trim());
    return inner ? `*${inner}*` : "";
  },
  code: (s) => inlineCode(s),
  mention: (user) => (/^[UW][A-Z0-9]{2,}$/.test(user) ? `<@${user}>` : escapeMrkdwn(user)),
  channel: (id) => (/^[CGD][A-Z0-9]{2,}$/.test(id) ? `<#${id}>` : escapeMrkdwn(id)),
  link: (url, label) =>
    /^https?:\/\/[^\s|<>]+$/.test(url)
      ? `<${url}|${escapeEntities(label.replace(/\|/g, "/")) || url}>`
      : escapeMrkdwn(label),
  icon: (name) => SLACK_ICON[name] ?? ICON_CHAR[name],
  command: (path, args) => inlineCode(commandText(path, args)),
  option: (name, value) => inlineCode(optionText(name, value)),
  usage: (path) => `Usage: ${inlineCode(usageLine(path))}`,
  param: (name) => inlineCode(name),
};

/** A code span: nothing inside is formatted, and a backtick in the text cannot end it early. */
function inlineCode(s: string): string {
  const inner = escapeEntities(s.replace(/`/g, "ˋ").replace(/\n/g, " "));
  return inner ? `\`${inner}\`` : "";
}

/** Rich text as mrkdwn. */
export function mrkdwn(t: Text): string {
  return renderText(t, slackWriter);
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const plainText = (text: string, max = 75) => ({ type: "plain_text", text: clip(text, max), emoji: true });

export function renderBlocks(blocks: Block[]): SlackBlock[] {
  const out: SlackBlock[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case "header":
        out.push({ type: "header", text: plainText(b.text, MAX_HEADER) });
        break;
      case "text":
        for (const chunk of chunks(mrkdwn(b.text), MAX_SECTION_TEXT))
          out.push({ type: "section", text: { type: "mrkdwn", text: chunk } });
        break;
      case "context":
        out.push({
          type: "context",
          elements: [{ type: "mrkdwn", text: clip(mrkdwn(b.text), MAX_SECTION_TEXT) }],
        });
        break;
      case "list":
        for (const chunk of chunks(b.items.map((i) => `• ${mrkdwn(i)}`).join("\n"), MAX_SECTION_TEXT))
          out.push({ type: "section", text: { type: "mrkdwn", text: chunk } });
        break;
      case "fields":
        for (let i = 0; i < b.fields.length; i += MAX_FIELDS)
          out.push({
            type: "section",
            fields: b.fields.slice(i, i + MAX_FIELDS).map(([k, v]) => ({
              type: "mrkdwn",
              text: clip(`${slackWriter.strong(k)}\n${mrkdwn(v)}`, MAX_FIELD_TEXT),
            })),
          });
        break;
      case "table": {
        if (!b.rows.length) {
          out.push({ type: "context", elements: [{ type: "mrkdwn", text: "_(none)_" }] });
          break;
        }
        // Block Kit has no table: an aligned code block, split by rows to stay under the section limit.
        const lines = tableText(b.columns, b.rows).split("\n");
        let current: string[] = [];
        const flush = () => {
          if (current.length)
            out.push({
              type: "section",
              text: {
                type: "mrkdwn",
                text: `\`\`\`${escapeEntities(current.join("\n").replace(/`/g, "ˋ"))}\`\`\``,
              },
            });
          current = [];
        };
        for (const line of lines) {
          if ([...current, line].join("\n").length + 6 > MAX_SECTION_TEXT) flush();
          current.push(line);
        }
        flush();
        break;
      }
      case "actions":
        for (let i = 0; i < b.buttons.length; i += 25)
          out.push({
            type: "actions",
            elements: b.buttons.slice(i, i + 25).map((btn, j) => ({
              type: "button",
              // action_id must be unique within a message: the suffix is stripped when a click comes back.
              action_id: `${btn.id}#${i + j}`,
              text: plainText(btn.label),
              value: clip(btn.value, 2000),
              ...(btn.style ? { style: btn.style } : {}),
            })),
          });
        break;
    }
  }
  if (out.length > MAX_BLOCKS) {
    const kept = out.slice(0, MAX_BLOCKS - 1);
    kept.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: "…more was cut to fit one Slack message." }],
    });
    return kept;
  }
  return out;
}

export function renderReply(r: Reply): { text: string; blocks: SlackBlock[] } {
  // The notification text: the blocks again in mrkdwn when `text` is their plain reading (so a
  // mention or a strong name reads the same in the notification), else `text` escaped.
  const text = r.text === blocksToText(r.blocks) ? blocksToText(r.blocks, slackWriter) : escapeMrkdwn(r.text);
  return { text: clip(text, MAX_TEXT_FALLBACK), blocks: renderBlocks(r.blocks) };
}

/** The action id a button carried, without the uniqueness suffix. */
export function actionIdOf(slackActionId: string): string {
  const i = slackActionId.lastIndexOf("#");
  return i < 0 ? slackActionId : slackActionId.slice(0, i);
}

/** Modal -> Slack view. `meta` is carried in private_metadata (≤ 3000 characters). */
export function renderModal(m: Modal, meta: string, error?: Text): Record<string, unknown> {
  const blocks: SlackBlock[] = [];
  if (error) blocks.push({ type: "section", text: { type: "mrkdwn", text: `:warning: ${mrkdwn(error)}` } });
  if (m.intro) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: mrkdwn(m.intro) }] });
  for (const f of m.fields) {
    const element: Record<string, unknown> =
      f.kind === "select"
        ? {
            type: "static_select",
            action_id: "v",
            options: (f.options ?? []).map((o) => ({ text: plainText(o.label), value: o.value })),
            ...(f.initial
              ? {
                  initial_option: {
                    text: plainText(f.options?.find((o) => o.value === f.initial)?.label ?? f.initial),
                    value: f.initial,
                  },
                }
              : {}),
          }
        : {
            type: "plain_text_input",
            action_id: "v",
            multiline: Boolean(f.multiline),
            ...(f.maxLength ? { max_length: f.maxLength } : {}),
            ...(f.placeholder ? { placeholder: plainText(f.placeholder, 150) } : {}),
            // Secrets are never pre-filled: a value typed once is not sent back to Slack.
            ...(f.initial && f.kind !== "secret" ? { initial_value: f.initial } : {}),
          };
    blocks.push({
      type: "input",
      block_id: f.id,
      optional: Boolean(f.optional),
      label: plainText(f.kind === "secret" ? `${f.label} 🔒` : f.label, 2000),
      element,
    });
  }
  return {
    type: "modal",
    callback_id: m.id,
    private_metadata: meta,
    title: plainText(m.title, 24),
    submit: plainText(m.submitLabel, 24),
    close: plainText("Cancel", 24),
    blocks,
  };
}

/** A modal that only shows a message (progress or result). */
export function messageView(title: string, text: Text): Record<string, unknown> {
  return {
    type: "modal",
    title: plainText(title, 24),
    close: plainText("Close", 24),
    blocks: [{ type: "section", text: { type: "mrkdwn", text: clip(mrkdwn(text), MAX_SECTION_TEXT) } }],
  };
}

/** Reads `view.state.values` into field id -> string. */
export function readViewValues(state: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const values = (state as { values?: Record<string, Record<string, unknown>> } | undefined)?.values ?? {};
  for (const [blockId, actions] of Object.entries(values)) {
    const a = (actions?.v ?? Object.values(actions ?? {})[0]) as
      | { value?: string | null; selected_option?: { value?: string } | null }
      | undefined;
    const v = a?.selected_option?.value ?? a?.value;
    if (typeof v === "string") out[blockId] = v;
  }
  return out;
}

function chunks(s: string, max: number): string[] {
  if (s.length <= max) return [s];
  const out: string[] = [];
  let rest = s;
  while (rest.length > max) {
    const cut = rest.lastIndexOf("\n", max);
    const at = cut > max / 2 ? cut : max;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, "");
  }
  if (rest) out.push(rest);
  return out;
}
