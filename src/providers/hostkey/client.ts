import type { Logger } from "../../observability/logger.ts";
import { scrub } from "../../observability/secrets.ts";
import { createHttpClient, type HttpClient, parseResponse } from "../_shared/http.ts";
import { ProviderError, type ProviderErrorCode } from "../types.ts";
import {
  asyncStartResponse,
  billingDataResponse,
  callbackResponse,
  clientResponse,
  eqShowResponse,
  infoResponse,
  invoicesResponse,
  loginResponse,
  osListResponse,
  statusOnlyResponse,
} from "./schemas.ts";

/**
 * HOSTKEY invapi: every call is a form POST to `<base>/<module>.php` with `action=` (seed line 42:
 * "Unless otherwise specified, all requests should use the POST method"). One function per action.
 * Because everything is a POST, every read passes `idempotent: true` so that only reads are retried.
 * "line N" = a line in shared/seeds/hostkey-invapi.txt.
 */

/** Why a body counts as a failure; the driver acts on the kind (re-login, PIN, not found). */
export type EnvelopeKind =
  | "auth"
  | "pin"
  | "not_found"
  | "no_servers"
  | "funds"
  | "refused"
  | "error"
  | "malformed";

/** An error HOSTKEY reported inside the body. `detail` is the provider's text, scrubbed. */
export class HostkeyApiError extends ProviderError {
  readonly kind: EnvelopeKind;
  readonly detail: string;
  constructor(kind: EnvelopeKind, code: ProviderErrorCode, message: string, detail: string) {
    super(code, message, { provider: "hostkey", retryable: false, pinRejected: kind === "pin" });
    this.kind = kind;
    this.detail = detail;
  }
}

/**
 * A refusal because of the PIN: "Invalid pin code" / "Blocked For Security Purposes" (line 968), or a
 * missing or empty PIN on an account that has one.
 */
const PIN_FAILURE =
  /invalid pin|wrong pin|incorrect pin|pin (code )?(is )?(required|empty|missing|invalid|incorrect|wrong)|(empty|missing|no) pin|blocked/i;
/**
 * Result strings that are not failures: "Not ready" and "Stage" are async progress (line 3739), and
 * HOSTKEY's own Terraform provider accepts an empty result too (internal/invapi/errors.go).
 */
const OK_RESULT = /^(ok|success|not ready|stage|)$/i;
/** HOSTKEY's answer on auth/login for an account without servers (Terraform provider, errors.go). */
const NO_SERVERS_TEXT = /no appropriate servers|NO_APPROPRIATE_SERVERS/i;
const AUTH_TEXT =
  /authenticat|unauthori[sz]ed|not authori[sz]ed|token|session|not logged|log ?in|invalid hash|(invalid|wrong|unknown|bad) (api )?key|api key|bound to/i;
const NOT_FOUND_TEXT = /not found|no server|does not exist|doesn't exist|unknown (server|id)|no such/i;
const FUNDS_TEXT = /insufficient|not enough (funds|credit|money|balance)|low balance|no funds/i;
const REFUSED_TEXT =
  /not compatible|incompatible|invalid|required|must|incorrect|missing|wrong|already|in progress|not allowed/i;

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

/** `code` other than absent, null, "" or 0 is an error code: -1, -2 ("Invalid hash"), "NO_APPROPRIATE_SERVERS". */
function isErrorCode(v: unknown): boolean {
  if (v === undefined || v === null || v === "" || v === 0 || v === "0") return false;
  return typeof v === "number" || typeof v === "string";
}

/** A numeric `result` is an error unless it is 0 or 1 (HOSTKEY's Terraform provider, errors.go). */
function isErrorNumber(v: unknown): boolean {
  const n = typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
  return typeof n === "number" && n !== 0 && n !== 1;
}

