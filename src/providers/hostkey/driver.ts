import { randomInt } from "node:crypto";
import { type Logger, silentLogger } from "../../observability/logger.ts";
import { forgetSecret, registerSecret } from "../../observability/secrets.ts";
import type { DriverContext } from "../_shared/entry.ts";
import type { HttpClient } from "../_shared/http.ts";
import { stripSecrets } from "../_shared/normalize.ts";
import {
  type ActionResult,
  type Capability,
  type Invoice,
  type InvoiceStatus,
  type Money,
  type OperatingSystem,
  type PinOption,
  type ProviderDriver,
  ProviderError,
  type Service,
  type ServiceStatus,
  type TaskStatus,
} from "../types.ts";
import * as api from "./client.ts";
import { HostkeyApiError } from "./client.ts";
import type { BillingData, EqShow, InvoiceRecord } from "./schemas.ts";

/**
 * HOSTKEY invapi driver ("line N" = a line in shared/seeds/hostkey-invapi.txt; see readme.md).
 * Auth: the API key buys a session token (auth/login, ~2 h); the token is cached here, renewed a
 * minute before `token_expire`, and renewed once more when HOSTKEY rejects it; never in a loop.
 */

export interface HostkeyCredentials {
  apiKey: string;
}

/** Renew the session this long before `token_expire`. */
const REFRESH_MARGIN_MS = 60_000;
/** When `token_expire` is missing: the documented default TTL, 7200 s (line 284). */
const DEFAULT_TOKEN_TTL_MS = 7_200_000;
/** eq/show is heavy (HK-22): this many servers are fetched at once. */
const SHOW_CONCURRENCY = 4;
const INVOICE_PAGE_SIZE = 100;
const MAX_INVOICE_PAGES = 50;
/** Finished tasks kept in memory: the callback key is deleted once its final result is read. */
const MAX_REMEMBERED_TASKS = 500;
const DAY_MS = 86_400_000;

const CAPABILITIES = [
  "getBalance",
  "listServices",
  "getService",
  "listInvoices",
  "reboot",
  "powerOn",
  "powerOff",
  "listOperatingSystems",
  "reinstall",
  "cancelService",
  "getTask",
] as const satisfies readonly Capability[];

interface Session {
  token: string;
  /** When to stop using the token and log in again (ms since epoch). */
  renewAt: number;
}

export class HostkeyDriver implements ProviderDriver {
  readonly kind = "hostkey" as const;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(CAPABILITIES);
  private readonly http: HttpClient;
  private readonly apiKey: string;
  private readonly log: Logger;
  private session: Session | undefined;
  /** The token before the current one, still scrubbed until the next login replaces it. */
  private retiredToken: string | undefined;
  private loggingIn: Promise<Session> | undefined;
  private readonly finishedTasks = new Map<string, TaskStatus>();

  constructor(ctx: DriverContext<HostkeyCredentials>) {
    this.apiKey = ctx.credentials.apiKey;
    this.log = ctx.log ?? silentLogger;
    this.http = api.createHostkeyHttp({
      baseUrl: ctx.baseUrl,
      apiKey: this.apiKey,
      timeoutMs: ctx.timeoutMs,
      retries: ctx.retries,
      log: ctx.log,
    });
  }

  async verifyCredentials(): Promise<void> {
    await this.login();
  }

  async getBalance(): Promise<Money> {
    const client = await this.withSession((t) => api.getClient(this.http, t));
    if (client.credit === null)
      throw unexpected(
        "HOSTKEY sent an account credit that is not a number (whmcs/get_client client.credit).",
      );
    if (!client.currency_code)
      throw unexpected(
        "HOSTKEY sent no currency for the account credit (whmcs/get_client client.currency_code).",
      );
    return { amount: client.credit, currency: client.currency_code.toUpperCase() };
  }

  async listServices(): Promise<Service[]> {
    // eq/list returns only ids (HK-22); the token's own server list is in auth/info (line 717).
    const info = await this.withSession((t) => api.authInfo(this.http, t));
    const ids = [...new Set(info.servers ?? [])];
    const services = await mapLimit(ids, SHOW_CONCURRENCY, async (id) => {
      try {
        return await this.loadService(id);
      } catch (err) {
        // The token caches its server list (line 2767): a released server can still be listed.
        if (err instanceof ProviderError && err.code === "NOT_FOUND") {
          this.log.warn({ provider: "hostkey", serverId: id }, "listed server not found; skipped");
          return undefined;
        }
        throw err;
      }
    });
    return services.filter((s): s is Service => s !== undefined);
  }

