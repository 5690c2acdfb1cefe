import type { DriverContext } from "../_shared/entry.ts";
import type { HttpClient } from "../_shared/http.ts";
import { parseResponse, toProviderError } from "../_shared/http.ts";
import { compareDecimal } from "../_shared/normalize.ts";
import { safeText, sanitizeProviderText, sanitizeRaw } from "../_shared/redact.ts";
import {
  type ActionResult,
  type Capability,
  type Domain,
  type Invoice,
  type InvoiceStatus,
  type Money,
  type OperatingSystem,
  type ProviderDriver,
  ProviderError,
  type Service,
  type ServiceStatus,
  type TaskStatus,
} from "../types.ts";
import * as api from "./client.ts";
import {
  domainRecord,
  invoiceRecord,
  parseH4cDate,
  type RenewOption,
  type ServiceRecord,
  serviceRecord,
  type TaskRecord,
  taskRecord,
} from "./schemas.ts";

const P = "host4coins";

export interface Host4CoinsCredentials {
  apiPublic: string;
  apiPrivate: string;
}

/**
 * Unit of `/balance` and of invoice amounts. Invoices say `_amount_sats_` (seed line 104) and the
 * activity ledger, which records balance top-ups, does too (line 120); the balance unit itself is
 * not documented (H4C-10), so it is read as satoshis as well. See readme.md.
 */
export const SATS = "SAT";

/**
 * Host4Coins has no power, reboot, reinstall, cancel or top-up call (PROVIDERS.md H4C-19); the
 * domain-availability check is a GET with a JSON body, which fetch cannot send (H4C-7).
 */
export const HOST4COINS_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  "getBalance",
  "listServices",
  "getService",
  "listInvoices",
  "listDomains",
  "listOperatingSystems",
  "renewService",
  "setAutorenew",
  "getTask",
]);

export class Host4CoinsDriver implements ProviderDriver {
  readonly kind = P;
  readonly capabilities = HOST4COINS_CAPABILITIES;
  readonly #http: HttpClient;