function hasValue(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

function asText(v: unknown): string | undefined {
  if (typeof v === "string") return v.trim() === "" ? undefined : v;
  if (Array.isArray(v)) {
    const parts = v.filter((x): x is string => typeof x === "string" && x.trim() !== "");
    return parts.length ? parts.join("; ") : undefined;
  }
  if (typeof v === "number") return String(v);
  return undefined;
}

/** Provider text made safe for a person: secrets scrubbed, one line, at most 200 characters. */
export function safeDetail(text: string | undefined): string {
  if (!text) return "";
  return scrub(text).replace(/\s+/g, " ").trim().slice(0, 200);
}

/**
 * THE error predicate for HOSTKEY (PROVIDERS.md §1.4 "Driver rule", checked against HOSTKEY's own
 * Terraform provider, internal/invapi/errors.go): a body is a failure when `result` is a number
 * other than 0 and 1 (`-1`, line 2722), or it has a non-empty `error`, or a `code` other than 0
 * (`{"code": -1, "message": "…"}`, `{"code": 1, "error": "boom"}`, `"code":
 * "NO_APPROPRIATE_SERVERS"`), or `scope`/`debug` says "Invalid pin code" / "Blocked" (a PIN failure
 * answers `"result": "OK"`, line 968), or `result` is a string other than "OK", "success", "", "Not
 * ready" or "Stage" (async progress), or a `message` comes without a successful `result`. A body
 * without `result` is not a failure by itself (auth/login may answer `{"token": …}` at top level);
 * the schema of each call decides what it must hold.
 */
export function envelopeProblem(body: unknown): { kind: EnvelopeKind; detail: string } | undefined {
  if (!isRecord(body) || Object.keys(body).length === 0) return { kind: "malformed", detail: "" };
  const { result, error, code, scope, debug, message } = body;
  // A failed async result says why in scope/debug ({"result":"Error","scope":"cancelled","debug":"order
  // cancelled in panel"}, Terraform provider tests): keep them beside the result word.
  const resultText =
    typeof result === "string" && result.trim() !== ""
      ? [result, asText(scope), asText(debug)].filter((t): t is string => !!t && t.trim() !== "").join(": ")
      : undefined;
  const text = asText(error) ?? asText(message) ?? resultText ?? asText(scope);
  const detail = safeDetail(text);
  const pinTexts = [scope, debug, error, message].filter(
    (v): v is string => typeof v === "string" && PIN_FAILURE.test(v),
  );
  if (pinTexts.length) return { kind: "pin", detail: safeDetail(pinTexts.join("; ")) };
  const codeText = typeof code === "string" ? code : "";
  if (NO_SERVERS_TEXT.test(codeText) || (text && NO_SERVERS_TEXT.test(text)))
    return { kind: "no_servers", detail };
  if (hasValue(error) || isErrorCode(code) || isErrorNumber(result)) return { kind: classify(text), detail };
  if (isRecord(result) || Array.isArray(result)) return undefined;
  if (typeof result === "string" && OK_RESULT.test(result.trim())) return undefined;
  if (result === undefined || result === null || typeof result === "number")
    return hasValue(message) && result === undefined ? { kind: classify(text), detail } : undefined;
  return { kind: classify(text), detail };
}

function classify(text: string | undefined): EnvelopeKind {
  if (!text) return "error";
  if (/invalid hash|invalid token|token (is )?(invalid|expired)/i.test(text)) return "auth";
  if (NOT_FOUND_TEXT.test(text)) return "not_found";
  if (AUTH_TEXT.test(text)) return "auth";
  if (FUNDS_TEXT.test(text)) return "funds";
  if (REFUSED_TEXT.test(text)) return "refused";
  return "error";
}

/** `decodeEnvelope` for createHttpClient: turns a failure body into a {@link HostkeyApiError}. */
export function decodeEnvelope(body: unknown, status: number): ProviderError | undefined {
  const problem = envelopeProblem(body);
  if (!problem) return undefined;
  // A 4xx/5xx without HOSTKEY's envelope keeps the error its HTTP status means.
  if (problem.kind === "malformed" && status >= 400) return undefined;
  return envelopeError(problem.kind, problem.detail);
}

export function envelopeError(kind: EnvelopeKind, detail: string): HostkeyApiError {
  const why = detail ? `: ${detail}` : "";
  switch (kind) {
    case "auth":
      return new HostkeyApiError(kind, "AUTH_FAILED", `HOSTKEY rejected the session token${why}`, detail);
    case "pin":
      return new HostkeyApiError(
        kind,
        "VALIDATION",
        `HOSTKEY rejected the PIN (missing or wrong${detail ? `: ${detail}` : ""}), so nothing was done. Check the PIN before trying again: after several failures HOSTKEY blocks PIN checks for a while.`,
        detail,
      );
    case "not_found":
      return new HostkeyApiError(kind, "NOT_FOUND", `HOSTKEY has no such server or item${why}`, detail);
    case "no_servers":
      return new HostkeyApiError(
        kind,
        "NOT_FOUND",
        "HOSTKEY says this account has no servers (NO_APPROPRIATE_SERVERS). It opens no API session for an account without servers, so nothing else can be read until a server is ordered in the HOSTKEY panel.",
        detail,
      );
    case "funds":
      return new HostkeyApiError(
        kind,
        "INSUFFICIENT_FUNDS",
        `HOSTKEY says the balance is too low${why}`,
        detail,
      );
    case "refused":
      return new HostkeyApiError(kind, "VALIDATION", `HOSTKEY refused the request${why}`, detail);
    case "malformed":
      return new HostkeyApiError(
        kind,
        "UNEXPECTED_RESPONSE",
        "HOSTKEY sent a response without a result field.",
        detail,
      );
    case "error":
      return new HostkeyApiError(kind, "UPSTREAM", `HOSTKEY answered with an error${why || "."}`, detail);
  }
}

export interface HostkeyClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
  retries?: number;
  log?: Logger;
}

export function createHostkeyHttp(opts: HostkeyClientOptions): HttpClient {
  return createHttpClient({
    provider: "hostkey",
    prefixUrl: opts.baseUrl,
    secrets: [opts.apiKey],
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    log: opts.log,
    decodeEnvelope,
  });
}

type Form = Record<string, string | number | boolean | undefined>;

