import type { CommandDef } from "../context.ts";

/**
 * The command tree by path, for text that names a command (`command` and `usage` spans) and for
 * adapters that spell commands their own way. Filled once by commands/index.ts; this module
 * imports no command, so rich.ts can read it without an import cycle.
 */

const byPath = new Map<string, CommandDef>();

export function registerCommandTree(defs: readonly CommandDef[]): void {
  byPath.clear();
  for (const d of defs) {
    byPath.set(d.path.join(" "), d);
    if (d.compactPath) byPath.set(d.compactPath.join(" "), d);
  }
}

/** The command at `path` (its text path or its compact one). */
export function findCommand(path: readonly string[]): CommandDef | undefined {
  return byPath.get(path.join(" "));
}

/** A value as one word of the text grammar: quoted when it holds a space. */
function word(v: string): string {
  return /\s/.test(v) && !/^<.*>$/.test(v) ? `"${v.replace(/"/g, "'")}"` : v;
}

/** `--name value` (or `--name` for a switch), as the text grammar takes an option. */
export function optionText(name: string, value: string): string {
  return value === "" ? `--${name}` : `--${name} ${word(value)}`;
}

/** A command as typed in the text grammar (Slack, terminal): `/hosting domain renew example.com --years 2`. */
export function commandText(path: readonly string[], args: readonly (readonly [string, string])[]): string {
  const def = findCommand(path);
  const words = ["/hosting", ...(def?.path ?? path)];
  if (!def) return [...words, ...args.map(([, v]) => word(v))].join(" ");
  const given = new Map(args);
  for (const p of def.params) {
    const v = given.get(p.name);
    if (v === undefined) continue;
    if (p.flag) words.push(p.type === "boolean" ? `--${p.name}` : optionText(p.name, v));
    else words.push(word(v));
  }
  return words.join(" ");
}

/** The usage line of the text grammar: `/hosting reinstall <service> [--os <os>] [account]`. */
export function usageText(c: CommandDef): string {
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