  async getService(id: string): Promise<Service> {
    return this.loadService(serverId(id));
  }

  async listInvoices(): Promise<Invoice[]> {
    const byId = new Map<string, InvoiceRecord>();
    const first = await this.withSession((t) => api.getInvoices(this.http, t));
    for (const r of first.invoices) byId.set(r.id, r);
    const total = first.totalresults;
    let offset = first.invoices.length;
    // WHMCS pages the list: "totalresults": 6 with "numreturned": 5 (line 1622).
    for (let page = 1; total !== null && byId.size < total && page < MAX_INVOICE_PAGES; page++) {
      const before = byId.size;
      const next = await this.withSession((t) =>
        api.getInvoices(this.http, t, { limitstart: offset, limitnum: INVOICE_PAGE_SIZE }),
      );
      for (const r of next.invoices) byId.set(r.id, r);
      offset += next.invoices.length;
      if (byId.size === before) break; // the paging parameters were ignored: nothing new
    }
    if (total !== null && byId.size < total)
      this.log.warn(
        { provider: "hostkey", received: byId.size, total },
        "HOSTKEY invoice list is incomplete after paging",
      );
    const now = Date.now();
    return [...byId.values()].map((r) => this.toInvoice(r, now));
  }

  reboot(id: string, opts?: PinOption): Promise<ActionResult> {
    return this.power("reboot", "the reboot", id, opts);
  }

  powerOn(id: string, opts?: PinOption): Promise<ActionResult> {
    return this.power("on", "powering on", id, opts);
  }

  powerOff(id: string, opts?: PinOption): Promise<ActionResult> {
    return this.power("off", "powering off", id, opts);
  }

  async listOperatingSystems(serviceId: string): Promise<OperatingSystem[]> {
    const sid = serverId(serviceId);
    // os/list's `instance_id` is a preset id, which eq/show does not give (it names the preset);
    // so list every OS and keep those tagged for this server's kind (bm, vm, gpu, vgpu; line 2134).
    const [show, list] = await Promise.all([
      this.withSession((t) => api.eqShow(this.http, t, sid)),
      api.osList(this.http),
    ]);
    const kind = serverKind(show.data);
    return list
      .filter((os) => os.active === undefined || os.active === 1 || os.active === "1" || os.active === true)
      .filter((os) => !kind || !os.tags.some((t) => SERVER_KINDS.has(t)) || os.tags.includes(kind))
      .map((os) => ({ id: os.id, name: os.name }));
  }

  async reinstall(id: string, opts: { osId: string; sshKey?: string; pin?: string }): Promise<ActionResult> {
    const sid = serverId(id);
    const pin = requirePin(opts);
    if (!/^\d+$/.test(opts.osId.trim()))
      throw new ProviderError("VALIDATION", `HOSTKEY OS ids are numbers; "${opts.osId}" is not one.`, {
        provider: "hostkey",
        retryable: false,
      });
    // order_instance's hostname "Defaults to the instance ID" (line 2742): keep the current one.
    const show = await this.withSession((t) => api.eqShow(this.http, t, sid));
    const hostname = show.data.tags.hostname;
    // root_pass is required (line 2745); it is generated here, sent once, never returned or logged.
    const rootPass = generateRootPassword();
    registerSecret(rootPass);
    const started = await withPinSecret(pin, () =>
      this.withSession((t) =>
        api.reinstall(this.http, t, {
          id: sid,
          pin,
          osId: opts.osId.trim(),
          rootPass,
          hostname,
          sshKey: opts.sshKey?.trim() || undefined,
        }),
      ),
    );
    const taskRef = started.callback ?? started.key ?? undefined;
    const name = hostname ? `server ${sid} (${hostname})` : `server ${sid}`;
    return {
      summary:
        `HOSTKEY started reinstalling ${name} with OS #${opts.osId.trim()}; everything on its disks will be erased. ` +
        "A new random root password was set and is not shown here: reset or retrieve it in the HOSTKEY panel " +
        "(invapi.hostkey.com). HOSTKEY sends no email when this reinstall finishes." +
        (taskRef ? "" : " HOSTKEY gave no task key; follow the progress in the HOSTKEY panel."),
      taskRef,
    };
  }

