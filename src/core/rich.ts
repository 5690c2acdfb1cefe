import { commandText, findCommand, optionText, usageText } from "./commands/lookup.ts";

/**
 * The neutral rich-text model. Core writes what a sentence *is* (this word is strong, that one is
 * a command, this is a person), never how a platform marks it up: no `*bold*`, backticks, `<@id>`
 * or `:emoji:` in src/core. Each adapter renders spans its own way (Slack mrkdwn with escaping,
 * Discord markdown through @discordjs/formatters, plain text in the terminal), and every plain
 * string span is escaped there, so a service name or a provider's error message can never add
 * formatting, a link or a mention.
 *
 * Build text with the `rich` tag: interpolated strings and numbers are plain text, spans and
 * arrays of spans are kept as they are:
 *
 *     rich`Removed account ${strong(label)}. Bind another with ${command(["bind"], { label: "<label>" })}.`
 *
 * A plain `string` is accepted wherever `Text` is: it is one text span.
 */

/** `warning` starts a refusal or error; the `alert-*` ones mark an alert's severity (red, orange, blue). */
export type IconName =
  | "warning"
  | "success"
  | "failure"
  | "pending"
  | "lock"
  | "executing"
  | "denied"
  | "expired"
  | "unknown"
  | "alert-critical"
  | "alert-warning"
  | "alert-info";

export type Span =
  | string
  | { readonly kind: "strong"; readonly text: string }
  | { readonly kind: "code"; readonly text: string }
  | { readonly kind: "mention"; readonly user: string }
  | { readonly kind: "channel"; readonly id: string }
  | { readonly kind: "link"; readonly url: string; readonly label: string }
  | { readonly kind: "icon"; readonly name: IconName }
  /** A command as the person would type it (`/hosting bind prod`); each platform spells it its own way. */
  | {
      readonly kind: "command";
      readonly path: readonly string[];
      readonly args: readonly (readonly [param: string, value: string])[];
    }
  /** One option of a command as typed (`--account prod` in text, `account:prod` on Discord). */
  | { readonly kind: "option"; readonly name: string; readonly value: string }
  /** "Usage: <the usage line of a command>" (the CLI swaps in its own). */
  | { readonly kind: "usage"; readonly path: readonly string[] }
  /** The name of a command's parameter (`account`; the CLI calls it `--account`). */
  | { readonly kind: "param"; readonly name: string };

export type Rich = readonly Span[];
/** Plain text or rich text: what blocks, errors and replies accept. */
export type Text = string | Rich;

export const strong = (text: string): Span => ({ kind: "strong", text });
export const code = (text: string): Span => ({ kind: "code", text });
export const mention = (user: string): Span => ({ kind: "mention", user });
export const channel = (id: string): Span => ({ kind: "channel", id });
export const link = (url: string, label: string): Span => ({ kind: "link", url, label });
export const icon = (name: IconName): Span => ({ kind: "icon", name });
export const option = (name: string, value: string): Span => ({ kind: "option", name, value });
export const usage = (path: readonly string[]): Span => ({ kind: "usage", path });
export const param = (name: string): Span => ({ kind: "param", name });

/** A command with its arguments by parameter name, in the order the person would type them. */
export function command(path: readonly string[] | string, args: Readonly<Record<string, string>> = {}): Span {
  const p = typeof path === "string" ? path.split(" ").filter(Boolean) : path;
  return { kind: "command", path: p, args: Object.entries(args) };
}

type Part = Span | Rich | number | bigint;

/** Rich text from a template: literal parts and interpolated strings are plain text. */
export function rich(strings: TemplateStringsArray, ...values: Part[]): Rich {
  const out: Span[] = [];
  strings.forEach((s, i) => {
    if (s) out.push(s);
    if (i < values.length) push(out, values[i]);
  });
  return merge(out);
}

function push(out: Span[], v: Part | undefined): void {
  if (v === undefined) return;
  if (typeof v === "number" || typeof v === "bigint") out.push(String(v));
  else if (Array.isArray(v)) out.push(...(v as Rich));
  else out.push(v as Span);
}

