import type { Logger } from "../../observability/logger.ts";
import { createHttpClient, type HttpClient, parseResponse } from "../_shared/http.ts";
import { sanitizeProviderText } from "../_shared/redact.ts";
import { ProviderError } from "../types.ts";
import {
  balanceBody,
  domainsBody,
  invoicesBody,
  operatingSystemsBody,
  serviceDetailsBody,
  servicesBody,
  tasksBody,
} from "./schemas.ts";

/** Host4Coins REST v1: one function per API call the driver uses (seeds/host4coins-api-v1.txt). */

const P = "host4coins";

export interface H4cClientOptions {
  baseUrl: string;
  apiPublic: string;
  apiPrivate: string;
  timeoutMs?: number;
  retries?: number;
  log?: Logger;
}

export function createH4cHttp(o: H4cClientOptions): HttpClient {
  return createHttpClient({
    provider: P,
    prefixUrl: o.baseUrl,
    // "all our routes require a unique H4C API Key in its headers ... public (apipublic) and
    // private (apiprivate) parts, both are required" (seed lines 22-26). No session, no token.
    headers: { apipublic: o.apiPublic, apiprivate: o.apiPrivate },
    secrets: [o.apiPublic, o.apiPrivate],
    timeoutMs: o.timeoutMs,
    retries: o.retries,
    log: o.log,
    decodeEnvelope: decodeH4cError,
  });
}

/**
 * H4C signals errors by HTTP status only; the error body is never shown (seed lines 9-20,
 * H4C-12). This maps the documented statuses with H4C's own meanings (402 = not enough balance,
 * 404 = not found *or out of stock*) and keeps a short, scrubbed summary of whatever body came.
 * A 2xx body carrying a non-empty `error` is not documented either, but it is never a success.
 */
export function decodeH4cError(body: unknown, status: number): ProviderError | undefined {
  const detail = errorSummary(body);
  const suffix = detail ? `: ${detail}` : "";
  if (status >= 200 && status < 300) {
    if (!hasErrorKey(body)) return undefined;
    return new ProviderError("UPSTREAM", `Host4Coins reported an error${suffix || "."}`, {
      provider: P,
      status,
      retryable: false,
    });
  }
  const opts = { provider: P, status, retryable: false } as const;
  switch (status) {
    case 400:
      return new ProviderError(
        "VALIDATION",
        `Host4Coins refused the request as invalid (HTTP 400)${suffix}`,
        opts,
      );
    case 401:
      // Never echo a body here: it is the answer to our credentials.
      return new ProviderError("AUTH_FAILED", "Host4Coins rejected the credentials (HTTP 401).", opts);
    case 402:
      return new ProviderError(
        "INSUFFICIENT_FUNDS",
        "Host4Coins: insufficient balance (HTTP 402 Payment required).",
        opts,
      );
    case 403:
      return new ProviderError(
        "AUTH_FAILED",
        "Host4Coins refused access (HTTP 403 Forbidden): the API key may be revoked or not allowed to do this.",
        opts,
      );
    case 404:
      return new ProviderError(
        "NOT_FOUND",
        `Host4Coins has no such item, or it is out of stock (HTTP 404)${suffix}`,
        opts,
      );
    case 409:
      return new ProviderError(
        "VALIDATION",
        `Host4Coins refused the request: it conflicts with the current state (HTTP 409)${suffix}`,
        opts,
      );
    default:
      return undefined; // 429, 5xx and the rest: the shared status mapping.
  }
}

function hasErrorKey(body: unknown): boolean {
  if (!body || typeof body !== "object" || Array.isArray(body)) return false;
  const rec = body as Record<string, unknown>;
  return [rec.error, rec.errors].some((v) => (Array.isArray(v) ? v.length > 0 : Boolean(v)));
}

