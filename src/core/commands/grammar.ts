import type { Platform } from "../../db/schema.ts";
import type { CommandDef, Param } from "../context.ts";
import { UserError } from "../errors.ts";

/**
 * The Slack text grammar, derived from the command tree: `/hosting <path…> <positional…> [--flag value]`.
 * Quotes group words ("my reason"); `<@U123|name>` is a user mention.
 */

export const MAX_COMMAND_TEXT = 2000;

export function tokenize(text: string): string[] {
  if (text.length > MAX_COMMAND_TEXT)
    throw new UserError(
      "invalid",
      `That command is too long (${text.length} characters; at most ${MAX_COMMAND_TEXT}).`,
    );
  const tokens: string[] = [];
  const re = /"([^"]*)"|“([^”]*)”|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(re)) tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? "");
  return tokens;
}

/** Finds the command named by the leading words; a group name alone means its default subcommand. */
export function findCommand(
  commands: readonly CommandDef[],
  words: string[],
): { command: CommandDef; rest: string[] } | undefined {
  let best: { command: CommandDef; rest: string[] } | undefined;
  let bestLength = 0;
  for (const c of commands) {
    for (const path of c.compactPath ? [c.path, c.compactPath] : [c.path]) {
      const n = path.length;
      if (n <= words.length && n > bestLength && path.every((p, i) => p === words[i]?.toLowerCase())) {
        best = { command: c, rest: words.slice(n) };
        bestLength = n;
      }
    }
  }
  if (best) return best;
  const first = words[0]?.toLowerCase();
  const group = commands.filter((c) => c.path.length === 2 && c.path[0] === first);
  const fallback = group.find((c) => c.path[1] === "list" || c.path[1] === "show");
  return fallback ? { command: fallback, rest: words.slice(1) } : undefined;
}

/**
 * How to type a command. Slack (and the console) use the text grammar; Discord shows its typed
 * options as `name:value` fields, so its usage is written that way.
 */
export function usage(c: CommandDef, platform: Platform = "slack"): string {
  if (platform === "discord") {
    const opts = c.params.map((p) =>
      p.required ? `${p.name}:<${p.type === "user" ? "@member" : p.name}>` : `[${p.name}]`,
    );
    return ["/hosting", ...(c.compactPath ?? c.path), ...opts].join(" ");
  }
  const parts = c.params.map((p) => {
    const name = p.flag
      ? p.type === "boolean"
        ? `--${p.name}`
        : `--${p.name} <${p.name}>`
      : `<${p.name}${p.rest ? "…" : ""}>`;
    const shown = p.choices && !p.flag ? p.choices.join("|") : name;
    return p.required ? shown : `[${shown}]`;
  });
  return ["/hosting", ...c.path, ...parts].join(" ");
}

/** Turns the words after the command path into an args record (validated afterwards by the command's schema). */
export function parseArgs(c: CommandDef, words: string[]): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const positionals = c.params.filter((p) => !p.flag);
  const flags = new Map(c.params.filter((p) => p.flag).map((p) => [p.name, p]));
  const loose: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? "";
    if (w.startsWith("--") && w.length > 2) {
      const [rawName, inline] = w.slice(2).split("=", 2) as [string, string | undefined];
      const p = flags.get(rawName.toLowerCase());
      if (!p)
        throw new UserError("invalid", `Unknown option \`--${truncate(rawName)}\`. Usage: \`${usage(c)}\``);
      if (p.type === "boolean") args[p.name] = inline === undefined ? true : inline !== "false";
      else {
        const v = inline ?? words[++i];
        if (v === undefined)
          throw new UserError("invalid", `\`--${p.name}\` needs a value. Usage: \`${usage(c)}\``);
        args[p.name] = convert(p, v, c);
      }
    } else loose.push(w);
  }
  for (const [idx, p] of positionals.entries()) {
    if (p.rest) {
      const restWords = loose.slice(idx);
      if (restWords.length) args[p.name] = restWords.join(" ");
      loose.length = idx;
      break;
    }
    const v = loose[idx];
    if (v !== undefined) args[p.name] = convert(p, v, c);
  }
  if (loose.length > positionals.length && !positionals.some((p) => p.rest))
    throw new UserError(
      "invalid",
      `Too many words: \`${truncate(loose.slice(positionals.length).join(" "))}\`. Usage: \`${usage(c)}\``,
    );
  return args;
}

function convert(p: Param, v: string, c: CommandDef): unknown {
  switch (p.type) {
    case "integer": {
      if (!/^-?\d{1,9}$/.test(v))
        throw new UserError(
          "invalid",
          `\`${p.name}\` must be a whole number, not \`${truncate(v)}\`. Usage: \`${usage(c)}\``,
        );
      return Number(v);
    }
    case "boolean":
      return /^(on|yes|true|1)$/i.test(v) ? true : /^(off|no|false|0)$/i.test(v) ? false : v;
    case "user": {
      const m = /^<@([A-Z0-9]+)(?:\|[^>]*)?>$/i.exec(v) ?? /^<@!?(\d+)>$/.exec(v);
      return m ? m[1] : v;
    }
    case "choice":
      return v.toLowerCase();
    default:
      return v;
  }
}

function truncate(s: string, n = 40): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: user text is echoed without control characters
  const clean = s.replace(/[\u0000-\u001f\u007f`]/g, "");
  return clean.length > n ? `${clean.slice(0, n)}…` : clean;
}