  constructor(ctx: DriverContext<Host4CoinsCredentials>) {
    this.#http = api.createH4cHttp({
      baseUrl: ctx.baseUrl,
      apiPublic: ctx.credentials.apiPublic,
      apiPrivate: ctx.credentials.apiPrivate,
      timeoutMs: ctx.timeoutMs,
      retries: ctx.retries,
      log: ctx.log,
    });
  }

  /** GET /balance is the cheapest authenticated call; H4C answers wrong keys with HTTP 401. */
  async verifyCredentials(): Promise<void> {
    await api.checkCredentials(this.#http);
  }

  async getBalance(): Promise<Money> {
    const { balance } = await api.getBalance(this.#http);
    return { amount: balance, currency: SATS };
  }

  async listServices(): Promise<Service[]> {
    const { services } = await api.getServices(this.#http);
    return services.map((item, i) =>
      toService(parseResponse(P, serviceRecord, item, `service #${i + 1}`), item),
    );
  }

  async getService(id: string): Promise<Service> {
    const { body, parsed } = await this.#details(id);
    const record = parseResponse(P, serviceRecord, parsed.service_details, "service_details");
    const options = parsed.renew_options.map(toRenewOption);
    const service = toService(record, body);
    service.renewOptions = options.map(({ id, label, price }) =>
      price ? { id, label, price } : { id, label },
    );
    const next = defaultOption(parsed.renew_options);
    if (next) {
      const price = toRenewOption(next).price;
      if (price) service.renewalPrice = price;
      const months = periodMonths(next.period);
      if (months) service.billingCycleMonths = months;
    }
    return service;
  }

  async listInvoices(): Promise<Invoice[]> {
    const { invoices } = await api.getInvoices(this.#http);
    return invoices.map((item, i) => {
      const r = parseResponse(P, invoiceRecord, item, `invoice #${i + 1}`);
      return {
        id: r.btcpay_id,
        issuedAt: r.date,
        // BTCPay invoices carry no due date; an unpaid one simply expires.
        dueAt: null,
        total: { amount: r.amount, currency: SATS },
        status: mapInvoiceStatus(r.btcpay_status),
        raw: sanitizeRaw(item),
      } satisfies Invoice;
    });
  }

  async listDomains(): Promise<Domain[]> {
    const { domains } = await api.getDomains(this.#http);
    return domains.map((item, i) => {
      const r = parseResponse(P, domainRecord, item, `domain #${i + 1}`);
      return {
        id: r.id,
        name: safeText(domainName(r)),
        expiresAt: r.end_dt,
        status: mapDomainStatus(r.status),
        autorenew: r.autorenew,
        raw: sanitizeRaw(item),
      } satisfies Domain;
    });
  }

  /** The OS list is account-wide on H4C (no per-service variant), so `serviceId` is not sent. */
  async listOperatingSystems(_serviceId: string): Promise<OperatingSystem[]> {
    const { operating_systems: os } = await api.getOperatingSystems(this.#http);
    const list = Array.isArray(os) ? os : Object.entries(os).map(([id, name]) => ({ id, name }));
    return list.sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }));
  }

  /**
   * Renews with one of the service's `renew_options` (seed lines 247-263): `optionId` picks one;
   * without it the cheapest is used (the first when prices cannot be compared). Spends balance.
   */
  async renewService(id: string, opts: { optionId?: string } = {}): Promise<ActionResult> {
    const { parsed } = await this.#details(id);
    const label = serviceLabel(parsed.service_details, id);
    const options = parsed.renew_options;
    if (options.length === 0)
      throw refused(
        `Host4Coins offers no renewal for ${label} right now (only running and some expired services can be renewed).`,
      );
    const option =
      opts.optionId === undefined ? defaultOption(options) : options.find((o) => o.id === opts.optionId);
    if (!option)
      throw refused(
        `Host4Coins has no renewal option "${opts.optionId}" for ${label}; the options are ${options.map((o) => o.id).join(", ")}.`,
      );
    const { label: what, price } = toRenewOption(option);
    const cost = price ? `, ${price.amount} ${price.currency}` : "";
    try {
      await api.renewService(this.#http, id, option.id);
    } catch (err) {
      throw inContext(err, `Could not renew ${label} with ${what}`);
    }
    return { summary: `Host4Coins accepted the renewal of ${label}: ${what}${cost}, paid from the balance.` };
  }

  /** PATCH {"autorenew": "yes"|"no"}; H4C allows it on running services only (seed line 266). */
  async setAutorenew(id: string, enabled: boolean): Promise<ActionResult> {
    const { parsed } = await this.#details(id);
    const label = serviceLabel(parsed.service_details, id);
    const onOff = enabled ? "on" : "off";
    // The top-level `autorenew` says whether the setting may be changed (H4C-4).
    if (parsed.autorenew === false)
      throw refused(
        `Host4Coins does not allow changing autorenew on ${label} now (only running services can autorenew).`,
      );
    try {
      await api.setAutorenew(this.#http, id, enabled);
    } catch (err) {
      throw inContext(err, `Could not turn autorenew ${onOff} for ${label}`);
    }
    return {
      summary: enabled
        ? `Autorenew is on for ${label}: Host4Coins renews it from the balance when it expires (if the balance suffices).`
        : `Autorenew is off for ${label}.`,
    };
  }

  /** Polls GET /tasks?status=all for the task a {@link host4coinsTaskRef} names (tasks have no id). */
  async getTask(ref: string): Promise<TaskStatus> {
    const key = parseTaskRef(ref);
    const { tasks } = await api.getTasks(this.#http);
    const matching = tasks
      .map((item, i) => parseResponse(P, taskRecord, item, `task #${i + 1}`))
      .filter((t) => t.service_id === key.serviceId && (t.action ?? "") === key.action);
    const task = key.dtPending
      ? matching.find((t) => sameMoment(t.dt_pending, key.dtPending))
      : matching.at(-1);
    if (!task)
      throw new ProviderError(
        "NOT_FOUND",
        `Host4Coins lists no "${key.action}" task for service ${key.serviceId}; it may have been cleared.`,
        { provider: P, retryable: false },
      );
    return toTaskStatus(task);
  }

  async #details(id: string) {
    try {
      return await api.getServiceDetails(this.#http, id);
    } catch (err) {
      if (err instanceof ProviderError && err.code === "NOT_FOUND")
        throw new ProviderError("NOT_FOUND", `Host4Coins has no service ${id} (HTTP 404).`, {
          provider: P,
          status: err.status,
          retryable: false,
        });
      throw err;
    }
  }
}

// ---- normalization -------------------------------------------------------------------------

/** `_service_status_` is not shown; the filter takes long names or letters (seed line 204, H4C-9). */
export function mapServiceStatus(status: string | undefined): ServiceStatus {
  switch (status?.toLowerCase()) {
    case "running":
    case "r":
      return "active";
    case "pending":
    case "p":
    case "installing":
    case "i":
      return "pending";
    case "expired":
    case "e":
      return "expired";
    default:
      return "unknown";
  }
}

/**
 * BTCPay statuses (seed line 105: new/confirmed/complete/expired; the BTCPay names paid,
 * processing, settled and invalid are accepted too). "new" is awaiting payment. "expired" is a
 * payment window that closed unpaid: H4C bills nothing on it (services are prepaid from the
 * balance), so nothing is owed and it counts as cancelled.
 */
export function mapInvoiceStatus(status: string | undefined): InvoiceStatus {
  switch (status?.toLowerCase()) {
    case "new":
      return "unpaid";
    case "paid":
    case "processing":
    case "confirmed":
    case "complete":
    case "settled":
      return "paid";
    case "expired":
      return "cancelled";
    default:
      return "unknown";
  }
}

/** Domains are `_running/expired_` (seed line 470); other values pass through in lower case. */
export function mapDomainStatus(status: string | undefined): string {
  const s = status?.toLowerCase();
  if (!s) return "unknown";
  return s === "running" ? "active" : s;
}

/** Renewal period in months from `"M"`/`"Y"` (catalog, seed lines 44, 56) or `_month_or_year_`. */
export function periodMonths(period: string | undefined): number | undefined {
  const p = period?.trim().toLowerCase() ?? "";
  const m = /^(\d+)?\s*(m|mo|months?|monthly|y|yr|years?|yearly|annual(?:ly)?)$/.exec(p);
  if (!m) return undefined;
  const n = m[1] ? Number(m[1]) : 1;
  const unit = m[2] ?? "";
  return n > 0 ? (unit.startsWith("m") ? n : n * 12) : undefined;
}

function toService(rec: ServiceRecord, raw: unknown): Service {
  // Texts shown in chat: a description could hold anything, so each is sanitized when it looks
  // like it carries a secret.
  const r = {
    ...rec,
    description: rec.description === undefined ? undefined : safeText(rec.description),
    family: rec.family === undefined ? undefined : safeText(rec.family),
    host_name: rec.host_name === undefined ? undefined : safeText(rec.host_name),
  };
  return {
    id: r.id,
    label: r.host_name ?? r.description ?? r.family ?? `service ${r.id}`,
    product:
      r.family && r.description ? `${r.family} (${r.description})` : (r.family ?? r.description ?? "VPS"),
    status: mapServiceStatus(r.status),
    expiresAt: r.end_dt,
    autorenew: r.autorenew,
    ...(r.host_name ? { hostname: r.host_name } : {}),
    ...(r.ipv4 ? { ipv4: r.ipv4 } : {}),
    ...(r.ipv6 ? { ipv6: r.ipv6 } : {}),
    raw: sanitizeRaw(raw),
  };
}

function serviceLabel(details: unknown, id: string): string {
  const r = serviceRecord.safeParse(details);
  const name = r.success ? (r.data.host_name ?? r.data.description) : undefined;
  return name ? `${safeText(name)} (service ${id})` : `service ${id}`;
}

function toRenewOption(o: RenewOption): { id: string; label: string; price?: Money } {
  const months = periodMonths(o.period);
  const period =
    months === undefined
      ? o.period
      : months % 12 === 0
        ? plural(months / 12, "year")
        : plural(months, "month");
  const label = [o.name ?? o.description ?? `option ${o.id}`, period].filter(Boolean).join(", ");
  return o.price !== null && o.currency
    ? { id: o.id, label, price: { amount: o.price, currency: o.currency.toUpperCase() } }
    : { id: o.id, label };
}

/** The cheapest option when all are priced in one currency; otherwise the first listed. */
export function defaultOption(options: RenewOption[]): RenewOption | undefined {
  const first = options[0];
  if (!first) return undefined;
  if (first.price === null) return first;
  let best = { option: first, price: first.price };
  for (const o of options) {
    if (o.price === null || o.currency !== first.currency) return first;
    if (compareDecimal(o.price, best.price) < 0) best = { option: o, price: o.price };
  }
  return best.option;
}

function domainName(r: {
  id: string;
  name?: string;
  domain_name?: string;
  description?: string;
  family?: string;
}) {
  // The list documents no name field (seed lines 463-472); the description is the likeliest
  // holder of the full name, which GET /domain/{domain_id_or_full_name} accepts (lines 478-481).
  return r.name ?? r.domain_name ?? r.description ?? `${r.family ?? "domain"} ${r.id}`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

function refused(message: string): ProviderError {
  return new ProviderError("VALIDATION", message, { provider: P, retryable: false });
}

/**
 * Adds what was being done to an error from a mutating call. A 403 there comes after a read with
 * the same key succeeded, so it means "this action is not allowed", not "wrong credentials".
 */
function inContext(err: unknown, context: string): ProviderError {
  const e = toProviderError(P, err);
  const code = e.status === 403 ? "VALIDATION" : e.code;
  const why = e.status === 403 ? "Host4Coins refused the action (HTTP 403 Forbidden)." : e.message;
  return new ProviderError(code, `${context}: ${why}`, {
    provider: P,
    status: e.status,
    retryable: e.retryable,
  });
}

// ---- tasks ---------------------------------------------------------------------------------

const TASK_REF = "h4c-task";

/**
 * Builds the ref for an H4C task. Tasks have no id (seed lines 285-295, H4C-18), so the ref is
 * the service, the action and the `dt_pending` the API showed; an empty `dt_pending` means
 * "the latest task with this action on this service".
 */
export function host4coinsTaskRef(task: { service_id: string; action: string; dt_pending?: string }): string {
  return [TASK_REF, task.service_id, task.action, task.dt_pending ?? ""].map(encodeURIComponent).join(":");
}

function parseTaskRef(ref: string): { serviceId: string; action: string; dtPending: string } {
  const parts = ref.split(":");
  if (parts.length !== 4 || parts[0] !== TASK_REF)
    throw new ProviderError("VALIDATION", "This is not a Host4Coins task reference.", {
      provider: P,
      retryable: false,
    });
  try {
    const [, serviceId = "", action = "", dtPending = ""] = parts.map(decodeURIComponent);
    if (!serviceId || !action) throw new Error("empty");
    return { serviceId, action, dtPending };
  } catch {
    throw new ProviderError("VALIDATION", "This Host4Coins task reference is damaged.", {
      provider: P,
      retryable: false,
    });
  }
}

/** `dt_pending` has no stated format (`_date_`, seed line 294): equal text, or the same instant. */
function sameMoment(a: string, b: string): boolean {
  if (a === b) return true;
  const [da, db] = [parseH4cDate(a), parseH4cDate(b)];
  return da !== null && db !== null && da.getTime() === db.getTime();
}

function toTaskStatus(t: TaskRecord): TaskStatus {
  const status = t.status?.toLowerCase() ?? "";
  // Task statuses: pending/doing/done/cancelled/failed (seed line 281).
  const state: TaskStatus["state"] =
    status === "done" ? "succeeded" : status === "failed" || status === "cancelled" ? "failed" : "running";
  const on = t.host_name ?? t.service_description ?? `service ${t.service_id}`;
  const extended = t.status_extended ? ` (${redactTaskText(t.status_extended)})` : "";
  return {
    state,
    summary: `Host4Coins task "${t.action ?? "unknown"}" on ${on}: ${status || "unknown"}${extended}.`,
  };
}

/**
 * Task texts are shown in the channel. No third-party client shows what `status_extended` holds
 * (test/fixtures/real/host4coins/SOURCES.md); it is read like every provider text: markup
 * removed, labelled secrets and registered secrets redacted.
 */
export function redactTaskText(text: string): string {
  return sanitizeProviderText(text).replace(/\s+/g, " ").trim().slice(0, 200);
}
