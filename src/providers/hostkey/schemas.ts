import { z } from "zod";
import { decimal, idString, listOf, providerDate } from "../_shared/normalize.ts";

/**
 * zod schemas for the HOSTKEY invapi answers the driver reads. Only the fields in use are parsed;
 * every `raw` record is kept aside by the driver (with secrets stripped).
 * "line N" = a line in shared/seeds/hostkey-invapi.txt.
 */

/**
 * In this zod version a key that is absent fails even `z.unknown()`; these wrappers make a missing
 * field parse like an empty one (null), which is what HOSTKEY's sparse answers need.
 */
const loose = () => z.unknown().optional();
function opt<T extends z.ZodType>(schema: T) {
  return loose().pipe(schema);
}
const date = opt(providerDate);
const money = opt(decimal);

/** unix seconds (`token_expire`), given as a number or a numeric string; anything else -> null. */
const unixSeconds = loose().transform((v): number | null => {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : null;
});

/**
 * Server ids: `auth/login` sends an array (`[34533, 32645]`, line 294) and `auth/info` an object of
 * id -> id (`{"34533": "34533"}`, line 717). Empty values ("" / null) mean "no servers".
 */
export const serverIds = z.preprocess(
  (v) => {
    if (v === null || v === undefined || v === "") return [];
    // Entries may also be server objects (`[{"id": 1, "status": …}]`), as HOSTKEY's Terraform
    // provider reads them (types.go, parseServerIDs).
    if (Array.isArray(v))
      return v.map((e) => (e && typeof e === "object" && "id" in e ? (e as { id: unknown }).id : e));
    return v;
  },
  z.union([z.array(idString), z.record(z.string(), z.unknown()).transform((o) => Object.keys(o))]),
);

/**
 * auth/login: the seed nests the payload in `result` (line 287); HOSTKEY's Terraform provider also
 * reads it at the top level (`{"token": "…", "token_expire": …, "servers": [1]}`, types.go). Either
 * place is accepted, the nested one first, field by field.
 */
export const loginResponse = z.preprocess(
  (v) => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return v;
    const top = v as Record<string, unknown>;
    const nested =
      top.result && typeof top.result === "object" && !Array.isArray(top.result)
        ? (top.result as Record<string, unknown>)
        : {};
    const pick = (k: string) => (nested[k] !== undefined && nested[k] !== "" ? nested[k] : top[k]);
    // HOSTKEY's MCP server (src/client.ts) falls back to `scope` when no `token` is given; only a
    // token-shaped scope is taken.
    const scope = [nested.scope, top.scope].find(
      (v) => typeof v === "string" && /^[A-Za-z0-9_-]{16,256}$/.test(v),
    );
    return {
      token: pick("token") ?? scope,
      token_expire: pick("token_expire"),
      servers: pick("servers"),
    };
  },
  z.object({
    token: z.string().min(1),
    token_expire: unixSeconds.optional(),
    servers: serverIds.optional(),
  }),
);
export type LoginResult = z.output<typeof loginResponse>;

/** auth/info (line 715). */
export const infoResponse = z.object({
  result: z.object({ servers: serverIds.optional() }),
});

const text = loose().transform((v) => (typeof v === "string" && v.trim() !== "" ? v.trim() : null));
const flag = loose().transform((v) => v === 1 || v === "1" || v === true || v === "true");

/**
 * `eq/show` IP entries (line 3508): `IP` is an array of interfaces here (a hostname elsewhere, HK-18).
 * The address is `IP` in the seed and `ip` as HOSTKEY's Terraform provider reads it (types.go).
 */
const ipAddresses = loose().transform((v) => {
  const list = Array.isArray(v) ? v : [];
  const entries = list
    .filter((e): e is Record<string, unknown> => !!e && typeof e === "object")
    .map((e) => {
      const raw = typeof e.IP === "string" ? e.IP : typeof e.ip === "string" ? e.ip : "";
      return { ip: raw.trim(), main: e.main_ip === 1 || e.main_ip === "1" || e.main_ip === true };
    })
    .filter((e) => e.ip !== "");
  const ordered = [...entries.filter((e) => e.main), ...entries.filter((e) => !e.main)];
  return {
    ipv4: ordered.find((e) => !e.ip.includes(":"))?.ip,
    ipv6: ordered.find((e) => e.ip.includes(":"))?.ip,
  };
});

