/**
 * Process-wide registry of secret values (provider credentials, tokens, PINs). Every log line and
 * every message shown to a person passes through {@link scrub}, so a secret that slips into an
 * error text is still never written out.
 */
const secrets = new Set<string>();

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
  if (typeof value === "string" && value.length >= 4) secrets.add(value);
}

export function forgetSecret(value: string): void {
  secrets.delete(value);
}

export function scrub(text: string): string {
  let out = text;
  // Longest first: a secret that holds another ("login:password" holds "password") must go whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
    // A secret may also appear URL- or JSON-encoded.
    const enc = encodeURIComponent(s);
    if (enc !== s && out.includes(enc)) out = out.split(enc).join(REDACTED);
  }
  for (const re of PATTERNS) {
    out = out.replace(re, (_m, prefix?: string) => (typeof prefix === "string" ? prefix : "") + REDACTED);
  }
  return out;
}
