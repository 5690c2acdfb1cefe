import { z } from "zod";
import { idString, listOf, providerDate } from "../_shared/normalize.ts";

/**
 * BILLmanager bodies come in two shapes:
 * - flat, as the seed documents it (`{"elem":[{"id":"200",…}]}`, `{"result":"OK","ok":""}`);
 * - the ISPsystem `doc` form, where the body sits under `doc`, every value is `{"$": value}` and
 *   attributes are `$`-prefixed keys (`{"doc":{"error":{"$type":"auth","msg":{"$":"…"}}}}`).
 * {@link unwrapBillmgr} turns the second into the first, once, before any schema looks at a body.
 */
export function unwrapBillmgr(body: unknown): unknown {
  const v = unwrapValue(body);
  if (isRecord(v)) {
    const plain = Object.keys(v).filter((k) => !k.startsWith("$"));
    // Only a lone "doc" is the wrapper; a flat body with a "doc" field among others stays as it is.
    if (plain.length === 1 && plain[0] === "doc" && isRecord(v.doc)) return v.doc;
  }
  return v;
}

function unwrapValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapValue);
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  // {"$": "x"} (possibly with "$attr" attributes beside it) is the value "x".
  if ("$" in value && keys.every((k) => k.startsWith("$"))) return unwrapValue(value.$);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (k === "$") continue; // text mixed with child elements: no field we read lives there
    if (k.startsWith("$")) {
      // Attributes ("$type", "$object") become plain keys unless a child element has that name.
      const name = k.slice(1);
      if (!(name in value)) out[name] = unwrapValue(value[k]);
      continue;
    }
    out[k] = unwrapValue(value[k]);
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The parts of any body that say whether it succeeded (read after unwrapping). */
export const envelope = z.preprocess(
  unwrapBillmgr,
  z.object({
    error: z.unknown().optional(),
    elem: z.unknown().optional(),
    result: z.unknown().optional(),
    ok: z.unknown().optional(),
  }),
);

export interface BillmgrErrorDetail {
  /** Lower-cased `$type` ("auth", "value", "missed", …); "" when the body gives none. */
  type: string;
  /** `$object`: the field or object the error is about; "" when none. */
  object: string;
  /** `msg`: the human text; "" when none. */
  msg: string;
}

/** The `error` element in any of its shapes: a string, `{type, object, msg}`, or a list of those. */
export const errorDetail = z.unknown().transform((raw): BillmgrErrorDetail => toErrorDetail(raw));

function toErrorDetail(raw: unknown): BillmgrErrorDetail {
  if (Array.isArray(raw)) {
    const parts = raw.map(toErrorDetail);
    const first = parts[0] ?? { type: "", object: "", msg: "" };
    return {
      ...first,
      msg: parts
        .map((p) => p.msg)
        .filter(Boolean)
        .join("; "),
    };
  }
  if (isRecord(raw)) {
    return {
      type: text(raw.type ?? raw.code).toLowerCase(),
      object: text(raw.object ?? (typeof raw.param === "string" ? raw.param : "")),
      msg: text(raw.msg ?? raw.detail ?? raw.message ?? raw.text ?? raw.value),
    };
  }
  return { type: "", object: "", msg: text(raw) };
}

/**
 * The `param` list of the error element of a raw (not unwrapped) body
 * (`[{"$name":"object","$":"badpassword"},{"$name":"value","$":"…"}]`): ISPsystem texts carry
 * placeholders such as `__value__` filled from it (Khorsa/php-ispmanager-api decodes them so).
 */
export function errorParams(body: unknown): Record<string, string> {
  const root = isRecord(body) && isRecord(body.doc) ? body.doc : body;
  const err = isRecord(root) ? root.error : undefined;
  const raw = isRecord(err) ? err.param : undefined;
  const out: Record<string, string> = {};
  for (const p of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) {
    if (isRecord(p)) {
      const name = text(p.$name ?? p.name);
      const value = text(isRecord(p.$) ? "" : (p.$ ?? p.value));
      if (name) out[name] = value;
    }
  }
  return out;
}

/** Fills `__name__` placeholders of an error text from {@link errorParams}. */
export function fillParams(msg: string, params: Record<string, string>): string {
  return msg.replace(/__([a-z_]+)__/gi, (m, name: string) => params[name] ?? m);
}

function text(v: unknown): string {
  if (typeof v === "string") return v.replace(/\s+/g, " ").trim();
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return "";
}

/** `domainstatus` codes (seed lines 33-42). Lower case, as `Domain.status` asks. */
export const DOMAIN_STATUS: Record<string, string> = {
  "0": "no data",
  "1": "not paid",
  "2": "active",
  "3": "registered, not delegated",
  "4": "removed",
  "5": "registering",
  "6": "transferring",
  "7": "renewing",
};

/**
 * `autoperiod` in the list is "-" in every seed example (lines 20, 29) and its meaning is not
 * documented: "-" and "" say nothing (null), "0"/"off"/"no" read as off, any other value
 * (a period) as on.
 */
function autorenewFrom(v: unknown): boolean | null {
  if (v === undefined || v === null) return null;
  const s = text(v).toLowerCase();
  if (s === "" || s === "-") return null;
  if (s === "0" || s === "off" || s === "no") return false;
  return true;
}

const domainFields = z.object({
  id: idString,
  name: z.string().trim().min(1),
  account_id: idString.optional(),
  // ISO "2027-02-16" in the seed; a panel set to a DD.MM.YYYY locale is read as well.
  expire: z.preprocess(
    (v) => (typeof v === "string" ? v.trim().replace(/^(\d{2})\.(\d{2})\.(\d{4})$/, "$3-$2-$1") : v),
    providerDate,
  ),
  autoperiod: z.unknown().transform(autorenewFrom).optional(),
  domainstatus: idString.optional(),
});

/** One `func=domain` row, parsed, plus the unwrapped record itself as `raw`. */
const domainRecord = z.unknown().transform((raw, ctx) => {
  const r = domainFields.safeParse(raw);
  if (!r.success) {
    for (const issue of r.error.issues)
      ctx.issues.push({ code: "custom", message: issue.message, path: issue.path, input: raw });
    return z.NEVER;
  }
  const d = r.data;
  const code = d.domainstatus ?? "0";
  return {
    id: d.id,
    name: d.name.toLowerCase(),
    accountId: d.account_id,
    expiresAt: d.expire ?? null,
    autorenew: d.autoperiod ?? null,
    status: DOMAIN_STATUS[code] ?? `unknown (code ${code})`,
    raw,
  };
});
export type DomainRecord = z.output<typeof domainRecord>;

const pageNumber = z
  .unknown()
  .optional()
  .transform((v): number | null => {
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
    return typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : null;
  });

/**
 * `func=domain` (seed lines 8-32). A doc-form list with one row may send `elem` as an object, and an
 * empty list has no `elem` at all. Lists are paged: `p_elems` (total), `p_num` (this page, from 1),
 * `p_cnt` (rows per page) — the names ISPsystem's list documents carry (ispsystem MgrList parsers).
 */
export const domainList = z.preprocess(
  unwrapBillmgr,
  z.object({
    // listOf reads a missing or null elem as the empty list; "" (an empty element) too.
    elem: z.preprocess((v) => (v === "" ? undefined : v), listOf(domainRecord)),
    p_elems: pageNumber,
    p_num: pageNumber,
    p_cnt: pageNumber,
  }),
);
