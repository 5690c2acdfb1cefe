import { z } from "zod";

/**
 * Boundary normalizers shared by every driver's `schemas.ts`. Providers send numbers as strings,
 * "0000-00-00" or "" for "no date", and ids as numbers or strings: all of it becomes clean types here.
 */

const ZERO_DATE = /^0{4}-0{2}-0{2}/;

/** Parses a provider date: YYYY-MM-DD (a calendar date, taken as UTC midnight), ISO 8601, or unix seconds. */
export function parseProviderDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) && value > 0 ? new Date(value * 1000) : null;
  if (typeof value !== "string") return null;
  const v = value.trim();
  if (v === "" || v === "-" || ZERO_DATE.test(v) || /^(none|null|n\/a)$/i.test(v)) return null;
  const ymd = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (ymd) {
    const d = new Date(Date.UTC(Number(ymd[1]), Number(ymd[2]) - 1, Number(ymd[3])));
    return Number.isNaN(d.getTime()) ? null : d;
  }
  // "2017-12-30 13:43:12" (naive, no zone): read as UTC.
  const naive = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)$/.exec(v);
  const d = new Date(naive ? `${naive[1]}T${naive[2]}Z` : v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Normalizes a money amount to a decimal string ("12.5" -> "12.50"); null when it is not a number. */
export function parseDecimal(value: unknown, scale = 2): string | null {
  if (value === null || value === undefined) return null;
  const s =
    typeof value === "number" ? (Number.isFinite(value) ? value.toString() : "") : String(value).trim();
  const cleaned = s.replace(/[\s,](?=\d{3}\b)/g, "");
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(cleaned);
  if (!m) return null;
  const [, sign = "", int = "0", frac = ""] = m;
  if (frac.length > scale) return `${sign}${int.replace(/^0+(?=\d)/, "")}.${frac}`;
  return `${sign}${int.replace(/^0+(?=\d)/, "")}.${frac.padEnd(scale, "0")}`;
}

/** Compares two decimal strings exactly (no floats): -1, 0 or 1. */
export function compareDecimal(a: string, b: string): number {
  const [ai, af] = toScaled(a, b);
  return ai < af ? -1 : ai > af ? 1 : 0;
}

function toScaled(a: string, b: string): [bigint, bigint] {
  const scale = Math.max(fracLen(a), fracLen(b));
  return [scaled(a, scale), scaled(b, scale)];
}
function fracLen(x: string): number {
  const i = x.indexOf(".");
  return i < 0 ? 0 : x.length - i - 1;
}
function scaled(x: string, scale: number): bigint {
  const neg = x.startsWith("-");
  const [int = "0", frac = ""] = x.replace(/^-/, "").split(".");
  const v = BigInt(int + frac.padEnd(scale, "0"));
  return neg ? -v : v;
}

/** Adds decimal strings exactly. */
export function addDecimal(...values: string[]): string {
  const scale = Math.max(2, ...values.map(fracLen));
  const sum = values.reduce((acc, v) => acc + scaled(v, scale), 0n);
  const neg = sum < 0n;
  const digits = (neg ? -sum : sum).toString().padStart(scale + 1, "0");
  return `${neg ? "-" : ""}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** zod: an id given as a number or a string, always a string. */
export const idString = z.union([z.string(), z.number()]).transform((v) => String(v));
/** zod: a date field in any provider form; bad or missing values become null. */
export const providerDate = z
  .unknown()
  .optional()
  .transform((v) => parseProviderDate(v));
/** zod: a decimal given as a string or a number; null when missing or unparsable. */
export const decimal = z
  .unknown()
  .optional()
  .transform((v) => parseDecimal(v));
/** zod: a value that may be a single object or a list of them, always a list. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z.array(item),
  );
}
/** zod: "yes"/"no", "1"/"0", "on"/"off", true/false, 1/0 -> boolean; anything else -> null. */
export const yesNo = z
  .unknown()
  .optional()
  .transform((v): boolean | null => {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v === 1 ? true : v === 0 ? false : null;
    if (typeof v !== "string") return null;
    const s = v.trim().toLowerCase();
    if (["yes", "y", "1", "on", "true", "enabled", "possible"].includes(s)) return true;
    if (["no", "n", "0", "off", "false", "disabled", "impossible"].includes(s)) return false;
    return null;
  });

/** Removes keys that hold secrets (passwords, console credentials) from a raw provider record. */
export function stripSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => stripSecrets(v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (
        /pass(word)?|secret|token|api_?key|pin$|^pin|epp|authinfo|auth_?code|private_?key|root_pass|credential/i.test(
          k,
        )
      )
        continue;
      out[k] = stripSecrets(v);
    }
    return out as T;
  }
  return value;
}
