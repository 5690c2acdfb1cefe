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
  /** What the admin said about the account's PIN; absent = "auto" (learn from HOSTKEY). */
  pinMode?: "auto" | "ask" | "never";
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
  readonly pinMode: "auto" | "ask" | "never";
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
    this.pinMode = ctx.credentials.pinMode ?? "auto";
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
    try {
      await this.login();
    } catch (err) {
      // HOSTKEY knows the key but opens no session for an account without servers (its Terraform
      // provider says the same): the account can be added; its lists stay empty until a server exists.
      if (isNoServers(err)) {
        this.log.info({ provider: "hostkey" }, "HOSTKEY account has no servers (NO_APPROPRIATE_SERVERS)");
        return;
      }
      throw err;
    }
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
    let info: Awaited<ReturnType<typeof api.authInfo>>;
    try {
      info = await this.withSession((t) => api.authInfo(this.http, t));
    } catch (err) {
      // An account without servers gets no session at all: that is an empty list, not an outage.
      if (isNoServers(err)) return [];
      throw err;
    }
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
    const pin = optionalPin(opts);
    if (!/^\d+$/.test(opts.osId.trim()))
      throw new ProviderError("VALIDATION", `HOSTKEY OS ids are numbers; "${opts.osId}" is not one.`, {
        provider: "hostkey",
        retryable: false,
        notSent: true,
      });
    // order_instance's hostname "Defaults to the instance ID" (line 2742): keep the current one.
    // This read comes before anything is sent: its failure proves the reinstall did not start.
    const show = await notSent(this.withSession((t) => api.eqShow(this.http, t, sid)));
    const hostname = show.data.tags.hostname ?? show.data.server_data.hostname ?? undefined;
    // root_pass is required (line 2745) and must fit HOSTKEY's rules (generateRootPassword); it is
    // generated here, sent once, never returned or logged.
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
    const key = started.callback ?? started.key ?? undefined;
    // A reinstall is a deploy: it ends only in the states HOSTKEY's Terraform provider treats as final.
    const taskRef = key ? `${DEPLOY_PREFIX}${key}` : undefined;
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
    const trimmed = ref.trim();
    const deploy = trimmed.startsWith(DEPLOY_PREFIX);
    const key = deploy ? trimmed.slice(DEPLOY_PREFIX.length) : trimmed;
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
    const state = callbackState(body, deploy);
    const detail = taskText(body.scope) || taskText(body.debug) || contextText(body.context);
    if (state.kind === "failed")
      return this.rememberTask(key, {
        state: "failed",
        summary: `HOSTKEY reports that ${describeContext(body.context)} ${state.reason}${detail ? `: ${detail}` : "."}`,
      });
    if (state.kind === "done") {
      const what = describeContext(body.context);
      const ip = contextIp(body.context);
      return this.rememberTask(key, {
        state: "succeeded",
        summary: `HOSTKEY finished ${what}${ip ? ` (IP ${ip})` : ""}${detail ? `: ${detail}` : "."}`,
      });
    }
    // "Not ready" while running; "Stage" with " (1/5) OS installation started" during a reinstall
    // (line 3739); "OK" with scope "pending" while a deploy runs.
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
    const pin = optionalPin(opts);
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
    return toService(id, show.data, show.raw, billing);
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
    const amount = r.total;
    if (amount === null)
      // HOSTKEY sends invalid decimals such as "2.5.00" (line 1759, HK-14), or no total at all: the
      // total is unknown, never a made-up 0.00.
      this.log.warn({ provider: "hostkey", invoiceId: r.id }, "invoice total is missing or not a number");
    let currency = r.currencycode?.toUpperCase() ?? currencyFromAffixes(r.currencyprefix, r.currencysuffix);
    if (!currency) {
      this.log.warn({ provider: "hostkey", invoiceId: r.id }, "invoice has no currency; assuming EUR");
      currency = "EUR"; // HOSTKEY B.V. prices in EUR (presets/list "price in EUR", line 1847)
    }
    return {
      id: r.id,
      issuedAt: r.date,
      dueAt: r.duedate,
      total: amount === null ? null : { amount, currency },
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
    // A failed login happens before the call is sent: nothing was done.
    const token = await notSent(this.sessionToken());
    try {
      return await call(token);
    } catch (err) {
      if (!isSessionRejection(err)) throw err;
      this.log.info({ provider: "hostkey" }, "session token rejected; logging in again");
      const fresh = await notSent(this.sessionToken(token));
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
    let result: api.LoginAnswer;
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

function isNoServers(err: unknown): boolean {
  return err instanceof HostkeyApiError && err.kind === "no_servers";
}

/** Marks a failure of a step that comes before the mutating call as "nothing was sent". */
async function notSent<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (!(err instanceof ProviderError) || err.notSent) throw err;
    if (err instanceof HostkeyApiError) {
      const copy = new HostkeyApiError(err.kind, err.code, err.message, err.detail);
      Object.defineProperty(copy, "notSent", { value: true });
      throw copy;
    }
    throw new ProviderError(err.code, err.message, {
      provider: "hostkey",
      retryable: err.retryable,
      status: err.status,
      notSent: true,
      pinRejected: err.pinRejected,
    });
  }
}

