import { z } from "zod";
import { decimal, idString, parseProviderDate, yesNo } from "../_shared/normalize.ts";

/**
 * Zod schemas for the Host4Coins responses the driver reads. Every example in the seed is a
 * template (`"balance": _balance_`, seeds/host4coins-api-v1.txt lines 77-79), so the JSON type
 * of nearly every field is unknown (PROVIDERS.md H4C-1): numbers and strings are both accepted
 * and everything is normalized here, once.
 */

/**
 * Parses an H4C date. The format is not documented (`_expiration_date_`, `_date_time_`, seed
 * lines 215, 103; H4C-11): ISO 8601, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` (read as UTC) and
 * epoch seconds or milliseconds, as a number or a digit string. Anything else becomes null.
 */
export function parseH4cDate(value: unknown): Date | null {
  if (typeof value === "string" && /^\s*\d{9,13}(?:\.\d+)?\s*$/.test(value))
    return parseH4cDate(Number(value));
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value <= 0) return null;
    // 13 digits are milliseconds (1e11 s would be the year 5138).
    return new Date(value >= 1e11 ? value : value * 1000);
  }
  return parseProviderDate(value);
}

const h4cDate = z
  .unknown()
  .optional()
  .transform((v) => parseH4cDate(v));

/** A text field of unknown JSON type: trimmed string, or undefined when missing or empty. */
const optText = z
  .unknown()
  .transform((v) =>
    typeof v === "string" || typeof v === "number" ? String(v).trim() || undefined : undefined,
  )
  .optional();

/**
 * A list field. The string "None" is how H4C says "nothing" in its polymorphic fields
 * (`"renew_options": "None" or [...]`, seed line 247; H4C-3), so it and null mean an empty list.
 */
function h4cList<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => {
    if (v === null || v === undefined) return [];
    if (typeof v === "string" && /^\s*(none|)\s*$/i.test(v)) return [];
    return Array.isArray(v) ? v : [v];
  }, z.array(item));
}

/** The items of a list body stay unknown here: each is parsed on its own so its raw record is kept. */
const rawItems = h4cList(z.unknown());

// GET /balance -> {"balance": _balance_} (seed lines 73-79). The unit is not documented.
export const balanceBody = z.object({
  balance: decimal.refine((v): v is string => v !== null, "balance is not a number"),
});

// GET /services -> {"services": [...], "total_count": _N_} (seed lines 200-227).
export const servicesBody = z.object({ services: rawItems });

/** One service record, from the list (seed lines 210-223) or `service_details` (lines 233-246). */
export const serviceRecord = z.object({
  id: idString,
  family: optText,
  description: optText,
  end_dt: h4cDate,
  status: optText,
  host_name: optText,
  ipv4: optText,
  ipv6: optText,
  /** The current setting, `_yes_or_no_` (H4C-4). */
  autorenew: yesNo,
});
export type ServiceRecord = z.output<typeof serviceRecord>;

/** One entry of `renew_options` (seed lines 248-255): a catalog item the service can renew into. */
export const renewOption = z.object({
  id: idString,
  name: optText,
  description: optText,
  price: decimal,
  currency: optText,
  period: optText,
});
export type RenewOption = z.output<typeof renewOption>;

// GET /service/{id} (seed lines 228-259). Two `autorenew` fields: inside `service_details` the
// setting, at the top level whether it may be changed, `_possible_or_impossible_` (H4C-4).
export const serviceDetailsBody = z.object({
  service_details: z.unknown(),
  renew_options: h4cList(renewOption),
  autorenew: yesNo,
});

// GET /invoices (seed lines 95-110): BTCPay invoices, `amount` in satoshis.
export const invoicesBody = z.object({ invoices: rawItems });
export const invoiceRecord = z.object({
  btcpay_id: idString,
  date: h4cDate,
  amount: decimal.refine((v): v is string => v !== null, "amount is not a number"),
  btcpay_status: optText,
});

// GET /domains (seed lines 458-476).
export const domainsBody = z.object({ domains: rawItems });
export const domainRecord = z.object({
  id: idString,
  family: optText,
  description: optText,
  // Not documented in the list; taken first when present, before `description`.
  name: optText,
  domain_name: optText,
  end_dt: h4cDate,
  status: optText,
  autorenew: yesNo,
});
export type DomainRecord = z.output<typeof domainRecord>;

// GET /operating_systems (seed lines 147-158): a map id -> name, not an array (H4C-15). A list of
// {id, name} is accepted as well in case the API ever answers with one.
export const operatingSystemsBody = z.object({
  operating_systems: z.union([
    z.record(z.string(), z.union([z.string(), z.number()]).transform(String)),
    z.array(z.object({ id: idString, name: z.union([z.string(), z.number()]).transform(String) })),
  ]),
});

// GET /tasks (seed lines 277-299). Tasks have no id (H4C-18).
export const tasksBody = z.object({ tasks: rawItems });
export const taskRecord = z.object({
  service_id: idString,
  host_name: optText,
  service_description: optText,
  action: optText,
  status_extended: optText,
  status: optText,
  // Kept as sent: it is part of the task's identity in a taskRef.
  dt_pending: z
    .unknown()
    .optional()
    .transform((v) => (typeof v === "string" || typeof v === "number" ? String(v) : "")),
});
export type TaskRecord = z.output<typeof taskRecord>;
