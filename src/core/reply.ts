import { concat, icon, plainText, plainWriter, renderText, type SpanWriter, type Text } from "./rich.ts";

/**
 * The neutral reply model: what core returns and adapters render (Block Kit, Discord embeds,
 * terminal text). Prose is rich text (rich.ts): core never writes a platform's markup. `text` is
 * always a complete plain-text fallback.
 */
export type Severity = "info" | "success" | "warning" | "critical";

export interface Button {
  /** Action id, e.g. "confirm:approve"; the adapter routes clicks back to core with it. */
  id: string;
  label: string;
  style?: "primary" | "danger";
  value: string;
}

export type Block =
  | { kind: "header"; text: string }
  | { kind: "fields"; fields: [label: string, value: Text][] }
  /** Cells are plain text: adapters show tables in monospace, where no markup applies. */
  | { kind: "table"; columns: string[]; rows: string[][] }
  | { kind: "context"; text: Text }
  | { kind: "text"; text: Text }
  | { kind: "list"; items: Text[] }
  | { kind: "actions"; buttons: Button[] }
  /** A picture (a PNG chart); adapters upload or attach it, `alt` describes it in words. */
  | { kind: "image"; png: Uint8Array; filename: string; alt: string };

export interface Reply {
  text: string;
  ephemeral?: boolean;
  severity?: Severity;
  blocks: Block[];
}

/** A form to show (Slack modal, Discord modal, terminal prompts). */
export interface ModalField {
  id: string;
  label: string;
  kind: "text" | "secret" | "select";
  optional?: boolean;
  placeholder?: string;
  initial?: string;
  multiline?: boolean;
  maxLength?: number;
  options?: { value: string; label: string }[];
}

export interface Modal {
  /** Routes the submit back to core, e.g. "accounts:add". */
  id: string;
  title: string;
  submitLabel: string;
  /** Opaque state carried through the platform (≤ 3000 chars on Slack). */
  state: string;
  fields: ModalField[];
  /** A line of explanation shown above the fields. */
  intro?: string;
}

/** What a command, button or modal submit produces. */
export type Outcome =
  | { kind: "reply"; reply: Reply }
  | { kind: "modal"; modal: Modal }
  /** Modal submit refused: field id -> message, shown next to the field. */
  | { kind: "fieldErrors"; errors: Record<string, string> }
  /** Replace the message the clicked button sits on. */
  | { kind: "update"; reply: Reply }
  | { kind: "none" };

export const reply = (r: Reply): Outcome => ({ kind: "reply", reply: r });

export function textReply(text: Text, opts: { ephemeral?: boolean; severity?: Severity } = {}): Reply {
  return {
    text: plainText(text),
    ephemeral: opts.ephemeral,
    severity: opts.severity,
    blocks: [{ kind: "text", text }],
  };
}

export function errorReply(text: Text): Reply {
  return {
    text: plainText(text),
    ephemeral: true,
    severity: "warning",
    blocks: [{ kind: "text", text: concat(icon("warning"), " ", text) }],
  };
}

/** Renders a table as aligned monospace text (plain-text fallback, terminals, code blocks). */
export function tableText(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The text rendering of blocks: plain by default (the fallback `text`), or in a platform's writer. */
export function blocksToText(blocks: Block[], w: SpanWriter = plainWriter): string {
  const text = (t: Text) => renderText(t, w);
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case "header":
        out.push(w.text(b.text));
        break;
      case "fields":
        out.push(b.fields.map(([k, v]) => `${k}: ${text(v)}`).join("\n"));
        break;
      case "list":
        out.push(b.items.map((i) => `• ${text(i)}`).join("\n"));
        break;
      case "table":
        out.push(w.text(b.rows.length ? tableText(b.columns, b.rows) : "(none)"));
        break;
      case "context":
      case "text":
        out.push(text(b.text));
        break;
      case "image":
        out.push(w.text(`[picture: ${b.filename}]`));
        break;
      case "actions":
        break;
    }
  }
  return out.join("\n\n");
}

/** Builds a Reply whose `text` is the full plain rendering of its blocks. */
export function blocksReply(blocks: Block[], opts: { ephemeral?: boolean; severity?: Severity } = {}): Reply {
  return { text: blocksToText(blocks), blocks, ...opts };
}