function read(http: HttpClient, module: string, operation: string, form: Form): Promise<unknown> {
  return http.post(`${module}.php`, { operation, form, idempotent: true });
}

function write(http: HttpClient, module: string, operation: string, form: Form): Promise<unknown> {
  return http.post(`${module}.php`, { operation, form, idempotent: false });
}

/**
 * auth/login (line 271): API key -> session token. The token comes inside `result` (the seed) or at
 * the top level (`{"token": …, "token_expire": …}`, HOSTKEY's Terraform provider, types.go).
 */
export async function login(http: HttpClient, apiKey: string) {
  const body = await read(http, "auth", "auth.login", { action: "login", key: apiKey });
  return parseResponse("hostkey", loginResponse, body, "auth/login answer");
}

export type LoginAnswer = Awaited<ReturnType<typeof login>>;

/** auth/info (line 706): the token's server ids. */
export async function authInfo(http: HttpClient, token: string) {
  const body = await read(http, "auth", "auth.info", { action: "info", token });
  return parseResponse("hostkey", infoResponse, body, "auth/info answer").result;
}

/** eq/show (line 3176): one server; also returns the untouched body for `raw`. */
export async function eqShow(http: HttpClient, token: string, id: string) {
  const body = await read(http, "eq", "eq.show", { action: "show", token, id });
  return { data: parseResponse("hostkey", eqShowResponse, body, "eq/show answer"), raw: body };
}

/** whmcs/get_billing_data (line 1347): price, cycle and billing status of one server. */
export async function getBillingData(http: HttpClient, token: string, id: string) {
  const body = await read(http, "whmcs", "whmcs.get_billing_data", { action: "get_billing_data", token, id });
  return {
    data: parseResponse("hostkey", billingDataResponse, body, "whmcs/get_billing_data answer"),
    raw: body,
  };
}

/** whmcs/get_client (line 1000). */
export async function getClient(http: HttpClient, token: string) {
  const body = await read(http, "whmcs", "whmcs.get_client", { action: "get_client", token });
  return parseResponse("hostkey", clientResponse, body, "whmcs/get_client answer").client;
}

/**
 * whmcs/get_invoices (line 1611). Paging parameters are not in the seed; `limitstart`/`limitnum`
 * are WHMCS GetInvoices' own ([ext], PROVIDERS.md §1.4 Pagination).
 */
export async function getInvoices(
  http: HttpClient,
  token: string,
  page?: { limitstart: number; limitnum: number },
) {
  const body = await read(http, "whmcs", "whmcs.get_invoices", { action: "get_invoices", token, ...page });
  return parseResponse("hostkey", invoicesResponse, body, "whmcs/get_invoices answer");
}

/** os/list (line 2110): no token needed ("Session token is not required"). */
export async function osList(http: HttpClient) {
  const body = await read(http, "os", "os.list", { action: "list" });
  return parseResponse("hostkey", osListResponse, body, "os/list answer").os_list;
}

/** eq/on, eq/off, eq/reboot (lines 3652-3687): asynchronous, need the PIN. */
export async function power(
  http: HttpClient,
  token: string,
  action: "on" | "off" | "reboot",
  id: string,
  pin: string | undefined,
) {
  // HOSTKEY's own clients send no PIN; it goes only where the account asks for one.
  const body = await write(http, "eq", `eq.${action}`, { action, token, id, pin });
  return parseResponse("hostkey", asyncStartResponse, body, `eq/${action} answer`);
}

/** eq/order_instance with `id` = reinstall (line 2732). */
export async function reinstall(
  http: HttpClient,
  token: string,
  params: {
    id: string;
    pin: string | undefined;
    osId: string;
    rootPass: string;
    hostname?: string;
    sshKey?: string;
  },
) {
  const body = await write(http, "eq", "eq.order_instance", {
    action: "order_instance",
    token,
    id: params.id,
    pin: params.pin,
    os_id: params.osId,
    root_pass: params.rootPass,
    hostname: params.hostname,
    ssh_key: params.sshKey,
  });
  return parseResponse("hostkey", asyncStartResponse, body, "eq/order_instance answer");
}

/** whmcs/request_cancellation (line 1779). */
export async function requestCancellation(
  http: HttpClient,
  token: string,
  params: { id: string; immediate: boolean; reason: string },
) {
  const body = await write(http, "whmcs", "whmcs.request_cancellation", {
    action: "request_cancellation",
    token,
    id: params.id,
    cancellation_type: params.immediate ? 1 : 0,
    terminate_reason_custom: params.reason.trim() === "" ? undefined : params.reason,
  });
  return parseResponse("hostkey", statusOnlyResponse, body, "whmcs/request_cancellation answer");
}

/** eq_callback.php action=check&key=… ([ext] docs.hostkey.com "Asynchronous actions"; line 3729). */
export async function checkCallback(http: HttpClient, token: string, key: string) {
  const body = await read(http, "eq_callback", "eq_callback.check", { action: "check", key, token });
  return parseResponse("hostkey", callbackResponse, body, "eq_callback/check answer");
}
