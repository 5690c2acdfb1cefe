import { z } from "zod";
import { decimal, idString, providerDate, listOf as sharedListOf, yesNo } from "../_shared/normalize.ts";
import type { InvoiceStatus, ServiceStatus } from "../types.ts";

/**
 * zod schemas for the HostBill "User API" responses the driver reads (Hostens and Time4VPS).
 * Only the fields the driver uses are parsed; the provider's record is kept beside the parsed
 * value (`withRaw`) so the driver can hand it on, stripped of secrets, as `raw`.
 * Line numbers below are lines of seeds/hostens-client-api.txt.
 */

/** Parses `schema` and keeps the untouched input beside the result. */
export function withRaw<T extends z.ZodType>(schema: T) {
  return z.unknown().transform((raw, ctx): { value: z.output<T>; raw: unknown } => {
    const r = schema.safeParse(raw);
    if (!r.success) {
      for (const i of r.error.issues) ctx.addIssue({ code: "custom", message: i.message, path: i.path });
      return z.NEVER;
    }
    return { value: r.data, raw };
  });
}

/**
 * A HostBill list. Besides a JSON array (the seeds), PHP's `json_encode` turns an array keyed by
 * id into an object (`{"301": {...}, "302": {...}}`): such an object of records is read as the
 * list of its values. A single record (one object with scalar fields) stays a list of one.
 */
function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const values = Object.values(v as Record<string, unknown>);
      const keyedRecords =
        values.length > 0 &&
        Object.keys(v as Record<string, unknown>).every((k) => /^\d+$/.test(k)) &&
        values.every((x) => x !== null && typeof x === "object" && !Array.isArray(x));
      if (keyedRecords) return values;
    }
    return v;
  }, sharedListOf(item));
}

const text = z
  .string()
  .nullish()
  .transform((v) => v ?? "");

/** HostBill service states (seed shows "Pending"/"Active", lines 1959/1995; the rest is HS-20). */
export function serviceStatus(value: string): ServiceStatus {
  switch (value.trim().toLowerCase()) {
    case "active":
      return "active";
    case "pending":
      return "pending";
    case "suspended":
      return "suspended";
    case "expired":
      return "expired";
    case "terminated":
    case "cancelled":
    case "canceled":
      return "cancelled";
    default:
      return "unknown";
  }
}

/** `billingcycle` words (lines 1960, 1992) and cart cycle letters (HS-21) -> months. */
const CYCLE_MONTHS: Record<string, number> = {
  monthly: 1,
  m: 1,
  quarterly: 3,
  q: 3,
  "semi-annually": 6,
  semiannually: 6,
  s: 6,
  annually: 12,
  a: 12,
  biennially: 24,
  b: 24,
  triennially: 36,
  t: 36,
};

export function billingCycleMonths(value: string): number | undefined {
  return CYCLE_MONTHS[value.trim().toLowerCase()];
}

/**
 * Invoice status. Only "Paid" appears in the seed (line 763); the rule is "unpaid = status is
 * not Paid" (PROVIDERS.md section 6), except the states in which nothing is owed. Overdue is
 * decided by the driver from the due date.
 */
export function invoiceBaseStatus(value: string): Exclude<InvoiceStatus, "overdue" | "unknown"> {
  switch (value.trim().toLowerCase()) {
    case "paid":
      return "paid";
    case "cancelled":
    case "canceled":
    case "refunded":
      return "cancelled";
    default:
      return "unpaid";
  }
}

// --- account ---------------------------------------------------------------------------------

/** GET /details (lines 96-131): `{"client": {...}}`. Only its presence is checked. */
export const detailsResponse = z.object({ client: z.object({ id: idString }) });

/**
 * GET /balance (lines 711-737; the seed's example has doubled outer braces, HS-2).
 * `acc_credit` is the prepaid credit; `acc_balance` is the total of unpaid invoices (HS-1).
 */
export const balanceResponse = z.object({
  details: z.object({
    currency: z.string().min(1),
    acc_credit: decimal.pipe(z.string({ message: "not a decimal amount" })),
    acc_balance: decimal,
  }),
});

// --- services and servers --------------------------------------------------------------------

/** One service, as in GET /service (lines 1953-1967) and GET /service/@id (lines 1985-2001). */
export const service = z.object({
  id: idString,
  domain: text,
  name: text,
  label: text,
  status: text,
  total: decimal,
  billingcycle: text,
  next_due: providerDate,
  /** Not in either seed; read when an installation sends it (the account currency is the fallback). */
  currency: z
    .unknown()
    .optional()
    .transform((v) =>
      typeof v === "string" && /^[A-Za-z]{3}$/.test(v.trim()) ? v.trim().toUpperCase() : "",
    ),
});
export type HostBillService = z.output<typeof service>;

export const servicesResponse = z.object({ services: listOf(withRaw(service)) });
/** `service` is one object; the official PHP library takes the first value, so a list of one is read too. */
export const serviceResponse = z.object({
  service: z.preprocess((v) => (Array.isArray(v) && v.length === 1 ? v[0] : v), withRaw(service)),
});

/**
 * One entry of GET /server (lines 3417-3426): `server_id`, `domain`, `ip`, `label`, `type`,
 * `date_created` (what a third-party Time4VPS dashboard reads, vadimmozeiko/time4vps). `id` is
 * accepted where `server_id` is missing.
 */