/** `eq/show` tags (line 3543): `{tag, value}` pairs; we read the hostname and the OS name only. */
const serverTags = loose().transform((v) => {
  const list = Array.isArray(v) ? v : [];
  const find = (name: string): string | undefined => {
    for (const t of list) {
      if (t && typeof t === "object" && (t as Record<string, unknown>).tag === name) {
        const value = (t as Record<string, unknown>).value;
        if (typeof value === "string" && value.trim() !== "") return value.trim();
      }
    }
    return undefined;
  };
  return { hostname: find("hostname") ?? find("server_name"), os: find("OS") };
});

/**
 * eq/show (line 3186). Real answers can be sparse (`{"result":"OK","server_data":{}}` in HOSTKEY's
 * Terraform provider tests): the id falls back to the one asked for, and the hostname may sit in
 * `server_data.hostname` instead of the tags.
 */
export const eqShowResponse = z.object({
  server_data: z.object({
    id: loose().transform((v) =>
      (typeof v === "string" || typeof v === "number") && String(v).trim() !== "" ? String(v).trim() : null,
    ),
    hostname: text,
    status: text,
    Condition_Component: text,
    due_date: date,
    datePeriod: date,
    hwconfig: text,
    type: text,
  }),
  hardware: z.object({ vm: flag, gpu: loose().transform((v) => Number(v) > 0), config: text }).nullish(),
  IP: ipAddresses,
  ip: ipAddresses,
  tags: serverTags,
  preset: text,
  preset_description: text,
});
export type EqShow = z.output<typeof eqShowResponse>;

/** whmcs/get_billing_data (line 1357): a flat WHMCS object ending in `"result": "OK"`. */
export const billingDataResponse = z.object({
  billing_status: text,
  billing_cycle: text,
  billing_reccuring: money, // sic: WHMCS spelling (HK-17)
  next_due_date: date,
  currencyprefix: text,
  currencysuffix: text,
});
export type BillingData = z.output<typeof billingDataResponse>;

/** whmcs/get_client (line 1009): `client.credit` is the prepaid balance. */
export const clientResponse = z.object({
  client: z.object({
    credit: money,
    currency_code: text,
  }),
});

const invoiceFields = z.object({
  id: idString,
  date: date,
  duedate: date,
  total: money,
  status: text,
  currencycode: text,
  currencyprefix: text,
  currencysuffix: text,
});
export type InvoiceRecord = z.output<typeof invoiceFields> & { raw: unknown };

/** Parses an item and keeps the untouched record beside it as `raw`. */
const invoiceItem = z.unknown().transform((raw, ctx): InvoiceRecord => {
  const r = invoiceFields.safeParse(raw);
  if (!r.success) {
    for (const issue of r.error.issues)
      ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return { ...r.data, raw };
});

const count = loose().transform((v): number | null => {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : null;
});

/**
 * whmcs/get_invoices (line 1620): WHMCS nests the list at `invoices.invoice[]` (HK-16) and pages it:
 * `totalresults` 6 with `numreturned` 5 in the example.
 */
export const invoicesResponse = z.object({
  totalresults: count,
  numreturned: count,
  invoices: opt(
    z.preprocess(
      (v) =>
        v && typeof v === "object" && !Array.isArray(v)
          ? (v as Record<string, unknown>).invoice
          : v === ""
            ? []
            : v,
      listOf(invoiceItem),
    ),
  ),
});

/** os/list (line 2122): `tags` carry the server kinds an OS fits (bm, vm, gpu, vgpu). */
export const osListResponse = z.object({
  os_list: listOf(
    z.object({
      id: idString,
      name: z.string(),
      active: loose(),
      tags: loose().transform((v) =>
        (Array.isArray(v) ? v : [])
          .map((t) => (t && typeof t === "object" ? (t as Record<string, unknown>).tag : undefined))
          .filter((t): t is string => typeof t === "string"),
      ),
    }),
  ),
});

/**
 * The answer of an asynchronous action (eq/on, eq/off, eq/reboot, eq/order_instance):
 * `{"result":"OK","action":"on","callback":"<32 hex>"}` ([ext] PROVIDERS.md §1.4 Async); some
 * async payloads carry the key as `key` instead (line 968).
 */
export const asyncStartResponse = z.object({
  callback: text,
  key: text,
});

/**
 * eq_callback.php action=check (line 3738): `result` "Not ready" / "Stage" / "OK"; a deploy or
 * reinstall answers `{"result":"OK","scope":"pending","context":{"id":"","ip":""}}` while it runs
 * and `"scope":"deploy_done"` with the server's id and IP in `context` when done (HOSTKEY's
 * Terraform provider, callback.go and its tests).
 */
export const callbackResponse = z.object({
  result: loose(),
  scope: loose(),
  debug: loose(),
  context: loose(),
});

/** Any call whose body we only check for the envelope (e.g. whmcs/request_cancellation). */
export const statusOnlyResponse = z.object({ result: loose() });
