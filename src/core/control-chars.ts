/**
 * Control characters in what people send (commands, form values, clicks). They are refused with a
 * clear answer, and escaped wherever such input is recorded (Postgres refuses NUL in text and
 * jsonb, so an unescaped one would lose the audit row). Tab, line feed and carriage return are
 * ordinary whitespace and pass.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

const codePoint = (c: string) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;

/** The first control character in `s`, as "U+0000", or undefined. */
export function controlCharIn(s: string): string | undefined {
  const m = CONTROL.exec(s);
  return m ? codePoint(m[0]) : undefined;
}

/** `s` with every control character written as `\u0000` (visible, storable). */
export function escapeControlChars(s: string): string {
  return s.replace(CONTROL_ALL, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`);
}

/** Where in a value (string, array, object) the first control character is: key path and code point. */
export function findControlChar(value: unknown, where = ""): { where: string; char: string } | undefined {
  if (typeof value === "string") {
    const char = controlCharIn(value);
    return char ? { where, char } : undefined;
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      const hit = findControlChar(v, where);
      if (hit) return hit;
    }
    return undefined;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const key = controlCharIn(k) ? escapeControlChars(k) : k;
      if (controlCharIn(k)) return { where: key, char: controlCharIn(k) ?? "" };
      const hit = findControlChar(v, where ? `${where}.${key}` : key);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** A copy of a value with every string (and key) escaped. */
export function escapeDeep(value: unknown): unknown {
  if (typeof value === "string") return escapeControlChars(value);
  if (Array.isArray(value)) return value.map(escapeDeep);
  if (value && typeof value === "object" && !(value instanceof Date))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeControlChars(k), escapeDeep(v)]));
  return value;
}
