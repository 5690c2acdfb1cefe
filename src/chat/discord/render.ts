import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIEmbed,
  type APIEmbedField,
  ButtonStyle,
  ComponentType,
} from "discord.js";
import { type Block, type Button, type Reply, type Severity, tableText } from "../../core/reply.ts";
import { encodeCustomId, type PayloadStore } from "./custom-id.ts";
import { clip, codeBlockSafe, discordMarkdown, discordPlain } from "./text.ts";

/**
 * Reply -> Discord message: embeds (a header starts an embed; fields become embed fields; tables
 * become aligned code blocks in the description) and button rows. Discord's limits are enforced
 * here, and whatever does not fit is cut visibly ("… N more rows not shown"), never silently.
 */

/** Discord message limits (docs: resources/message "Embed Limits", components reference). */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  /** Title + description + field names and values + footer, over all embeds of a message. */
  embedTotal: 6000,
  rows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
} as const;

export const SEVERITY_COLOR: Record<Severity, number> = {
  info: 0x5865f2,
  success: 0x57f287,
  warning: 0xfee75c,
  critical: 0xed4245,
};

export interface MessagePayload {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponentWithCustomId>[];
  /** Nobody is ever pinged by hostops: user text can hold @everyone or role mentions. */
  allowedMentions: { parse: [] };
  /** Pictures, uploaded with the message and shown in its embed (`attachment://name`). */
  files?: { attachment: Buffer; name: string; description: string }[];
}

/** Room kept in the 6000-character budget for the "not shown" note. */
const NOTE_RESERVE = 200;

export function renderReply(reply: Reply, store: PayloadStore): MessagePayload {
  const components = renderButtons(reply.blocks, store);
  const notes = [...components.notes];
  if (isPlainText(reply)) {
    const prose = reply.blocks.flatMap((b) => (b.kind === "text" || b.kind === "context" ? [b.text] : []));
    const text = prose.map(discordMarkdown).join("\n\n") || discordMarkdown(reply.text);
    return {
      content: clip(text, DISCORD_LIMITS.content),
      embeds: [],
      components: components.rows,
      allowedMentions: { parse: [] },
    };
  }
  const embeds = renderEmbeds(reply.blocks, reply.severity ?? "info", notes);
  const images = reply.blocks.filter((b) => b.kind === "image");
  if (images.length) {
    const files = images.map((img) => ({
      attachment: Buffer.from(img.png),
      name: safeFileName(img.filename),
      description: clip(img.alt, 1024),
    }));
    // An embed shows one image: the first picture goes into the first embed, any others are attached.
    const first = files[0];
    if (first) {
      const embed = embeds[0] ?? { color: SEVERITY_COLOR[reply.severity ?? "info"] };
      if (!embeds.length) embeds.push(embed);
      embed.image = { url: `attachment://${first.name}` };
    }
    return { embeds, components: components.rows, allowedMentions: { parse: [] }, files };
  }
  if (embeds.length === 0)
    return {
      content: clip(discordMarkdown(reply.text || "Done."), DISCORD_LIMITS.content),
      embeds: [],
      components: components.rows,
      allowedMentions: { parse: [] },
    };
  return { embeds, components: components.rows, allowedMentions: { parse: [] } };
}

/** Attachment names Discord accepts in `attachment://` references: letters, digits, '.', '_', '-'. */
function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 100) || "picture.png";
}

/** Short informational text reads best as a plain message; anything structured or coloured gets embeds. */
function isPlainText(reply: Reply): boolean {
  if (reply.severity && reply.severity !== "info") return false;
  const prose = reply.blocks.filter((b) => b.kind !== "actions");
  if (prose.length === 0) return false;
  if (!prose.every((b) => b.kind === "text" || b.kind === "context")) return false;
  return prose.reduce((n, b) => n + ("text" in b ? discordPlain(b.text).length : 0), 0) <= 1800;
}

class EmbedWriter {
  readonly embeds: APIEmbed[] = [];
  used = 0;
  truncated = false;
  private current: APIEmbed | undefined;

  constructor(private readonly color: number) {}

