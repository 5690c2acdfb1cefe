import type { z } from "zod";
import type { Logger } from "../../observability/logger.ts";
import { createHttpClient, type HttpClient, parseResponse } from "../_shared/http.ts";
import { sanitizeProviderText } from "../_shared/redact.ts";
import { PROVIDER_NAMES, ProviderError, type ProviderKind } from "../types.ts";
import {
  balanceResponse,
  detailsResponse,
  domainResponse,
  domainsResponse,
  infoResponse,
  invoicesResponse,
  osesResponse,
  paymentsResponse,
  renewResponse,
  serverDetailsResponse,
  serversResponse,
  serviceResponse,
  servicesResponse,
  taskResponse,
  taskStartedResponse,
} from "./schemas.ts";

export type HostBillKind = Extract<ProviderKind, "hostens" | "time4vps" | "hostbill">;

export interface HostBillClientOptions {
  kind: HostBillKind;
  baseUrl: string;
  username: string;
  password: string;
  timeoutMs?: number;
  retries?: number;
  log?: Logger;
}

/** One entry of HostBill's `error` list: a code or text, sometimes `[code, argument]`. */
interface ErrorEntry {
  text: string;
  arg?: unknown;
}

/**
 * The entries of a HostBill `error`: a string, a list of strings, a list holding `[code, arg]`
 * pairs (`{"error":[["wait_x_between_action",24],"unauthorized"]}`, observed on Time4VPS), or an
 * object of field -> text. Texts are made safe to show (markup and labelled secrets removed).
 */
function errorEntries(error: unknown): ErrorEntry[] {
  const one = (e: unknown): ErrorEntry | undefined => {
    if (typeof e === "string") return e.trim() ? { text: sanitizeProviderText(e).trim() } : undefined;
    if (typeof e === "number") return { text: String(e) };
    if (Array.isArray(e) && typeof e[0] === "string")
      return { text: sanitizeProviderText(e[0]).trim(), arg: e[1] };
    if (e && typeof e === "object") return { text: sanitizeProviderText(JSON.stringify(e)).slice(0, 100) };
    return undefined;
  };
  if (Array.isArray(error)) return error.map(one).filter((e): e is ErrorEntry => e !== undefined);
  if (error && typeof error === "object")
    return Object.values(error)
      .map(one)
      .filter((e): e is ErrorEntry => e !== undefined);
  const e = one(error);
  return e ? [e] : [];
}

const NOT_FOUND_TEXT = /not found|no such|does not exist|invalid [\w ]*id\b|unknown [\w ]*id\b/i;
const FUNDS_TEXT = /insufficient (funds|credit|balance)|not enough (funds|credit|balance|money)/i;
const DENIED_TEXT = /access denied|permission denied|no permission|privilege|forbidden|unauthori[sz]ed/i;

const privilegeRefusals = new WeakSet<ProviderError>();

/**
 * True for a refusal of one call to a login that is otherwise valid (a HostBill contact login
 * without the privilege for it), as opposed to wrong credentials or a refused IP address.
 */
export function isPrivilegeRefusal(err: unknown): boolean {
  return err instanceof ProviderError && privilegeRefusals.has(err);
}

/**
 * HostBill's error envelope, decoded before the HTTP status is trusted. Neither seed documents
 * errors. What real clients see (test/fixtures/real/time4vps/SOURCES.md):
 * - bad login: `{"error":["wronglogin"]}` with HTTP 200 (the official PHP client), or with HTTP
 *   401 and a second entry, `{"error":["wronglogin","unauthorized"]}`;
 * - a login from an address outside the account's API allowlist: HTTP 401
 *   `{"error":["ipnotallowed","unauthorized"]}`;
 * - two actions on one server too close together: HTTP 401
 *   `{"error":[["wait_x_between_action",24],"unauthorized"]}`, a rate limit, not a lost login;
 * - the admin API adds `"success": false` (api2.hostbillapp.com/remote.html).
 */
