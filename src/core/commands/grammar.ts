import { LABEL_PATTERN } from "../accounts.ts";
import type { CommandDef, Param } from "../context.ts";
import { UserError } from "../errors.ts";
import { code, command, join, option, param, type Rich, rich, usage as usageSpan } from "../rich.ts";
import { closest } from "./suggest.ts";

/**
 * The Slack text grammar, derived from the command tree: `/hosting <path…> <positional…> [--flag value]`.
 * Quotes group words ("my reason"); `<@U123|name>` is a user mention.
 */

export const MAX_COMMAND_TEXT = 2000;

export interface ParseOptions {
  /**
   * Labels of the accounts bound to the channel, lowercase. When known, a positional word that is
   * exactly one of them, in a place where the command expects something else (`domain renew
   * example.com prod`), is taken as the account, and the parse says so.
   */
  accountLabels?: readonly string[];
}

export interface ParsedArgs {
  args: Record<string, unknown>;
  /** What the parser guessed, to be shown with the answer ("Taking `prod` as the account."). */
  note?: Rich;
}

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
  opts: ParseOptions = {},
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
  const first = words[0]?.toLowerCase() ?? "";
  const next = words[1];
  const subs = groupsOf(commands).get(first);
  const isLabel = next !== undefined && (opts.accountLabels?.includes(next.toLowerCase()) ?? false);
  const nearSub = next !== undefined && !next.startsWith("--") && subs ? closest(next, subs) : undefined;
  if (best) {
    // `service rebot 302` is a mistyped `service reboot`, not service "rebot" (Discord's grouped
    // forms are typed too): a one-word command whose name is also a group, followed by a word
    // close to one of the group's subcommands.
    if (best.command.path.length === 1 && nearSub && !isLabel) return undefined;
    return best;
  }
  const group = commands.filter((c) => pathsOf(c).some((p) => p.length === 2 && p[0] === first));
  const fallback = group.find((c) =>
    pathsOf(c).some((p) => p.length === 2 && p[0] === first && (p[1] === "list" || p[1] === "show")),
  );
  if (!fallback) return undefined;
  // `alerts cofig` is a mistyped subcommand, not the account "cofig" of `alerts show`: a word
  // close to a subcommand's name (and not a label bound here), or any word when the default
  // subcommand takes no positional word, is reported as an unknown command with a suggestion.
  if (next !== undefined && !next.startsWith("--")) {
    const takesWords = fallback.params.some((p) => !p.flag);
    if (!takesWords || (nearSub && !isLabel)) return undefined;
  }
  return { command: fallback, rest: words.slice(1) };
}

/** A command's names: its path, and the grouped form Discord shows (`roles grant` for `grant`). */
function pathsOf(c: CommandDef): (readonly string[])[] {
  return c.compactPath ? [c.path, c.compactPath] : [c.path];
}

/** Group name -> its subcommands, from every two-word name (`alerts config`, `service reboot`). */
function groupsOf(commands: readonly CommandDef[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const c of commands)
    for (const [group, sub, ...more] of pathsOf(c))
      if (group && sub && !more.length) {
        const list = groups.get(group) ?? [];
        if (!list.includes(sub)) list.push(sub);
        groups.set(group, list);
      }
  return groups;
}

/**
 * Why the leading words name no command, with the closest command when it looks like a typo:
 * "Unknown command `alerts cofig`. Did you mean `alerts config`?"
 */
export function unknownCommandMessage(commands: readonly CommandDef[], words: string[]): Rich {
  const help = rich`${command(["help"])} lists the commands.`;
  const first = (words[0] ?? "").toLowerCase();
  const groups = groupsOf(commands);
  const subs = groups.get(first);
  if (subs) {
    const list = join(
      subs.map((x) => code(`${first} ${x}`)),
      ", ",
    );
    const second = words[1];
    if (second === undefined) return rich`${code(first)} needs one more word: ${list}.`;
    const guess = closest(second, subs);
    const typed = `${first} ${truncate(second, 30)}`;
    return guess
      ? rich`Unknown command ${code(typed)}. Did you mean ${code(`${first} ${guess}`)}?`
      : rich`Unknown command ${code(typed)}. ${code(first)} takes: ${list}.`;
  }
  const tops = [...new Set(commands.flatMap((c) => pathsOf(c).map((p) => p[0] ?? "")))];
  const guess = closest(first, tops);
  const typed = truncate(words[0] ?? "", 30);
  if (!guess) return rich`Unknown command ${code(typed)}. ${help}`;
  // `alert config`: suggest the whole command when the next word is (close to) a subcommand.
  const guessSubs = groups.get(guess);
  const second = words[1];
  const sub =
    guessSubs && second !== undefined
      ? guessSubs.includes(second.toLowerCase())
        ? second.toLowerCase()
        : closest(second, guessSubs)
      : undefined;
  return rich`Unknown command ${code(typed)}. Did you mean ${code(sub ? `${guess} ${sub}` : guess)}?`;
}

