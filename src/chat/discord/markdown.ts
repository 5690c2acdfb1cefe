/**
 * Core writes Slack-flavoured markup (`*bold*`, `` `code` ``, `:warning:`) around text that may come
 * from a provider or a person (service names, error messages). Discord reads other markdown:
 * `*x*` is italics, `__x__` underlines, `||x||` hides, `[x](url)` is a masked link, `# ` and `> `
 * at a line start make headings and quotes. This turns core's markup into Discord's and escapes
 * everything else, so foreign text shows as typed. Code spans are left alone (Discord renders
 * nothing inside them).
 */

const EMOJI: Record<string, string> = {
  warning: "⚠️",
  white_check_mark: "✅",
  x: "❌",
  hourglass: "⏳",
  lock: "🔒",
  bell: "🔔",
  information_source: "ℹ️",
};

/** Converts one text of core to Discord markdown. */
export function toDiscordMarkdown(text: string): string {
  const out: string[] = [];
  // Split on code spans: ```block``` or `inline`; odd indexes are code.
  const parts = text.split(/(```[\s\S]*?```|`[^`\n]+`)/);
  for (const [i, part] of parts.entries()) out.push(i % 2 === 1 ? part : convertProse(part));
  return out.join("");
}

function convertProse(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is used as a marker below
  let t = s.replace(/\u0000/g, "").replace(/\\/g, "\\\\");
  t = t.replace(/:([a-z_]+):/g, (m, name: string) => EMOJI[name] ?? m);
  // Characters Discord treats as markup and core never uses as such.
  // Mentions (<@id>, <#id>) are left working: they never ping, allowedMentions is empty.
  t = t.replace(/[_~|[\]]/g, (c) => `\\${c}`);
  // Slack `*bold*` (no space inside the stars) -> Discord `**bold**`; other stars escaped.
  const bold: string[] = [];
  t = t.replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])/g, (_m, pre: string, inner: string) => {
    bold.push(inner);
    return `${pre}\u0000${bold.length - 1}\u0000`;
  });
  t = t.replace(/\*/g, "\\*");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL marks the bold spans set aside above
  t = t.replace(/\u0000(\d+)\u0000/g, (_m, n: string) => `**${bold[Number(n)] ?? ""}**`);
  // Line starts Discord turns into headings, subtext, quotes or lists.
  t = t.replace(/^(\s*)(#{1,3}\s|-#\s|>\s|>>>\s|[-+]\s)/gm, (_m, ws: string, tok: string) => `${ws}\\${tok}`);
  // Mass mentions: even with allowedMentions empty, keep them from reading as a ping.
  t = t.replace(/@(everyone|here)\b/g, "@\u200b$1");
  return t;
}

/** Text that goes inside a ``` code block: only a run of backticks could end it early. */
export function codeBlockSafe(s: string): string {
  return s.replace(/`/g, "ˋ");
}

/** Plain text for places Discord shows without markdown (button labels, modal labels, choice names). */
export function plainLabel(s: string): string {
  return s
    .replace(/\*([^*\n]+)\*/g, "$1")
    .replace(/`/g, "")
    .replace(/:warning:/g, "⚠");
}

/** Cuts `s` to `max` characters, marking the cut with an ellipsis. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, Math.max(0, max - 1))}…`;
}