export function decodeHostBillEnvelope(kind: HostBillKind) {
  const name = PROVIDER_NAMES[kind];
  return (body: unknown, status: number): ProviderError | undefined => {
    const ok2xx = status >= 200 && status < 300;
    const record =
      body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const entries = errorEntries(record.error);
    const failed = entries.length > 0 || record.success === false;
    if (!failed) {
      // A non-2xx without an envelope is left to the shared status mapping.
      return undefined;
    }
    const codes = new Set(entries.map((e) => e.text.toLowerCase()));
    const detail = entries
      .map((e) => e.text)
      .join("; ")
      .replace(/\s+/g, " ")
      .slice(0, 200);
    const opts = { provider: kind, status: ok2xx ? undefined : status };
    const wait = entries.find((e) => /^wait_x_between_action/i.test(e.text));
    if (wait) {
      const secs = Number(wait.arg);
      const when = Number.isFinite(secs) && secs > 0 ? `${Math.ceil(secs)} s` : "a moment";
      return new ProviderError(
        "RATE_LIMITED",
        `${name} asks to wait ${when} between two actions on one server; nothing was done. Try again after that.`,
        { ...opts, retryable: true },
      );
    }
    if (codes.has("ipnotallowed"))
      return new ProviderError(
        "AUTH_FAILED",
        `${name} refused the login from this bot's IP address: add the address to the API access list in the ${name} client area.`,
        { ...opts, retryable: false },
      );
    if (codes.has("wronglogin") || (status === 401 && (entries.length === 0 || codes.has("unauthorized"))))
      return new ProviderError("AUTH_FAILED", `${name} rejected the credentials.`, {
        ...opts,
        retryable: false,
      });
    if (status === 401 || status === 403 || DENIED_TEXT.test(detail)) {
      const refusal = new ProviderError(
        "AUTH_FAILED",
        `${name} refused access: ${detail || "forbidden"}. The login may lack the privilege for this.`,
        { ...opts, retryable: false },
      );
      privilegeRefusals.add(refusal);
      return refusal;
    }
    if (status === 404 || NOT_FOUND_TEXT.test(detail))
      return new ProviderError("NOT_FOUND", `${name} has no such item: ${detail || "not found"}.`, {
        ...opts,
        retryable: false,
      });
    if (status === 402 || FUNDS_TEXT.test(detail))
      return new ProviderError("INSUFFICIENT_FUNDS", `${name} says the funds are too low: ${detail}.`, {
        ...opts,
        retryable: false,
      });
    if (status === 429)
      return new ProviderError("RATE_LIMITED", `${name} is rate limiting us: ${detail}.`, {
        ...opts,
        retryable: true,
      });
    if (status >= 500)
      return new ProviderError("UPSTREAM", `${name} had an internal error: ${detail || `HTTP ${status}`}.`, {
        ...opts,
        retryable: true,
      });
    return new ProviderError("VALIDATION", `${name} refused the request: ${detail || "no reason given"}.`, {
      ...opts,
      retryable: false,
    });
  };
}

/** Path segments are ids the driver validated; encode them anyway. */
const seg = (v: string) => encodeURIComponent(v);

export type HostBillClient = ReturnType<typeof createHostBillClient>;