  async cancelService(id: string, opts: { immediate: boolean; reason: string }): Promise<ActionResult> {
    const sid = serverId(id);
    await this.withSession((t) =>
      api.requestCancellation(this.http, t, { id: sid, immediate: opts.immediate, reason: opts.reason }),
    );
    // cancellation_type: "1 - immediate cancellation with partial refund (if possible), 0 - at the
    // end of the current billing period" (line 1786).
    return {
      summary: opts.immediate
        ? `HOSTKEY accepted an immediate cancellation request for server ${sid} (partial refund where possible).`
        : `HOSTKEY accepted a request to cancel server ${sid} at the end of its current billing period.`,
    };
  }

  async getTask(ref: string): Promise<TaskStatus> {
    const key = ref.trim();
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(key))
      throw new ProviderError("VALIDATION", "That is not a HOSTKEY task key.", {
        provider: "hostkey",
        retryable: false,
      });
    const finished = this.finishedTasks.get(key);
    if (finished) return finished;
    let body: Awaited<ReturnType<typeof api.checkCallback>>;
    try {
      body = await this.withSession((t) => api.checkCallback(this.http, t, key));
    } catch (err) {
      if (err instanceof HostkeyApiError && err.kind === "not_found")
        throw new ProviderError(
          "NOT_FOUND",
          "HOSTKEY no longer knows this task: its key is deleted once the final result has been read.",
          { provider: "hostkey", retryable: false },
        );
      if (err instanceof HostkeyApiError && err.kind !== "auth" && err.kind !== "malformed") {
        const summary =
          err.kind === "pin"
            ? "HOSTKEY rejected the PIN, so the action did not run."
            : `HOSTKEY reports that the action failed${err.detail ? `: ${err.detail}` : "."}`;
        return this.rememberTask(key, { state: "failed", summary });
      }
      throw err;
    }
    const result = typeof body.result === "string" ? body.result.trim() : "";
    const detail = taskText(body.scope) || taskText(body.debug);
    if (/^(ok|success)$/i.test(result)) {
      const what = describeContext(body.context);
      return this.rememberTask(key, {
        state: "succeeded",
        summary: `HOSTKEY finished ${what}${detail ? `: ${detail}` : "."}`,
      });
    }
    // "Not ready" while running; "Stage" with " (1/5) OS installation started" during a reinstall (line 3739).
    return { state: "running", summary: `HOSTKEY is still working on it${detail ? `: ${detail}` : "."}` };
  }

  // --- internals -----------------------------------------------------------------------------

  private async power(
    action: "on" | "off" | "reboot",
    what: string,
    id: string,
    opts: PinOption | undefined,
  ): Promise<ActionResult> {
    const sid = serverId(id);
    const pin = requirePin(opts);
    const started = await withPinSecret(pin, () =>
      this.withSession((t) => api.power(this.http, t, action, sid, pin)),
    );
    // "This action has an asynchronous response" (lines 3663-3687): the callback key tracks it.
    const taskRef = started.callback ?? started.key ?? undefined;
    return {
      summary:
        `HOSTKEY accepted ${what} of server ${sid}.` +
        (taskRef ? "" : " HOSTKEY gave no task key; check the server in the HOSTKEY panel."),
      taskRef,
    };
  }

  private async loadService(id: string): Promise<Service> {
    const [show, billing] = await Promise.all([
      this.withSession((t) => api.eqShow(this.http, t, id)),
      this.billingData(id),
    ]);
    return toService(show.data, show.raw, billing);
  }

  /** Price and cycle for the runway forecast; a failure only drops them (the service still lists). */
  private async billingData(id: string): Promise<{ data: BillingData; raw: unknown } | undefined> {
    try {
      return await this.withSession((t) => api.getBillingData(this.http, t, id));
    } catch (err) {
      if (err instanceof ProviderError && err.code === "AUTH_FAILED") throw err;
      const code = err instanceof ProviderError ? err.code : "UNEXPECTED_RESPONSE";
      this.log.warn(
        { provider: "hostkey", serverId: id, code },
        "billing data unavailable; no renewal price",
      );
      return undefined;
    }
  }

  private toInvoice(r: InvoiceRecord, now: number): Invoice {
    let amount = r.total;
    if (amount === null) {
      // HOSTKEY sends invalid decimals such as "2.5.00" (line 1759, HK-14).
      this.log.warn({ provider: "hostkey", invoiceId: r.id }, "invoice total is not a number; shown as 0.00");
      amount = "0.00";
    }
    let currency = r.currencycode?.toUpperCase() ?? currencyFromAffixes(r.currencyprefix, r.currencysuffix);
    if (!currency) {
      this.log.warn({ provider: "hostkey", invoiceId: r.id }, "invoice has no currency; assuming EUR");
      currency = "EUR"; // HOSTKEY B.V. prices in EUR (presets/list "price in EUR", line 1847)
    }
    return {
      id: r.id,
      issuedAt: r.date,
      dueAt: r.duedate,
      total: { amount, currency },
      status: invoiceStatus(r.status, r.duedate, now),
      raw: stripHostkeySecrets(r.raw),
    };
  }

  private rememberTask(key: string, status: TaskStatus): TaskStatus {
    this.finishedTasks.set(key, status);
    while (this.finishedTasks.size > MAX_REMEMBERED_TASKS) {
      const oldest = this.finishedTasks.keys().next().value;
      if (oldest === undefined) break;
      this.finishedTasks.delete(oldest);
    }
    return status;
  }

  /**
   * Runs one call with a valid session token. When HOSTKEY rejects the token (expired, or bound to
   * an IP that changed, line 277) it logs in again and repeats the call once: the rejected call did
   * nothing, so repeating it is safe even for a mutating action. A second rejection is final.
   */
  private async withSession<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.sessionToken();
    try {
      return await call(token);
    } catch (err) {
      if (!isSessionRejection(err)) throw err;
      this.log.info({ provider: "hostkey" }, "session token rejected; logging in again");
      const fresh = await this.sessionToken(token);
      try {
        return await call(fresh);
      } catch (again) {
        if (!isSessionRejection(again)) throw again;
        throw new ProviderError(
          "AUTH_FAILED",
          "HOSTKEY rejected a fresh session token as well: the API key may not allow this action, or its token is bound to another IP address.",
          { provider: "hostkey", retryable: false },
        );
      }
    }
  }

  /** The cached token, or a new one when it is about to expire or is the one just rejected. */
  private async sessionToken(rejected?: string): Promise<string> {
    const s = this.session;
    if (s && s.token !== rejected && Date.now() < s.renewAt) return s.token;
    return (await this.login()).token;
  }

  /** auth/login, shared by concurrent callers. */
  private login(): Promise<Session> {
    this.loggingIn ??= this.doLogin().finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  private async doLogin(): Promise<Session> {
    let result: Awaited<ReturnType<typeof api.login>>;
    try {
      result = await api.login(this.http, this.apiKey);
    } catch (err) {
      throw loginError(err);
    }
    // Tokens renew at every login: scrub the new one, and forget the one before the previous (the
    // previous may still be in a request in flight), so the scrubber keeps two tokens, not all.
    registerSecret(result.token);
    forgetSecret(this.retiredToken);
    this.retiredToken = this.session?.token;
    const now = Date.now();
    const expires = result.token_expire ? result.token_expire * 1000 : now + DEFAULT_TOKEN_TTL_MS;
    let renewAt = expires - REFRESH_MARGIN_MS;
    if (renewAt <= now) {
      // token_expire already past: our clock and HOSTKEY's disagree. Use the token for a minute.
      this.log.warn({ provider: "hostkey" }, "token_expire is not in the future; clocks may disagree");
      renewAt = now + REFRESH_MARGIN_MS;
    }
    const session = { token: result.token, renewAt };
    this.session = session;
    return session;
  }
}

