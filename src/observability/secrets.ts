/**
 * Process-wide registry of secret values (provider credentials, tokens, PINs). Every log line and
 * every message shown to a person passes through {@link scrub}, so a secret that slips into an
 * error text is still never written out.
 */
/** Each secret with how many holders registered it: it is scrubbed until the last one forgets it. */
const secrets = new Map<string, number>();
/** The secrets with their encoded forms, longest first; rebuilt only when the set changes. */
let ordered: string[] | undefined;

/** Patterns that are secrets whatever their value: Slack tokens, BILLmanager authinfo, basic auth. */
const PATTERNS: RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  /(authinfo=)[^&\s"']+/gi,
  /(Basic\s+)[A-Za-z0-9+/=]{8,}/g,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g,
  /(Bot\s+)[A-Za-z0-9._-]{20,}/g,
  /((?:api_?key|apiprivate|apipublic|password|passwd|token|pin|secret|slaptažodis|пароль)["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
  // A value revealed by markup, as Time4VPS task results hide the new root password:
  // `<a onclick='this.innerHTML = "the-password"'>`.
  /((?:innerHTML|innerText|textContent|outerHTML)\s*[:=]\s*\\?["'`]?)[^"'`<>\\]+/gi,
];

export const REDACTED = "[redacted]";

/** Remember a secret value; values shorter than 4 characters are too common to scrub safely. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== "string" || value.length < 4) return;
  const n = secrets.get(value) ?? 0;
  secrets.set(value, n + 1);
  if (n === 0) ordered = undefined;
}

/** One holder is done with a secret (a PIN after its use); the value goes when no holder is left. */
export function forgetSecret(value: string | undefined | null): void {
  if (typeof value !== "string") return;
  const n = secrets.get(value);
  if (n === undefined) return;
  if (n > 1) secrets.set(value, n - 1);
  else {
    secrets.delete(value);
    ordered = undefined;
  }
}

/**
 * A secret that replaces another (a session token renewed at every login): the old value is
 * forgotten, so a long-running process does not keep every token it ever had.
 */
export function replaceSecret(previous: string | undefined | null, next: string | undefined | null): void {
  if (previous === next) return;
  registerSecret(next);
  forgetSecret(previous);
}

/** How many distinct secret values are registered (for tests and the benchmark). */
export function secretCount(): number {
  return secrets.size;
}

function orderedSecrets(): string[] {
  if (ordered) return ordered;
  const all = new Set<string>();
  for (const s of secrets.keys()) {
    all.add(s);
    // A secret may also appear URL-encoded.
    all.add(encodeURIComponent(s));
  }
  // Longest first: a secret that holds another ("login:password" holds "password") must go whole.
  ordered = [...all].sort((a, b) => b.length - a.length);
  return ordered;
}

export function scrub(text: string): string {
  let out = text;
  for (const s of orderedSecrets()) if (out.includes(s)) out = out.split(s).join(REDACTED);
  for (const re of PATTERNS) {
    out = out.replace(re, (_m, prefix?: string) => (typeof prefix === "string" ? prefix : "") + REDACTED);
  }
  return out;
}
