import { escapeControlChars } from "./core/control-chars.ts";
import { providers } from "./providers/registry.ts";

/**
 * Command-line arguments as the CLI may show them back. argv can hold a secret typed in the
 * wrong place, and whatever the CLI prints lands in terminals, scrollback and CI logs: a value
 * is never printed whole, only its first characters and its length.
 */
export function peek(value: string): string {
  return `"${escapeControlChars(value.slice(0, 3))}…" (${value.length} characters)`;
}

/** An option or command word short and plain enough to be a typo of a name, shown as typed. */
export function shownWord(word: string): string {
  return /^-{0,2}[a-z][a-z-]{0,23}$/.test(word) ? `"${word}"` : peek(word);
}

/** Longest value a CLI option takes (labels, ids, URLs); longer ones are named, not echoed. */
export const MAX_OPTION_VALUE = 300;

const words = (key: string) => {
  const parts = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter(Boolean);
  return [parts.join("-"), parts.join("_"), parts.join(""), key.toLowerCase()];
};

/** Every provider credential field as a flag might spell it: --api-private, --apiprivate, --api_key… */
export const CREDENTIAL_FLAG_NAMES: ReadonlySet<string> = new Set(
  Object.values(providers).flatMap((p) => p.credentialFields.flatMap((f) => words(f.key))),
);

/** Generic credential-looking names, beyond the providers' own fields. */
const GENERIC_CREDENTIAL =
  /^(pass|passwd|password|secret|token|key|api-?key|pin|cred|creds|credentials|authinfo|login|username|user-pass)$/;

/** The option name of an argument that is a credential given as a flag (to refuse it), if any. */
export function credentialFlag(arg: string): string | undefined {
  const m = /^--?([^=]+)/.exec(arg);
  if (!m?.[1]) return undefined;
  const name = m[1].toLowerCase();
  if (
    CREDENTIAL_FLAG_NAMES.has(name) ||
    GENERIC_CREDENTIAL.test(name) ||
    /^(cred|hostops-cred)[-_]/.test(name)
  )
    return `--${m[1].length <= 24 ? m[1] : `${m[1].slice(0, 3)}…`}`;
  return undefined;
}

/**
 * node:util parseArgs errors, reworded so they never carry the argument itself: its messages quote
 * the offending argument whole.
 */
export function parseArgsMessage(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const quoted = /'([^']*)'/.exec(e.message ?? "")?.[1] ?? "";
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `Unexpected argument ${peek(quoted)}: this command takes --options only.`;
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `Unknown option ${shownWord(quoted)}.`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = /^(--?[A-Za-z-]+)/.exec(quoted)?.[1] ?? "an option";
      return /missing/.test(e.message ?? "")
        ? `${shownWord(name)} needs a value.`
        : `${shownWord(name)} takes no value.`;
    }
    default:
      return "The arguments could not be read.";
  }
}