/** Task refs of deploys (reinstalls) carry this prefix, so getTask applies the deploy rules. */
const DEPLOY_PREFIX = "deploy:";

type CallbackState = { kind: "running" } | { kind: "done" } | { kind: "failed"; reason: string };

function lowerJson(v: unknown): string {
  if (v === undefined || v === null) return "";
  return (typeof v === "string" ? v : JSON.stringify(v)).toLowerCase();
}

function contextIp(context: unknown): string | undefined {
  if (!context || typeof context !== "object") return undefined;
  const c = context as Record<string, unknown>;
  const ip = typeof c.ip === "string" ? c.ip.trim() : typeof c.IP === "string" ? c.IP.trim() : "";
  return /^[0-9a-f.:]{3,45}$/i.test(ip) ? ip : undefined;
}

function contextHasServer(context: unknown): boolean {
  if (!context || typeof context !== "object") return false;
  const id = (context as Record<string, unknown>).id;
  const hasId = (typeof id === "string" && id.trim() !== "") || (typeof id === "number" && id > 0);
  return hasId && contextIp(context) !== undefined;
}

/**
 * Where an eq_callback answer stands. For a deploy (reinstall) the rules of HOSTKEY's own Terraform
 * provider (internal/invapi/callback.go, `callbackTerminal`): done only when `scope` says
 * "deploy_done" or "autodeploy completed", or `context` carries the server id and its IP; failed
 * when `result` is Error/Failed/Cancelled, or scope/context/debug says cancelled, aborted,
 * rejected, failed or error; anything else (`"result":"OK","scope":"pending"`, "Not ready",
 * "Stage") is still running. A power action is done on "OK"/"success" unless its scope says pending.
 */