// --- helpers -------------------------------------------------------------------------------------

function unexpected(message: string): ProviderError {
  return new ProviderError("UNEXPECTED_RESPONSE", message, { provider: "hostkey", retryable: false });
}

function isSessionRejection(err: unknown): boolean {
  return err instanceof ProviderError && err.code === "AUTH_FAILED";
}

/**
 * The seed documents no failed auth/login (line 286 shows only the positive answer), so any refusal
 * that reads like one (auth text, "invalid"/"wrong", "not found", PIN-style "Blocked", or a bare -1)
 * means the key was not accepted. A provider-side error with another text, and transport errors,
 * stay what they are.
 */
function loginError(err: unknown): unknown {
  const refusedKinds = new Set(["auth", "pin", "not_found", "refused"]);
  const refused =
    (err instanceof HostkeyApiError &&
      (refusedKinds.has(err.kind) || (err.kind === "error" && !err.detail))) ||
    (err instanceof ProviderError && err.code === "AUTH_FAILED");
  if (!refused) return err;
  return new ProviderError("AUTH_FAILED", "HOSTKEY rejected the credentials: the API key was not accepted.", {
    provider: "hostkey",
    retryable: false,
    status: err instanceof ProviderError ? err.status : undefined,
  });
}

/** HOSTKEY server ids are integers (`id | * | int | server ID`, eq/show table, line 3183). */
function serverId(id: string): string {
  const v = String(id).trim();
  if (!/^\d+$/.test(v))
    throw new ProviderError("VALIDATION", `HOSTKEY server ids are numbers; "${v.slice(0, 40)}" is not one.`, {
      provider: "hostkey",
      retryable: false,
    });
  return v;
}

