import { scrub } from "../../observability/secrets.ts";
import { stripSecrets } from "./normalize.ts";

/**
 * Provider texts (task results, error texts, free-form fields) are shown in chat and kept in
 * `raw`. Some carry a new root password, in plain text ("Password:  s3cret", "New password: x")
 * or hidden in HTML (Time4VPS: `Password: \t<a onclick='...this.innerHTML = "x"'>Click...</a>`,
 * github.com/vladmesh/codegen_orchestrator shared/clients/time4vps.py). These helpers turn such
 * text into plain text with every secret-looking value removed, whatever the markup.
 */

const REDACTED = "[redacted]";

/** Words that label a secret value, in the languages the providers answer in. */
const LABEL =
  "(?:new\\s+|root\\s+|vnc\\s+|console\\s+|admin(?:istrator)?\\s+|user\\s+|initial\\s+)*" +
  "(?:password|passwd|passphrase|pass|pwd|secret|token|api[\\s_-]?key|pin|shared[\\s_]key|" +
  "slapta(?:ž|z)odis|пароль|passwort|mot\\s+de\\s+passe|contrase(?:ñ|n)a|has(?:ł|l)o)";

const LABELLED_VALUE = new RegExp(
  // label, optional "is", a separator (":", "=", "is"), then a quoted value or one word
  `((?<![\\p{L}\\p{N}_])${LABEL}["']?\\s*(?:is(?![\\p{L}])(?:\\s*[:=])*|(?:\\s*[:=])+)\\s*)("[^"]*"|'[^']*'|[^\\s,;<]+)`,
  "giu",
);
/** Assignments of a value inside markup/script: `innerHTML = "x"`, `value='x'`, `data-password="x"`. */
const MARKUP_VALUE =
  /((?:innerHTML|innerText|textContent|outerHTML|value|data-[a-z-]*pass[a-z-]*|data-secret)\s*[:=]\s*\\?["'`]?)[^"'`<>\\]*/gi;
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi;

/** Plain text of an HTML fragment: scripts, styles and every tag (with its attributes) removed. */
export function htmlToText(text: string): string {
  return (
    text
      .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, " ")
      .replace(/<!--[\s\S]*?-->/g, " ")
      .replace(/<br\s*\/?>/gi, "\n")
      // A label and its value in two cells or elements ("<td>Password</td><td>x</td>") stay a pair.
      .replace(/<\/(?:td|th|dt|label|b|strong|span|em)\s*>/gi, ": ")
      .replace(/<\/?[a-z!?/][^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>/gi, " ")
      .replace(/&nbsp;/gi, " ")
      .replace(/&lt;/gi, "<")
      .replace(/&gt;/gi, ">")
      .replace(/&quot;/gi, '"')
      .replace(/&#0*39;|&apos;/gi, "'")
      .replace(/&amp;/gi, "&")
  );
}

/** Removes labelled secrets, secrets assigned in markup, URL credentials and registered secrets. */
export function redactSecretText(text: string): string {
  return scrub(
    text
      .replace(MARKUP_VALUE, `$1${REDACTED}`)
      .replace(LABELLED_VALUE, (_m, label: string, value: string) => {
        const q = value[0] === '"' || value[0] === "'" ? value[0] : "";
        return `${label}${q}${REDACTED}${q}`;
      })
      .replace(URL_USERINFO, `$1${REDACTED}@`),
  );
}

/**
 * A provider text made safe to show: secrets in markup removed first (a tag may be left
 * unterminated), then the markup itself, then labelled secrets in the plain text.
 */
export function sanitizeProviderText(text: string): string {
  const unscripted = text.replace(MARKUP_VALUE, `$1${REDACTED}`);
  // A tag left unterminated (a truncated answer) is cut off at its "<".
  const plain = htmlToText(unscripted).replace(/<[a-z][^>]*$/i, " ");
  return redactSecretText(plain).replace(/[ \t]+/g, " ");
}

/** True when a string looks like markup or names a secret, so it must be sanitized before use. */
function suspicious(text: string): boolean {
  return /[<>]|:\/\/[^\s/@]+@/.test(text) || new RegExp(LABEL, "iu").test(text);
}

/** A short provider text shown as-is (a label, a product name) unless it looks like it holds a secret. */
export function safeText(text: string): string {
  return suspicious(text) ? sanitizeProviderText(text).trim() : text;
}

/**
 * A provider record made safe to keep as `raw`: secret-named keys dropped ({@link stripSecrets})
 * and every string that looks like markup or names a secret sanitized. `hide(key, parent)` may
 * replace a value entirely (e.g. the results of a task that sets a password).
 */
export function sanitizeRaw(
  value: unknown,
  hide?: (key: string, parent: Record<string, unknown>) => string | undefined,
): unknown {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return suspicious(v) ? sanitizeProviderText(v) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const rec = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.entries(rec).map(([k, x]) => {
          const replaced = hide?.(k, rec);
          return [k, replaced === undefined ? walk(x) : replaced];
        }),
      );
    }
    return v;
  };
  return walk(stripSecrets(value));
}