export const serverBrief = z.preprocess(
  (v) =>
    v && typeof v === "object" && !Array.isArray(v) && !("server_id" in v) && "id" in v
      ? { ...(v as Record<string, unknown>), server_id: (v as Record<string, unknown>).id }
      : v,
  z.object({
    server_id: idString,
    domain: text,
    ip: text,
    label: text,
  }),
);
export type HostBillServerBrief = z.output<typeof serverBrief>;

/**
 * GET /server "Lists all active servers" but its example is one bare object (HS-6): accept a
 * list, a bare object, or the list under a `servers` key.
 */
export const serversResponse = z.preprocess((v) => {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if ("servers" in o) return o.servers;
    if (!("server_id" in o) && !("id" in o)) {
      // A list keyed by id (PHP), else an answer with no server in it.
      const values = Object.values(o);
      const keyed = values.length > 0 && values.every((x) => x !== null && typeof x === "object");
      return keyed ? values : [];
    }
  }
  return v;
}, listOf(serverBrief));

/** GET /server/@server_id (lines 3444-3476). */
export const serverDetails = z.object({
  domain: text,
  label: text,
  status: text,
  os: text,
  ip: text,
  additional_ip: z.array(z.string()).nullish(),
  /** `null` when idle (line 3474); its shape while a task runs is not documented. */
  active_task: z.unknown().optional(),
});
export type HostBillServerDetails = z.output<typeof serverDetails>;
export const serverDetailsResponse = withRaw(serverDetails);

/** GET /server/@server_id/oses (lines 3846-3852): a bare array of `{os, title}`. */
export const osesResponse = z.preprocess(
  (v) => {
    // Also accepted: the list under an `oses` key, or a map of os code -> title.
    const inner =
      v && typeof v === "object" && !Array.isArray(v) && "oses" in v ? (v as { oses: unknown }).oses : v;
    if (inner && typeof inner === "object" && !Array.isArray(inner) && !("os" in inner)) {
      const entries = Object.entries(inner as Record<string, unknown>);
      if (entries.length > 0 && entries.every(([, t]) => typeof t === "string"))
        return entries.map(([os, title]) => ({ os, title }));
    }
    return inner;
  },
  listOf(z.object({ os: idString, title: text })),
);

/**
 * Answer of the asynchronous server calls: `{"task_id": 77995}` (lines 3536-3538). Time4VPS
 * documents only "Success", so a missing `task_id` is tolerated.
 */
export const taskStartedResponse = z
  .object({ task_id: idString.optional() })
  .nullish()
  .transform((v) => v?.task_id);

/**
 * A task field: "" while unset. Seen as "" (seed), `null` (a third-party client's recorded
 * answers, vladmesh/codegen_orchestrator), and possibly a zero MySQL date or a number.
 */
const taskText = z
  .unknown()
  .optional()
  .transform((v) => {
    if (typeof v === "number") return String(v);
    if (typeof v !== "string") return "";
    const t = v.trim();
    return /^0{4}-0{2}-0{2}/.test(t) ? "" : t;
  });

/**
 * GET /server/@server_id/task/@task_id (lines 3484-3511). `assigned`, `completed` and `results`
 * are "" while the task waits or runs; there is no success flag (HS-9).
 */
export const taskResponse = z.object({
  name: taskText,
  activated: taskText,
  assigned: taskText,
  completed: taskText,
  /**
   * Free text; after a reinstall or password reset it carries the new root password, as plain
   * text or hidden in HTML (see driver.ts). An object or list is kept as JSON text.
   */
  results: z
    .unknown()
    .optional()
    .transform((v) =>
      v === null || v === undefined || v === false
        ? ""
        : typeof v === "string" || typeof v === "number"
          ? String(v)
          : JSON.stringify(v),
    ),
});

/** POST /service/@id/cancel (lines 2141-2146): `{"info": ["cancell_sent"]}` (sic). Not checked. */
export const infoResponse = z.unknown();

// --- billing ---------------------------------------------------------------------------------

/** One entry of GET /invoice (lines 753-769). */
export const invoice = z.object({
  id: idString,
  date: providerDate,
  duedate: providerDate,
  paybefore: providerDate,
  total: decimal,
  status: text,
  currency: text,
});
export const invoicesResponse = z.object({ invoices: listOf(withRaw(invoice)) });

/**
 * GET /payment (lines 869-875): `{"payments": {"10": "BankTransfer", "9": "PayPal"}}`. The
 * `/payment/fees` list form (`[{id, name}]`) is accepted as well.
 */
export const paymentsResponse = z.object({
  payments: z.union([
    z.record(z.string(), z.string()).transform((m) => Object.entries(m).map(([id, name]) => ({ id, name }))),
    z.array(z.object({ id: idString, name: text })),
  ]),
});

// --- domains (Hostens only) ------------------------------------------------------------------

/** One domain, as in GET /domain (lines 939-953) and GET /domain/@id (lines 971-992). */
export const domain = z.object({
  id: idString,
  name: z.string().min(1),
  expires: providerDate,
  status: text,
  autorenew: yesNo,
  recurring_amount: decimal,
  nameservers: z.array(z.string()).nullish(),
});
export const domainsResponse = z.object({ domains: listOf(withRaw(domain)) });
export const domainResponse = z.object({ details: withRaw(domain) });

/**
 * POST /domain/@id/renew has no documented answer (HS-16). If it answers like POST /domain/order
 * (lines 1556-1566: `order_num`, `invoice_id`, `total`), those fields are used in the summary.
 */
export const renewResponse = z
  .unknown()
  .transform((v) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {}))
  .pipe(
    z.object({
      invoice_id: idString.optional().catch(undefined),
      total: decimal.catch(null),
    }),
  );