/** The PIN is typed by the approver for each action and never stored (line 938). */
function requirePin(opts: PinOption | undefined): string {
  const pin = opts?.pin?.trim();
  if (!pin)
    throw new ProviderError("VALIDATION", "HOSTKEY needs the account PIN for this action", {
      provider: "hostkey",
      retryable: false,
    });
  // `pin | * | int`: a malformed PIN would still count as a failed attempt towards the lock-out.
  if (!/^\d{1,32}$/.test(pin))
    throw new ProviderError("VALIDATION", "A HOSTKEY PIN is made of digits only.", {
      provider: "hostkey",
      retryable: false,
    });
  return pin;
}

const pinUses = new Map<string, number>();

/** Treats the PIN as a secret (scrubbed from every message) only while a call that carries it runs. */
async function withPinSecret<T>(pin: string, run: () => Promise<T>): Promise<T> {
  pinUses.set(pin, (pinUses.get(pin) ?? 0) + 1);
  registerSecret(pin);
  try {
    return await run();
  } finally {
    const left = (pinUses.get(pin) ?? 1) - 1;
    if (left <= 0) {
      pinUses.delete(pin);
      forgetSecret(pin);
    } else pinUses.set(pin, left);
  }
}

const SECRET_TAG = /pass|secret|token|api_?key|^pin$|credential/i;

/**
 * stripSecrets plus HOSTKEY's tag lists: eq/show keeps the root password as a tag
 * (`{"tag": "password", "value": "wK5Vjwx_BC"}`, line 3566, HK-21), which key-based stripping misses.
 */
export function stripHostkeySecrets<T>(value: T): T {
  return dropSecretTags(stripSecrets(value)) as T;
}

function dropSecretTags(value: unknown): unknown {
  if (Array.isArray(value))
    return value
      .filter(
        (v) =>
          !(
            v &&
            typeof v === "object" &&
            typeof (v as { tag?: unknown }).tag === "string" &&
            SECRET_TAG.test((v as { tag: string }).tag)
          ),
      )
      .map(dropSecretTags);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = dropSecretTags(v);
    return out;
  }
  return value;
}

const SERVER_KINDS = new Set(["bm", "vm", "gpu", "vgpu"]);

function serverKind(show: EqShow): string | undefined {
  const hw = show.hardware;
  if (!hw) return undefined;
  if (hw.gpu) return hw.vm ? "vgpu" : "gpu";
  return hw.vm ? "vm" : "bm";
}

/** eq/show `status`: "rent" = active, "power_off" = "suspended for a reason" (line 3157, HK-23). */
function serverStatus(status: string | null): ServiceStatus {
  switch (status?.toLowerCase()) {
    case "rent":
      return "active";
    case "power_off":
      return "suspended";
    default:
      return "unknown";
  }
}

/** WHMCS product status from whmcs/get_billing_data `billing_status` ("Active", line 1365). */
function billingStatus(status: string | null | undefined): ServiceStatus {
  switch (status?.toLowerCase()) {
    case "active":
      return "active";
    case "pending":
      return "pending";
    case "suspended":
      return "suspended";
    case "terminated":
    case "cancelled":
      return "cancelled";
    default:
      return "unknown";
  }
}

const CYCLE_MONTHS: Record<string, number> = {
  monthly: 1,
  quarterly: 3,
  "semi-annually": 6,
  annually: 12,
  biennially: 24,
  triennially: 36,
};

const CURRENCY_SYMBOLS: Record<string, string> = { "€": "EUR", $: "USD", "£": "GBP", "₽": "RUB" };