/**
 * How to type a command. Slack (and the console) use the text grammar; Discord shows its typed
 * options as `name:value` fields, so its usage is written that way.
 */
/** The usage of `c`, as a span each platform spells its own way. */
const use = (c: CommandDef) => usageSpan(c.path);

/**
 * Turns the words after the command path into an args record (validated afterwards by the
 * command's schema). Every command that takes an account also accepts `--account <label>`.
 */
export function parseArgs(c: CommandDef, words: string[], opts: ParseOptions = {}): ParsedArgs {
  const args: Record<string, unknown> = {};
  const positionals = c.params.filter((p) => !p.flag);
  const flags = new Map(c.params.filter((p) => p.flag).map((p) => [p.name, p]));
  const accountParam = c.params.find((p) => p.name === "account");
  if (accountParam && !flags.has("account")) flags.set("account", { ...accountParam, flag: true });
  const loose: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? "";
    if (w.startsWith("--") && w.length > 2) {
      const [rawName, inline] = w.slice(2).split("=", 2) as [string, string | undefined];
      const p = flags.get(rawName.toLowerCase());
      if (!p) {
        const guess = closest(rawName, [...flags.keys()]);
        throw new UserError(
          "invalid",
          rich`Unknown option ${code(`--${truncate(rawName)}`)}.${guess ? rich` Did you mean ${code(`--${guess}`)}?` : []} ${use(c)}`,
        );
      }
      if (p.type === "boolean") args[p.name] = inline === undefined ? true : inline !== "false";
      else {
        const v = inline ?? words[++i];
        if (v === undefined)
          throw new UserError("invalid", rich`${code(`--${p.name}`)} needs a value. ${use(c)}`);
        args[p.name] = convert(p, v, c);
      }
    } else loose.push(w);
  }
  const note = accountParam ? takeAccountWord(c, positionals, loose, args, opts) : undefined;
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
      rich`Too many words: ${code(truncate(loose.slice(positionals.length).join(" ")))}. ${use(c)}`,
    );
  return note ? { args, note } : { args };
}

/**
 * `reinstall 302 prod`, `cancel 301 prod`, `domain renew example.com prod`: the label of an
 * account bound here, typed where the command expects an OS, a reason or a number of years, is
 * the account. Only the first optional place and the last word are looked at, and only when the
 * account was not given otherwise; the word is removed from the positionals.
 */
function takeAccountWord(
  _c: CommandDef,
  positionals: readonly Param[],
  loose: string[],
  args: Record<string, unknown>,
  opts: ParseOptions,
): Rich | undefined {
  const labels = opts.accountLabels;
  if (!labels?.length || args.account !== undefined) return undefined;
  const required = positionals.findIndex((p) => !p.required || p.rest);
  const firstOptional = required === -1 ? positionals.length : required;
  const accountAt = positionals.findIndex((p) => p.name === "account");
  for (const i of new Set([firstOptional, loose.length - 1])) {
    const w = loose[i];
    if (w === undefined || i < firstOptional || !labels.includes(w.toLowerCase())) continue;
    // Where the account is expected anyway, the ordinary positional rule takes it.
    if (i === accountAt) return undefined;
    loose.splice(i, 1);
    args.account = w;
    return rich`Taking ${code(truncate(w))} as the account (the same as ${option("account", truncate(w))}).`;
  }
  return undefined;
}

function convert(p: Param, v: string, c: CommandDef): unknown {
  switch (p.type) {
    case "integer": {
      if (!/^-?\d{1,9}$/.test(v)) {
        // `domain renew example.com prod`: a label where a number goes is an account misplaced.
        const account = c.params.some((x) => x.name === "account") && LABEL_PATTERN.test(v.toLowerCase());
        const hint = account
          ? rich` If ${code(truncate(v))} is an account, name it with ${option("account", truncate(v))}.`
          : [];
        throw new UserError(
          "invalid",
          rich`${param(p.name)} must be a whole number, not ${code(truncate(v))}.${hint} ${use(c)}`,
        );
      }
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