/** Adjacent plain strings joined: easier to read in tests, smaller to store. */
function merge(spans: Span[]): Rich {
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (typeof s === "string" && typeof last === "string") out[out.length - 1] = last + s;
    else if (s !== "") out.push(s);
  }
  return out;
}

export function toRich(t: Text): Rich {
  return typeof t === "string" ? (t ? [t] : []) : t;
}

/** Pieces of text one after another (`concat(a, " ", b)`). */
export function concat(...parts: (Text | Span)[]): Rich {
  const out: Span[] = [];
  for (const p of parts) {
    if (typeof p === "string") out.push(p);
    else if (Array.isArray(p)) out.push(...(p as Rich));
    else out.push(p as Span);
  }
  return merge(out);
}

/** Items separated by `sep` ("a, b, c"). */
export function join(items: readonly (Text | Span)[], sep: string): Rich {
  const out: (Text | Span)[] = [];
  items.forEach((item, i) => {
    if (i) out.push(sep);
    out.push(item);
  });
  return concat(...out);
}

/** How one platform writes each kind of span. `text` must escape whatever the platform would read as markup. */
export interface SpanWriter {
  text(s: string): string;
  strong(s: string): string;
  code(s: string): string;
  mention(user: string): string;
  channel(id: string): string;
  link(url: string, label: string): string;
  icon(name: IconName): string;
  command(path: readonly string[], args: readonly (readonly [string, string])[]): string;
  option(name: string, value: string): string;
  usage(path: readonly string[]): string;
  param(name: string): string;
}

export function renderText(t: Text, w: SpanWriter): string {
  if (typeof t === "string") return w.text(t);
  let out = "";
  for (const s of t) {
    if (typeof s === "string") {
      out += w.text(s);
      continue;
    }
    switch (s.kind) {
      case "strong":
        out += w.strong(s.text);
        break;
      case "code":
        out += w.code(s.text);
        break;
      case "mention":
        out += w.mention(s.user);
        break;
      case "channel":
        out += w.channel(s.id);
        break;
      case "link":
        out += w.link(s.url, s.label);
        break;
      case "icon":
        out += w.icon(s.name);
        break;
      case "command":
        out += w.command(s.path, s.args);
        break;
      case "option":
        out += w.option(s.name, s.value);
        break;
      case "usage":
        out += w.usage(s.path);
        break;
      case "param":
        out += w.param(s.name);
        break;
    }
  }
  return out;
}

/** Unicode pictures every platform shows as they are (Slack also has `:name:` codes for some). */
export const ICON_CHAR: Record<IconName, string> = {
  warning: "⚠️",
  success: "✅",
  failure: "❌",
  pending: "⏳",
  lock: "🔒",
  executing: "⚙️",
  denied: "🚫",
  expired: "⌛",
  unknown: "❓",
  "alert-critical": "🔴",
  "alert-warning": "🟠",
  "alert-info": "🔵",
};

/** Plain text: the reading of a message with no markup (fallback texts, logs, the terminal). */
export const plainWriter: SpanWriter = {
  text: (s) => s,
  strong: (s) => s,
  code: (s) => s,
  mention: (user) => `@${user}`,
  channel: (id) => `#${id}`,
  link: (url, label) => (label && label !== url ? `${label} (${url})` : url),
  icon: (name) => (name === "warning" ? "⚠" : ICON_CHAR[name]),
  command: (path, args) => commandText(path, args),
  option: (name, value) => optionText(name, value),
  usage: (path) => `Usage: ${usageLine(path)}`,
  param: (name) => name,
};

/** The usage line of the command at `path` in the text grammar. */
export function usageLine(path: readonly string[]): string {
  const def = findCommand(path);
  return def ? usageText(def) : ["/hosting", ...path].join(" ");
}

export function plainText(t: Text): string {
  return renderText(t, plainWriter);
}