/** A short human summary of an undocumented error body: a string, or its error/message field. */
export function errorSummary(body: unknown): string | undefined {
  let text: string | undefined;
  if (typeof body === "string") text = body;
  else if (body && typeof body === "object" && !Array.isArray(body)) {
    const rec = body as Record<string, unknown>;
    for (const key of ["error", "errors", "message", "detail", "msg", "description"]) {
      const v = rec[key];
      if (typeof v === "string" && v.trim()) text = v;
      else if (Array.isArray(v) && v.every((x) => typeof x === "string") && v.length > 0) text = v.join("; ");
      if (text) break;
    }
  }
  if (!text || /^\s*</.test(text)) return undefined;
  const oneLine = sanitizeProviderText(text).replace(/\s+/g, " ").trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 199)}…` : oneLine;
}

/**
 * An id that goes into a URL path. H4C ids are catalog/service numbers; anything that is not a
 * plain token is refused so that "../" can never move the request to another route.
 */
export function pathSegment(value: string, what: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(value))
    throw new ProviderError("VALIDATION", `"${value.slice(0, 40)}" is not a valid Host4Coins ${what}.`, {
      provider: P,
      retryable: false,
    });
  return value;
}

/** GET /balance for its status only: the credentials are fine whatever the body holds. */
export async function checkCredentials(http: HttpClient): Promise<void> {
  await http.get("balance", { operation: "verifyCredentials" });
}

// GET /balance (seed lines 73-79)
export async function getBalance(http: HttpClient) {
  return parseResponse(P, balanceBody, await http.get("balance", { operation: "getBalance" }), "balance");
}

// GET /services (seed lines 200-227)
export async function getServices(http: HttpClient) {
  return parseResponse(
    P,
    servicesBody,
    await http.get("services", { operation: "listServices" }),
    "service list",
  );
}

// GET /service/{service_id} (seed lines 228-259)
export async function getServiceDetails(http: HttpClient, serviceId: string) {
  const body = await http.get(`service/${pathSegment(serviceId, "service id")}`, { operation: "getService" });
  return { body, parsed: parseResponse(P, serviceDetailsBody, body, "service details") };
}

// POST /service/{service_id}/{renew_id}, no body; "Responses:" is empty (seed lines 260-264).
export async function renewService(http: HttpClient, serviceId: string, renewId: string): Promise<unknown> {
  return http.post(
    `service/${pathSegment(serviceId, "service id")}/${pathSegment(renewId, "renew option id")}`,
    {
      operation: "renewService",
      idempotent: false,
    },
  );
}

// PATCH /service/{service_id} {"autorenew": "yes"|"no"} (seed lines 265-270). The same route changes
// the SSH key and reboots the server (lines 271-276, H4C-5): this body carries autorenew only.
export async function setAutorenew(http: HttpClient, serviceId: string, enabled: boolean): Promise<unknown> {
  return http.patch(`service/${pathSegment(serviceId, "service id")}`, {
    operation: "setAutorenew",
    json: { autorenew: enabled ? "yes" : "no" },
    idempotent: false,
  });
}

// GET /invoices (seed lines 95-110)
export async function getInvoices(http: HttpClient) {
  return parseResponse(
    P,
    invoicesBody,
    await http.get("invoices", { operation: "listInvoices" }),
    "invoice list",
  );
}

// GET /domains (seed lines 458-476)
export async function getDomains(http: HttpClient) {
  return parseResponse(
    P,
    domainsBody,
    await http.get("domains", { operation: "listDomains" }),
    "domain list",
  );
}

// GET /operating_systems (seed lines 147-158)
export async function getOperatingSystems(http: HttpClient) {
  const body = await http.get("operating_systems", { operation: "listOperatingSystems" });
  return parseResponse(P, operatingSystemsBody, body, "operating system list");
}

// GET /tasks?status=all (seed lines 277-299): without a filter, finished tasks may be left out.
export async function getTasks(http: HttpClient) {
  const body = await http.get("tasks", { operation: "getTask", searchParams: { status: "all" } });
  return parseResponse(P, tasksBody, body, "task list");
}