export function callbackState(
  body: { result?: unknown; scope?: unknown; context?: unknown; debug?: unknown },
  deploy: boolean,
): CallbackState {
  const result = typeof body.result === "string" ? body.result.trim().toLowerCase() : "";
  const scope = lowerJson(body.scope);
  if (scope.includes("deploy_done") || scope.includes("autodeploy completed")) return { kind: "done" };
  if (contextHasServer(body.context)) return { kind: "done" };
  if (["error", "failed", "fail", "cancelled", "canceled"].includes(result))
    return { kind: "failed", reason: /cancel/.test(result) ? "was cancelled" : "failed" };
  const blob = `${scope} ${lowerJson(body.context)} ${lowerJson(body.debug)}`;
  if (/cancelled|canceled|cancel_request|"status":"cancel"/.test(blob))
    return { kind: "failed", reason: "was cancelled" };
  if (/aborted|rejected|failure|failed|error/.test(blob)) return { kind: "failed", reason: "failed" };
  if (deploy) return { kind: "running" };
  if ((result === "ok" || result === "success") && scope.trim().replace(/"/g, "") !== "pending")
    return { kind: "done" };
  return { kind: "running" };
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

/**
 * The PIN is optional: an account can switch it off, and HOSTKEY's own clients (Terraform provider,
 * WHMCS module) never send one. When the approver typed one it is sent (never stored, line 938);
 * when not, the call goes without it and a PIN refusal comes back as `pinRejected`.
 */
function optionalPin(opts: PinOption | undefined): string | undefined {
  const pin = opts?.pin?.trim();
  if (!pin) return undefined;
  // `pin | * | int`: a malformed PIN would still count as a failed attempt towards the lock-out.
  if (!/^\d{1,32}$/.test(pin))
    throw new ProviderError("VALIDATION", "A HOSTKEY PIN is made of digits only.", {
      provider: "hostkey",
      retryable: false,
      notSent: true,
      pinRejected: true,
    });
  return pin;
}

const pinUses = new Map<string, number>();

/** Treats the PIN as a secret (scrubbed from every message) only while a call that carries it runs. */
async function withPinSecret<T>(pin: string | undefined, run: () => Promise<T>): Promise<T> {
  if (pin === undefined) return run();
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

/**
 * eq/show `status`: "rent" (and "Active") = active. "power_off" is a powered-off machine (HOSTKEY's
 * Terraform provider maps power_off, poweroff, off and stopped to power state "off", eq_power.go),
 * not a suspension, whatever the seed's wording (line 3157, HK-23): a suspension shows in billing.
 */
function serverStatus(status: string | null): ServiceStatus {
  switch (status?.trim().toLowerCase()) {
    case "rent":
    case "active":
      return "active";
    case "power_off":
    case "poweroff":
    case "off":
    case "stopped":
      return "stopped";
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
  requestedId: string,
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
  const hostname = show.tags.hostname ?? sd.hostname ?? undefined;
  const id = sd.id ?? requestedId;
  const service: Service = {
    id,
    label: hostname ?? `Server ${id}`,
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
  const ipv4 = show.IP.ipv4 ?? show.ip.ipv4;
  const ipv6 = show.IP.ipv6 ?? show.ip.ipv6;
  if (ipv4) service.ipv4 = ipv4;
  if (ipv6) service.ipv6 = ipv6;
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

/** A reason carried inside `context` (`{"error":"deploy aborted by panel"}`, `{"status":"cancelled"}`). */
function contextText(context: unknown): string {
  if (!context || typeof context !== "object") return "";
  const c = context as Record<string, unknown>;
  return taskText(c.error) || taskText(c.message) || taskText(c.status);
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

/** The four characters HOSTKEY accepts besides letters and digits in a root password. */
export const ROOT_PASS_SPECIALS = "%-_+";

/**
 * HOSTKEY's root password rules (the `root_pass` validator of its Terraform provider,
 * validators_root_pass.go): 8-30 characters of letters, digits and `%`, `-`, `_`, `+` only (so never
 * `@` or `#`), with an upper and a lower case letter, a digit and at least one of the four
 * specials, and not starting with a special.
 */
export function isValidRootPassword(pass: string): boolean {
  return (
    /^[A-Za-z0-9][A-Za-z0-9%_+-]{7,29}$/.test(pass) &&
    /[A-Z]/.test(pass) &&
    /[a-z]/.test(pass) &&
    /[0-9]/.test(pass) &&
    /[%_+-]/.test(pass)
  );
}

/** A crypto-random root password that meets {@link isValidRootPassword}; 24 characters by default. */
export function generateRootPassword(length = 24): string {
  if (!Number.isInteger(length) || length < 8 || length > 30)
    throw new RangeError("a HOSTKEY root password has 8 to 30 characters");
  const upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  const lower = "abcdefghijkmnopqrstuvwxyz";
  const digits = "23456789";
  const alnum = upper + lower + digits;
  const all = alnum + ROOT_PASS_SPECIALS;
  const pick = (set: string) => set.charAt(randomInt(set.length));
  // The first character is never a special; the rest holds one of each class, then random fill.
  const first = pick(alnum);
  const rest = [pick(upper), pick(lower), pick(digits), pick(ROOT_PASS_SPECIALS)];
  while (rest.length < length - 1) rest.push(pick(all));
  for (let i = rest.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [rest[i], rest[j]] = [rest[j] as string, rest[i] as string];
  }
  return first + rest.join("");
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
