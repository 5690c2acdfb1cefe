import { bold, channelMention, escapeMarkdown, hyperlink, inlineCode, userMention } from "discord.js";
import { commandText, findCommand } from "../../core/commands/lookup.ts";
import { ICON_CHAR, plainWriter, renderText, type SpanWriter, type Text } from "../../core/rich.ts";

/**
 * Core's rich text in Discord markdown, through @discordjs/formatters (re-exported by discord.js).
 * Plain text is escaped in full — emphasis, code, headings, quotes, lists, masked links, `<…>`
 * mentions and `@everyone` — so text from a person or a provider shows as typed. Nobody is
 * pinged anyway (`allowedMentions` is empty on every message).
 */

/** Foreign text made inert for Discord markdown. */
export function escapeDiscord(s: string): string {
  const escaped = escapeMarkdown(s, {
    heading: true,
    bulletedList: true,
    numberedList: true,
    maskedLink: true,
  });
  return escaped
    .replace(/</g, "\\<")
    .replace(/^(\s*)(>|-#)/gm, "$1\\$2")
    .replace(/@(everyone|here)\b/g, "@\u200b$1");
}

/** A code span that no backtick in `s` can end early (Discord has no escape inside code). */
function code(s: string): string {
  const inner = s.replace(/`/g, "ˋ").replace(/\n/g, " ");
  return inner ? inlineCode(inner) : "";
}

/** How a person types a command on Discord: the compact path, then `name:value` options. */
export function discordCommandText(
  path: readonly string[],
  args: readonly (readonly [string, string])[],
): string {
  const def = findCommand(path);
  if (!def) return commandText(path, args);
  const given = new Map(args);
  const opts = def.params.flatMap((p) => {
    const v = given.get(p.name);
    return v === undefined ? [] : [`${p.name}:${v}`];
  });
  return ["/hosting", ...(def.compactPath ?? def.path), ...opts].join(" ");
}

/** The usage line as Discord shows a command: `/hosting service reinstall service:<service> [os]`. */
export function discordUsage(path: readonly string[]): string {
  const def = findCommand(path);
  if (!def) return plainWriter.usage(path);
  const opts = def.params.map((p) =>
    p.required ? `${p.name}:<${p.type === "user" ? "@member" : p.name}>` : `[${p.name}]`,
  );
  return ["/hosting", ...(def.compactPath ?? def.path), ...opts].join(" ");
}

export const discordWriter: SpanWriter = {
  text: escapeDiscord,
  strong: (s) => (s.trim() ? bold(escapeDiscord(s.replace(/\*/g, "").trim())) : ""),
  code,
  mention: (user) => (/^\d{5,25}$/.test(user) ? userMention(user) : escapeDiscord(user)),
  channel: (id) => (/^\d{5,25}$/.test(id) ? channelMention(id) : escapeDiscord(id)),
  link: (url, label) =>
    /^https?:\/\/[^\s()<>]+$/.test(url)
      ? hyperlink(escapeDiscord(label.replace(/[[\]]/g, "")) || url, url)
      : escapeDiscord(label),
  icon: (name) => ICON_CHAR[name],
  command: (path, args) => code(discordCommandText(path, args)),
  option: (name, value) => code(`${name}:${value}`),
  usage: (path) => code(discordUsage(path)),
};

/** Rich text as Discord markdown. */
export function discordMarkdown(t: Text): string {
  return renderText(t, discordWriter);
}

/** Plain text for places Discord shows without markdown (titles, labels, choice names). */
export function discordPlain(t: Text): string {
  return renderText(t, {
    ...plainWriter,
    command: discordCommandText,
    usage: discordUsage,
    option: (n, v) => `${n}:${v}`,
  });
}

/** Text that goes inside a ``` code block: only a run of backticks could end it early. */
export function codeBlockSafe(s: string): string {
  return s.replace(/`/g, "ˋ");
}

/** Cuts `s` to `max` characters, marking the cut with an ellipsis. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, Math.max(0, max - 1))}…`;
}
