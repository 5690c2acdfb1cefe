import type { z } from "zod";
import type { Logger } from "../../observability/logger.ts";
import { createHttpClient, type HttpClient, parseResponse } from "../_shared/http.ts";
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

/** The first error text of a HostBill body: `error` may be a string or a list of strings. */
function errorTexts(error: unknown): string[] {
  if (typeof error === "string") return error.trim() ? [error.trim()] : [];
  if (Array.isArray(error))
    return error
      .map((e) => (typeof e === "string" ? e.trim() : JSON.stringify(e)))
      .filter((e): e is string => typeof e === "string" && e !== "");
  if (error && typeof error === "object") return Object.values(error).map((e) => String(e));
  return [];
}

const NOT_FOUND_TEXT = /not found|no such|does not exist|invalid [\w ]*id\b|unknown [\w ]*id\b/i;
const FUNDS_TEXT = /insufficient (funds|credit|balance)|not enough (funds|credit|balance|money)/i;

/**
 * HostBill's error envelope, decoded before the HTTP status is trusted. Neither seed documents
 * errors; HostBill answers wrong credentials with HTTP 200 and `{"error":["wronglogin"]}`, the
 * official Time4VPS PHP client treats any `error` key as a failure (PROVIDERS.md 1.2), and the
 * admin API adds `"success": false`. A 401 is handled too.
 */
export function decodeHostBillEnvelope(kind: HostBillKind) {
  const name = PROVIDER_NAMES[kind];
  return (body: unknown, status: number): ProviderError | undefined => {
    const ok2xx = status >= 200 && status < 300;
    const record =
      body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const texts = errorTexts(record.error);
    const failed = texts.length > 0 || record.success === false;
    if (!failed) {
      // A non-2xx without an envelope is left to the shared status mapping.
      return undefined;
    }
    const detail = texts.join("; ").replace(/\s+/g, " ").slice(0, 200);
    const opts = { provider: kind, status: ok2xx ? undefined : status };
    if (status === 401 || texts.some((t) => t.toLowerCase() === "wronglogin"))
      return new ProviderError("AUTH_FAILED", `${name} rejected the credentials.`, {
        ...opts,
        retryable: false,
      });
    if (status === 403)
      return new ProviderError("AUTH_FAILED", `${name} refused access: ${detail || "forbidden"}.`, {
        ...opts,
        retryable: false,
      });
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