/** One function per HostBill User API call the driver uses. */
export function createHostBillClient(opts: HostBillClientOptions) {
  const { kind } = opts;
  const http: HttpClient = createHttpClient({
    provider: kind,
    prefixUrl: opts.baseUrl,
    headers: {
      authorization: `Basic ${Buffer.from(`${opts.username}:${opts.password}`, "utf8").toString("base64")}`,
    },
    secrets: [opts.username, opts.password],
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    log: opts.log,
    decodeEnvelope: decodeHostBillEnvelope(kind),
  });
  const parse = <S extends z.ZodType>(schema: S, body: unknown, what: string) =>
    parseResponse(kind, schema, body, what);

  return {
    kind,
    /** GET /details: the cheapest authenticated call. */
    async getDetails() {
      return parse(
        detailsResponse,
        await http.get("details", { operation: "verifyCredentials" }),
        "account details",
      );
    },
    /** GET /balance */
    async getBalance() {
      return parse(balanceResponse, await http.get("balance", { operation: "getBalance" }), "balance")
        .details;
    },
    /** GET /service */
    async listServices() {
      return parse(servicesResponse, await http.get("service", { operation: "listServices" }), "service list")
        .services;
    },
    /** GET /service/@id */
    async getService(id: string) {
      return parse(
        serviceResponse,
        await http.get(`service/${seg(id)}`, { operation: "getService" }),
        "service",
      ).service;
    },
    /** POST /service/@id/cancel {immediate, reason} */
    async cancelService(id: string, immediate: boolean, reason: string) {
      const body = await http.post(`service/${seg(id)}/cancel`, {
        operation: "cancelService",
        // JSON booleans, as the official Time4VPS client sends (PROVIDERS.md 3.4 item 3).
        json: { immediate, reason },
        idempotent: false,
      });
      return parse(infoResponse, body, "cancellation answer");
    },
    /** GET /server: active servers only (HS-8). */
    async listServers() {
      return parse(serversResponse, await http.get("server", { operation: "listServers" }), "server list");
    },
    /** GET /server/@server_id */
    async getServer(serverId: string) {
      return parse(
        serverDetailsResponse,
        await http.get(`server/${seg(serverId)}`, { operation: "getServer" }),
        "server details",
      );
    },
    /** GET /server/@server_id/oses */
    async listOses(serverId: string) {
      return parse(
        osesResponse,
        await http.get(`server/${seg(serverId)}/oses`, { operation: "listOperatingSystems" }),
        "OS list",
      );
    },
    /** POST /server/@server_id/reboot -> task id */
    async reboot(serverId: string) {
      const body = await http.post(`server/${seg(serverId)}/reboot`, {
        operation: "reboot",
        idempotent: false,
      });
      return parse(taskStartedResponse, body, "reboot answer");
    },
    /** POST /server/@server_id/reinstall {os, ssh_key?} -> task id */
    async reinstall(serverId: string, os: string, sshKey?: string) {
      const body = await http.post(`server/${seg(serverId)}/reinstall`, {
        operation: "reinstall",
        json: sshKey ? { os, ssh_key: sshKey } : { os },
        idempotent: false,
      });
      return parse(taskStartedResponse, body, "reinstall answer");
    },
    /** GET /server/@server_id/task/@task_id */
    async getTask(serverId: string, taskId: string) {
      return parse(
        taskResponse,
        await http.get(`server/${seg(serverId)}/task/${seg(taskId)}`, { operation: "getTask" }),
        "task",
      );
    },
    /** GET /invoice */
    async listInvoices() {
      return parse(invoicesResponse, await http.get("invoice", { operation: "listInvoices" }), "invoice list")
        .invoices;
    },
    /** GET /payment */
    async listPaymentMethods() {
      return parse(
        paymentsResponse,
        await http.get("payment", { operation: "listPaymentMethods" }),
        "payment list",
      ).payments;
    },
    /** GET /domain (Hostens) */
    async listDomains() {
      return parse(domainsResponse, await http.get("domain", { operation: "listDomains" }), "domain list")
        .domains;
    },
    /** GET /domain/@id (Hostens) */
    async getDomain(id: string) {
      return parse(domainResponse, await http.get(`domain/${seg(id)}`, { operation: "getDomain" }), "domain")
        .details;
    },
    /** POST /domain/@id/renew {years, pay_method} (Hostens) */
    async renewDomain(id: string, years: number, payMethod: string) {
      const body = await http.post(`domain/${seg(id)}/renew`, {
        operation: "renewDomain",
        // `years` is typed string and `pay_method` int in the parameter table (lines 1631-1634).
        json: { years: String(years), pay_method: Number(payMethod) },
        idempotent: false,
      });
      return parse(renewResponse, body, "renewal answer");
    },
    /** PUT /domain/@id/ns {nameservers} (Hostens) */
    async setNameservers(id: string, nameservers: string[]) {
      const body = await http.put(`domain/${seg(id)}/ns`, {
        operation: "setNameservers",
        json: { nameservers },
        idempotent: false,
      });
      return parse(infoResponse, body, "nameserver answer");
    },
  };
}
