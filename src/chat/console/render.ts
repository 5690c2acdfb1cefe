import type { Block, Button, ModalField, Reply } from "../../core/reply.ts";
import { tableText } from "../../core/reply.ts";
import { plainWriter, renderText, type SpanWriter, type Text } from "../../core/rich.ts";

/** How a reply is drawn in a terminal: ANSI styles only when the output is a TTY. */
export interface TerminalStyle {
  color: boolean;
}

const ESC = "\x1b[";
const style = (on: boolean, open: string, close: string) => (s: string) =>
  on ? `${ESC}${open}m${s}${ESC}${close}m` : s;

/** Control characters dropped: a provider's label could carry escape sequences that drive the terminal. */
function inert(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: provider text must not drive the terminal
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "");
}

/** Core's rich text for a terminal: plain words, strong ones in bold when the output is a TTY. */
export function terminalText(text: Text, s: TerminalStyle): string {
  const bold = style(s.color, "1", "22");
  const w: SpanWriter = {
    ...plainWriter,
    text: inert,
    strong: (x) => bold(inert(x)),
    code: inert,
    link: (url, label) => inert(plainWriter.link(url, label)),
    mention: (x) => inert(plainWriter.mention(x)),
    channel: (x) => inert(plainWriter.channel(x)),
  };
  return renderText(text, w);
}

export interface RenderedReply {
  text: string;
  buttons: Button[];
}

/** A reply as terminal lines; its buttons are returned apart so the session can number them. */
export function renderReply(reply: Reply, s: TerminalStyle): RenderedReply {
  const dim = style(s.color, "2", "22");
  const head = style(s.color, "1;4", "22;24");
  const out: string[] = [];
  const buttons: Button[] = [];
  const t = (x: Text) => terminalText(x, s);
  const blocks: Block[] = reply.blocks.length ? reply.blocks : [{ kind: "text", text: reply.text }];
  for (const b of blocks) {
    switch (b.kind) {
      case "header":
        out.push(head(t(b.text)));
        break;
      case "text":
        out.push(t(b.text));
        break;
      case "context":
        out.push(dim(t(b.text)));
        break;
      case "list":
        out.push(b.items.map((i) => `  • ${t(i)}`).join("\n"));
        break;
      case "fields": {
        const width = Math.min(24, Math.max(...b.fields.map(([k]) => t(k).length)));
        out.push(b.fields.map(([k, v]) => `  ${`${t(k)}:`.padEnd(width + 1)} ${t(v)}`).join("\n"));
        break;
      }
      case "table":
        out.push(
          b.rows.length
            ? tableText(
                b.columns.map(t),
                b.rows.map((r) => r.map(t)),
              )
                .split("\n")
                .map((l) => `  ${l}`)
                .join("\n")
            : dim("  (none)"),
        );
        break;
      case "actions":
        buttons.push(...b.buttons);
        break;
    }
  }
  return { text: out.join("\n"), buttons };
}

/** "[1] Approve  [2] Deny", numbered from `first`, wrapped before `width` columns. */
export function renderChoices(buttons: Button[], first: number, s: TerminalStyle, width = 100): string {
  const mark = (b: Button) =>
    b.style === "danger"
      ? style(s.color, "31", "39")
      : b.style === "primary"
        ? style(s.color, "32", "39")
        : (x: string) => x;
  const lines: string[] = [];
  let line = "";
  let visible = 0;
  buttons.forEach((b, i) => {
    const text = `[${first + i}] ${terminalText(b.label, { color: false })}`;
    if (visible && visible + 2 + text.length > width) {
      lines.push(line);
      line = "";
      visible = 0;
    }
    line += `${visible ? "  " : ""}${mark(b)(text)}`;
    visible += (visible ? 2 : 0) + text.length;
  });
  if (line) lines.push(line);
  return lines.join("\n");
}

/** The prompt of one form field, and a longer explanation to print above it when there is one. */
export function fieldPrompt(f: ModalField, s: TerminalStyle): { note?: string; prompt: string } {
  const hints: string[] = [];
  if (f.kind === "secret") hints.push("hidden");
  if (f.optional) hints.push("optional");
  const long = f.placeholder && f.placeholder.length > 40 ? f.placeholder : undefined;
  if (f.initial) hints.push(`Enter keeps ${terminalText(f.initial, s)}`);
  else if (f.placeholder && !long && f.kind !== "select")
    hints.push(`e.g. ${terminalText(f.placeholder, s)}`);
  const label = terminalText(f.label, s);
  return {
    note: long ? style(s.color, "2", "22")(`  ${terminalText(long, s)}`) : undefined,
    prompt: `${label}${hints.length ? ` (${hints.join(", ")})` : ""}: `,
  };
}