  private room(): number {
    return DISCORD_LIMITS.embedTotal - NOTE_RESERVE - this.used;
  }

  private open(title?: string): APIEmbed | undefined {
    if (this.embeds.length >= DISCORD_LIMITS.embeds) {
      this.truncated = true;
      return undefined;
    }
    const e: APIEmbed = { color: this.color };
    if (title) {
      e.title = clip(title, DISCORD_LIMITS.embedTitle);
      this.used += e.title.length;
    }
    this.embeds.push(e);
    this.current = e;
    return e;
  }

  header(text: string): void {
    if (this.room() <= 0) {
      this.truncated = true;
      return;
    }
    // Embed titles render emphasis: the title is escaped like any prose.
    this.open(clip(discordMarkdown(text), Math.min(DISCORD_LIMITS.embedTitle, this.room())));
  }

  /** Whether `chunk` (already Discord markdown) still fits in the message. */
  fits(chunk: string): boolean {
    return chunk.length + 2 <= this.room();
  }

  /** Appends a paragraph to the description, opening a continuation embed when needed. */
  paragraph(chunk: string): boolean {
    if (!this.fits(chunk)) {
      this.truncated = true;
      return false;
    }
    let e = this.current;
    const sep = e?.description ? 2 : 0;
    // Fields render below the description: text after fields goes into a new embed to keep the order.
    if (
      !e ||
      e.fields?.length ||
      (e.description?.length ?? 0) + sep + chunk.length > DISCORD_LIMITS.embedDescription
    ) {
      e = this.open();
      if (!e) return false;
    }
    e.description = e.description ? `${e.description}\n\n${chunk}` : chunk;
    this.used += chunk.length + (e.description === chunk ? 0 : 2);
    return true;
  }

  /** The largest description chunk `paragraph` accepts now: the current embed's room, else a new embed's. */
  descriptionRoom(): number {
    const e = this.current;
    const inCurrent =
      e && !e.fields?.length
        ? DISCORD_LIMITS.embedDescription - (e.description ? e.description.length + 2 : 0)
        : 0;
    const canOpen = this.embeds.length < DISCORD_LIMITS.embeds;
    const best = inCurrent >= 300 || !canOpen ? inCurrent : DISCORD_LIMITS.embedDescription;
    return Math.min(best, this.room() - 2);
  }

  field(f: APIEmbedField): boolean {
    const size = f.name.length + f.value.length;
    if (size > this.room()) {
      this.truncated = true;
      return false;
    }
    let e = this.current;
    if (!e || (e.fields?.length ?? 0) >= DISCORD_LIMITS.embedFields) {
      e = this.open();
      if (!e) return false;
    }
    e.fields = [...(e.fields ?? []), f];
    this.used += size;
    return true;
  }

  footer(text: string): void {
    const last = this.embeds[this.embeds.length - 1] ?? this.open();
    if (!last) return;
    last.footer = { text: clip(text, DISCORD_LIMITS.footer) };
  }
}

function renderEmbeds(blocks: Block[], severity: Severity, notes: string[]): APIEmbed[] {
  const w = new EmbedWriter(SEVERITY_COLOR[severity]);
  let hiddenRows = 0;
  let hiddenFields = 0;
  for (const b of blocks) {
    switch (b.kind) {
      case "header":
        w.header(b.text);
        break;
      case "text":
      case "context":
        for (const part of splitProse(discordMarkdown(b.text), DISCORD_LIMITS.embedDescription))
          w.paragraph(part);
        break;
      case "list":
        for (const part of splitProse(
          b.items.map((i) => `• ${discordMarkdown(i)}`).join("\n"),
          DISCORD_LIMITS.embedDescription,
        ))
          w.paragraph(part);
        break;
      case "fields":
        for (const [i, [label, value]] of b.fields.entries()) {
          const ok = w.field({
            name: clip(discordMarkdown(label) || "-", DISCORD_LIMITS.fieldName),
            value: clip(discordMarkdown(value) || "—", DISCORD_LIMITS.fieldValue),
            inline: discordPlain(value).length <= 40 && b.fields.length > 1,
          });
          if (!ok) {
            hiddenFields += b.fields.length - i;
            break;
          }
        }
        break;
      case "table":
        hiddenRows += writeTable(w, b.columns, b.rows);
        break;
      case "actions":
        break;
    }
  }
  if (hiddenRows) notes.push(`${hiddenRows} more row(s) not shown`);
  if (hiddenFields) notes.push(`${hiddenFields} more field(s) not shown`);
  if (w.truncated && !hiddenRows && !hiddenFields) notes.push("the rest is not shown");
  if (notes.length) w.footer(`${notes.join("; ")} (Discord message size limit).`);
  return w.embeds;
}