/** WHMCS `currencyprefix`/`currencysuffix` ("" and "EUR", line 1378) to a currency code. */
function currencyFromAffixes(prefix: string | null, suffix: string | null): string | undefined {
  for (const v of [suffix, prefix]) {
    const s = v?.trim();
    if (!s) continue;
    if (/^[A-Za-z]{3}$/.test(s)) return s.toUpperCase();
    const bySymbol = CURRENCY_SYMBOLS[s];
    if (bySymbol) return bySymbol;
  }
  return undefined;
}

function toService(
  show: EqShow,
  raw: unknown,
  billing: { data: BillingData; raw: unknown } | undefined,
): Service {
  const sd = show.server_data;
  const b = billing?.data;
  const fromBilling = billingStatus(b?.billing_status);
  const fromServer = serverStatus(sd.status ?? sd.Condition_Component);
  const status =
    fromBilling === "pending" || fromBilling === "suspended" || fromBilling === "cancelled"
      ? fromBilling
      : fromServer !== "unknown"
        ? fromServer
        : fromBilling;
  const currency = b ? currencyFromAffixes(b.currencyprefix, b.currencysuffix) : undefined;
  const cycle = b?.billing_cycle ? CYCLE_MONTHS[b.billing_cycle.toLowerCase()] : undefined;
  const hostname = show.tags.hostname;
  const service: Service = {
    id: sd.id,
    label: hostname ?? `Server ${sd.id}`,
    product:
      show.preset_description ?? show.preset ?? sd.hwconfig ?? show.hardware?.config ?? sd.type ?? "Server",
    status,
    // server_data.due_date "2024-01-14" (line 3211) is the end of the paid period.
    expiresAt: sd.due_date ?? sd.datePeriod ?? b?.next_due_date ?? null,
    // Renewal is paid by invoice; auto-payment is an account-wide option, not per server.
    autorenew: null,
    raw: { server: stripHostkeySecrets(raw), billing: billing ? stripHostkeySecrets(billing.raw) : null },
  };
  if (hostname) service.hostname = hostname;
  if (show.IP.ipv4) service.ipv4 = show.IP.ipv4;
  if (show.IP.ipv6) service.ipv6 = show.IP.ipv6;
  if (b?.billing_reccuring && currency) service.renewalPrice = { amount: b.billing_reccuring, currency };
  if (cycle) service.billingCycleMonths = cycle;
  return service;
}

/** WHMCS invoice status; "overdue" = unpaid after the due day has ended. */
function invoiceStatus(status: string | null, dueAt: Date | null, now: number): InvoiceStatus {
  switch (status?.toLowerCase()) {
    case "paid":
      return "paid";
    case "unpaid":
    case "payment pending":
      return dueAt && now >= dueAt.getTime() + DAY_MS ? "overdue" : "unpaid";
    case "collections":
      return "overdue";
    case "cancelled":
      return "cancelled";
    default:
      return "unknown";
  }
}

/** First line of an async result text, secrets scrubbed, at most 200 characters. */
function taskText(v: unknown): string {
  if (typeof v !== "string") return "";
  const line = v.split("\n").find((l) => l.trim() !== "") ?? "";
  return api.safeDetail(line.replace(/(pass(word)?|token|secret)\s*[=:]\s*\S+/gi, "$1=[redacted]"));
}

function describeContext(context: unknown): string {
  if (!context || typeof context !== "object") return "the action";
  const c = context as Record<string, unknown>;
  const action =
    typeof c.action === "string" && /^[a-z_]{1,40}$/i.test(c.action) ? c.action.replace(/_/g, " ") : "";
  const id = typeof c.id === "string" || typeof c.id === "number" ? String(c.id) : "";
  if (action && /^\d+$/.test(id)) return `${action} of server ${id}`;
  return action ? action : "the action";
}

/** Strong random root password: 24 characters with upper, lower, digits and specials (line 2745). */
export function generateRootPassword(length = 24): string {
  const upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  const lower = "abcdefghijkmnopqrstuvwxyz";
  const digits = "23456789";
  const special = "-_.!@%+=^~";
  const all = upper + lower + digits + special;
  const pick = (set: string) => set.charAt(randomInt(set.length));
  const chars = [
    pick(upper),
    pick(upper),
    pick(lower),
    pick(lower),
    pick(digits),
    pick(digits),
    pick(special),
    pick(special),
  ];
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join("");
}

/** Runs `fn` over `items` with at most `limit` calls in flight; keeps the order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