/**
 * A table as one or more ``` code blocks (column header repeated in each), split between
 * embeds as needed. Returns how many rows did not fit in the message.
 */
function writeTable(w: EmbedWriter, columns: string[], rows: string[][]): number {
  if (rows.length === 0) {
    w.paragraph("*(none)*");
    return 0;
  }
  const safeCols = columns.map(codeBlockSafe);
  const safeRows = rows.map((r) => r.map((c) => codeBlockSafe(c)));
  const lines = tableText(safeCols, safeRows).split("\n");
  const head = lines.slice(0, 2);
  const body = lines.slice(2);
  const wrap = (ls: string[]) => `\`\`\`\n${ls.join("\n")}\n\`\`\``;
  let i = 0;
  while (i < body.length) {
    const room = w.descriptionRoom();
    const chunk: string[] = [];
    while (i < body.length) {
      const next = [...chunk, clip(body[i] ?? "", DISCORD_LIMITS.embedDescription - 200)];
      if (wrap([...head, ...next]).length > room) break;
      chunk.push(next[next.length - 1] ?? "");
      i++;
    }
    if (chunk.length === 0 || !w.paragraph(wrap([...head, ...chunk]))) return body.length - i;
  }
  return 0;
}

/** Splits prose at line breaks (or hard, for a single huge line) into pieces of at most `max`. */
export function splitProse(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  let cur = "";
  for (const line of text.split("\n")) {
    const pieces = line.length > max ? (line.match(new RegExp(`[\\s\\S]{1,${max}}`, "g")) ?? []) : [line];
    for (const p of pieces) {
      if (cur && cur.length + 1 + p.length > max) {
        out.push(cur);
        cur = p;
      } else cur = cur ? `${cur}\n${p}` : p;
    }
  }
  if (cur) out.push(cur);
  return out;
}

const STYLE: Record<
  NonNullable<Button["style"]> | "default",
  ButtonStyle.Primary | ButtonStyle.Danger | ButtonStyle.Secondary
> = {
  primary: ButtonStyle.Primary,
  danger: ButtonStyle.Danger,
  default: ButtonStyle.Secondary,
};

/** Each actions block starts a row; rows hold 5 buttons, a message 5 rows. */
export function renderButtons(
  blocks: Block[],
  store: PayloadStore,
): { rows: APIActionRowComponent<APIButtonComponentWithCustomId>[]; notes: string[] } {
  const rows: APIActionRowComponent<APIButtonComponentWithCustomId>[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  for (const b of blocks) {
    if (b.kind !== "actions") continue;
    let row: APIButtonComponentWithCustomId[] = [];
    const flush = () => {
      if (!row.length) return;
      if (rows.length < DISCORD_LIMITS.rows) rows.push({ type: ComponentType.ActionRow, components: row });
      else dropped += row.length;
      row = [];
    };
    for (const btn of b.buttons) {
      const customId = encodeCustomId(btn.id, btn.value, store);
      // Discord rejects a message whose components repeat a custom_id.
      if (seen.has(customId)) continue;
      seen.add(customId);
      row.push({
        type: ComponentType.Button,
        style: STYLE[btn.style ?? "default"],
        label: clip(discordPlain(btn.label) || "-", DISCORD_LIMITS.buttonLabel),
        custom_id: customId,
      });
      if (row.length === DISCORD_LIMITS.buttonsPerRow) flush();
    }
    flush();
  }
  return { rows, notes: dropped ? [`${dropped} more button(s) not shown`] : [] };
}
