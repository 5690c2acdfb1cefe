import ky, { HTTPError, type KyInstance, TimeoutError } from "ky";
import type { z } from "zod";
import { type Logger, silentLogger } from "../../observability/logger.ts";
import { providerCalls } from "../../observability/metrics.ts";
import { registerSecret, scrub } from "../../observability/secrets.ts";
import { PROVIDER_NAMES, ProviderError, type ProviderKind } from "../types.ts";
import { baseUrlProblem } from "./address-guard.ts";
import { outboundPolicy, privateAddressCause, providerFetch } from "./outbound.ts";

/** Largest response body a driver reads; a bigger one is refused, not buffered. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Longest Retry-After we honour before giving up on a read. */
export const MAX_RETRY_AFTER_MS = 10_000;

export interface HttpClientOptions {
  provider: ProviderKind;
  prefixUrl: string;
  /** Headers sent with every request (auth). Their values are registered as secrets. */
  headers?: Record<string, string>;
  /** Other secret values this client handles (passwords, keys) to scrub from every message. */
  secrets?: string[];
  timeoutMs?: number;
  /** Retries for idempotent reads only; mutating calls are never retried. */
  retries?: number;
  log?: Logger;
  /**
   * Decodes the provider's error envelope. Called with every parsed body (2xx or not) before
   * the HTTP status is trusted; returns an error to throw, or undefined when the body is fine.
   */
  decodeEnvelope?: (body: unknown, status: number) => ProviderError | undefined;
}

export interface RequestOptions {
  /** Short name for metrics and logs, e.g. "listServices". */
  operation: string;
  searchParams?: Record<string, string | number | boolean>;
  json?: unknown;
  /** Form body (application/x-www-form-urlencoded). */
  form?: Record<string, string | number | boolean | undefined>;
  /**
   * True for reads, which may be retried. Defaults to true for GET and false otherwise; a POST
   * that only reads (HOSTKEY's form API) sets it explicitly.
   */
  idempotent?: boolean;
  /** Per-call timeout override. */
  timeoutMs?: number;
}

export interface HttpClient {
  readonly provider: ProviderKind;
  request(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    opts: RequestOptions,
  ): Promise<unknown>;
  get(path: string, opts: RequestOptions): Promise<unknown>;
  post(path: string, opts: RequestOptions): Promise<unknown>;
  put(path: string, opts: RequestOptions): Promise<unknown>;
  patch(path: string, opts: RequestOptions): Promise<unknown>;
  delete(path: string, opts: RequestOptions): Promise<unknown>;
}

const RETRY_STATUS = [408, 429, 500, 502, 503, 504];

/**
 * One ky-based client per driver: timeout, read-only retries, Retry-After, envelope decoding,
 * redaction. Requests go through {@link providerFetch} (the private-address guard) and never
 * follow a redirect: a 3xx is an error, so credentials in headers, query or body reach no other host.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { provider } = options;
  const name = PROVIDER_NAMES[provider];
  const log = options.log ?? silentLogger;
  for (const v of Object.values(options.headers ?? {})) registerSecret(v);
  for (const v of options.secrets ?? []) registerSecret(v);
  const retries = options.retries ?? 2;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const prefixUrl = options.prefixUrl.endsWith("/") ? options.prefixUrl : `${options.prefixUrl}/`;

  const base: KyInstance = ky.create({
    prefixUrl,
    headers: { "user-agent": "hostops/0.1 (+chat-ops bot)", accept: "application/json", ...options.headers },
    throwHttpErrors: true,
    redirect: "manual",
    fetch: providerFetch,
  });

  async function request(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    opts: RequestOptions,
  ): Promise<unknown> {
    const idempotent = opts.idempotent ?? method === "GET";
    const started = performance.now();
    let outcome = "ok";
    try {
      const problem = baseUrlProblem(prefixUrl, outboundPolicy().allowPrivate);
      if (problem)
        throw new ProviderError("VALIDATION", `The ${name} base URL ${problem}; nothing was sent.`, {
          provider,
          retryable: false,
          about: "baseUrl",
          notSent: true,
        });
      const searchParams = opts.searchParams
        ? Object.fromEntries(Object.entries(opts.searchParams).map(([k, v]) => [k, String(v)]))
        : undefined;
      let body: string | undefined;
      const headers: Record<string, string> = {};
      if (opts.json !== undefined) {
        body = JSON.stringify(opts.json);
        headers["content-type"] = "application/json";
      } else if (opts.form) {
        const form = new URLSearchParams();
        for (const [k, v] of Object.entries(opts.form)) if (v !== undefined) form.append(k, String(v));
        body = form.toString();
        headers["content-type"] = "application/x-www-form-urlencoded";
      }
      let response: Response;
      try {
        response = await base(path.replace(/^\//, ""), {
          method,
          searchParams,
          body,
          headers,
          timeout: opts.timeoutMs ?? timeoutMs,
          retry: {
            limit: idempotent ? retries : 0,
            methods: [method.toLowerCase()],
            statusCodes: RETRY_STATUS,
            afterStatusCodes: [413, 429, 503],
            maxRetryAfter: MAX_RETRY_AFTER_MS,
            backoffLimit: 2_000,
            // A Retry-After beyond the cap is not waited for: the read fails now as RATE_LIMITED.
            shouldRetry: ({ error }) => {
              if (privateAddressCause(error)) return false;
              const after = retryAfterMs((error as { response?: Response }).response);
              return after !== undefined && after > MAX_RETRY_AFTER_MS ? false : undefined;
            },
          },
        });
      } catch (err) {
        if (err instanceof HTTPError && err.response.status >= 300 && err.response.status < 400) {
          await err.response.body?.cancel().catch(() => undefined);
          throw redirectError(provider, err.response, prefixUrl);
        }
        if (err instanceof HTTPError) {
          const parsed = await readBody(err.response, name, provider).catch(() => undefined);
          const fromEnvelope = parsed && options.decodeEnvelope?.(parsed.json, err.response.status);
          throw fromEnvelope ?? statusError(provider, err.response, parsed?.text);
        }
        throw networkError(provider, err, opts.timeoutMs ?? timeoutMs);
      }
      const { json } = await readBody(response, name, provider);
      const envelopeError = options.decodeEnvelope?.(json, response.status);
      if (envelopeError) throw envelopeError;
      log.debug(
        {
          provider,
          operation: opts.operation,
          method,
          status: response.status,
          ms: Math.round(performance.now() - started),
        },
        "provider call",
      );
      return json;
    } catch (err) {
      const safe = toProviderError(provider, err);
      outcome = safe.code;
      log.debug({ provider, operation: opts.operation, method, code: safe.code }, "provider call failed");
      throw safe;
    } finally {
      providerCalls.observe(
        { provider, operation: opts.operation, outcome },
        (performance.now() - started) / 1000,
      );
    }
  }

  return {
    provider,
    request,
    get: (p, o) => request("GET", p, o),
    post: (p, o) => request("POST", p, o),
    put: (p, o) => request("PUT", p, o),
    patch: (p, o) => request("PATCH", p, o),
    delete: (p, o) => request("DELETE", p, o),
  };
}

function retryAfterMs(response: Response | undefined): number | undefined {
  const h = response?.headers.get("retry-after");
  if (!h) return undefined;
  const secs = Number(h);
  if (!Number.isNaN(secs)) return secs * 1000;
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : at - Date.now();
}

/** Reads at most {@link MAX_BODY_BYTES}; parses JSON when the body looks like JSON. */
async function readBody(
  response: Response,
  name: string,
  provider: ProviderKind,
): Promise<{ text: string; json: unknown }> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel();
    throw new ProviderError(
      "UNEXPECTED_RESPONSE",
      `${name} sent a response larger than 10 MB; it was not read.`,
      {
        provider,
        retryable: false,
      },
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel();
        throw new ProviderError(
          "UNEXPECTED_RESPONSE",
          `${name} sent a response larger than 10 MB; it was not read.`,
          {
            provider,
            retryable: false,
          },
        );
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (response.status === 204 || text.trim() === "") return { text, json: null };
  try {
    return { text, json: JSON.parse(text) };
  } catch {
    const kind = /^\s*</.test(text) ? "an HTML page" : "a body that is not JSON";
    throw new ProviderError(
      "UNEXPECTED_RESPONSE",
      `${name} answered with ${kind} (HTTP ${response.status}).`,
      {
        provider,
        status: response.status,
        retryable: response.status >= 500,
      },
    );
  }
}

function statusError(provider: ProviderKind, response: Response, text?: string): ProviderError {
  const name = PROVIDER_NAMES[provider];
  const s = response.status;
  const detail = text ? `: ${scrub(text.replace(/\s+/g, " ").trim().slice(0, 200))}` : "";
  const html = text && /^\s*</.test(text);
  const suffix = html ? "" : detail;
  if (s === 401 || s === 403)
    return new ProviderError("AUTH_FAILED", `${name} rejected the credentials (HTTP ${s}).`, {
      provider,
      status: s,
    });
  if (s === 402)
    return new ProviderError("INSUFFICIENT_FUNDS", `${name} says the balance is too low (HTTP 402).`, {
      provider,
      status: s,
    });
  if (s === 404)
    return new ProviderError("NOT_FOUND", `${name} has no such item (HTTP 404).`, { provider, status: s });
  if (s === 429) {
    const after = retryAfterMs(response);
    const when = after && after > 0 ? ` for ${Math.ceil(after / 1000)} s` : "";
    return new ProviderError("RATE_LIMITED", `${name} is rate limiting us${when} (HTTP 429).`, {
      provider,
      status: s,
    });
  }
  if (s === 400 || s === 409 || s === 422)
    return new ProviderError("VALIDATION", `${name} refused the request (HTTP ${s})${suffix}`, {
      provider,
      status: s,
    });
  if (s >= 500)
    return new ProviderError("UPSTREAM", `${name} had an internal error (HTTP ${s}).`, {
      provider,
      status: s,
    });
  return new ProviderError("UNEXPECTED_RESPONSE", `${name} answered HTTP ${s}${suffix}`, {
    provider,
    status: s,
  });
}

/** A 3xx: never followed (the credentials would go with it); the person is told where it pointed. */
function redirectError(provider: ProviderKind, response: Response, base: string): ProviderError {
  const name = PROVIDER_NAMES[provider];
  const s = response.status;
  let where = "";
  const location = response.headers.get("location");
  if (location) {
    try {
      // Only the host: the rest of the target may echo the request, credentials included.
      where = ` to ${new URL(location, base).host.slice(0, 100)}`;
    } catch {
      where = " to an invalid address";
    }
  }
  return new ProviderError(
    "UNEXPECTED_RESPONSE",
    `${name} answered with a redirect${where} (HTTP ${s}): check the account's base URL. Redirects are not followed, so the credentials were not sent there.`,
    { provider, status: s, retryable: false, about: "baseUrl" },
  );
}

/** Connection error codes that say the base URL (host, certificate) is what to check. */
const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/i;

const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function networkError(provider: ProviderKind, err: unknown, timeoutMs: number): ProviderError {
  const name = PROVIDER_NAMES[provider];
  if (err instanceof ProviderError) return err;
  const refused = privateAddressCause(err);
  if (refused)
    return new ProviderError(
      "NETWORK",
      `The ${name} base URL's host ${refused.host.slice(0, 100)} is ${refused.kind} address; hostops sends provider credentials only to public addresses, so nothing was sent (an operator can allow private provider addresses with HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS).`,
      { provider, retryable: false, about: "baseUrl", notSent: true },
    );
  if (err instanceof TimeoutError || (err instanceof Error && err.name === "TimeoutError"))
    return new ProviderError("NETWORK", `${name} did not answer within ${Math.round(timeoutMs / 1000)} s.`, {
      provider,
    });
  const code = (err as { cause?: { code?: string } })?.cause?.code;
  const why = code ? ` (${code})` : "";
  // These fail before a connection exists (or before any byte of the request is sent, for TLS),
  // so the request was never sent; a reset or a timeout after connecting proves nothing either way.
  const notSent = code !== undefined && NOT_SENT_CODES.has(code);
  if (code === "ENOTFOUND")
    return new ProviderError("NETWORK", `The ${name} base URL's host name was not found (DNS).`, {
      provider,
      about: "baseUrl",
      notSent: true,
    });
  if (code && TLS_CODE.test(code))
    return new ProviderError("NETWORK", `${name}'s TLS certificate was not accepted${why}.`, {
      provider,
      retryable: false,
      about: "baseUrl",
      notSent: true,
    });
  // Refused, reset, unreachable: maybe passing, so not marked as the base URL's fault (the form
  // still shows it on the base URL field, the only place it can be corrected).
  return new ProviderError("NETWORK", `Could not reach ${name}${why}.`, { provider, notSent });
}

/** Anything thrown inside a driver becomes a ProviderError with a scrubbed message. */
export function toProviderError(provider: ProviderKind, err: unknown): ProviderError {
  if (err instanceof ProviderError) {
    const msg = scrub(err.message);
    if (msg === err.message) return err;
    return new ProviderError(err.code, msg, {
      provider,
      retryable: err.retryable,
      status: err.status,
      about: err.about,
      notSent: err.notSent,
      pinRejected: err.pinRejected,
      displayName: err.displayName,
    });
  }
  return new ProviderError("UNEXPECTED_RESPONSE", `${PROVIDER_NAMES[provider]} call failed unexpectedly.`, {
    provider,
    retryable: false,
  });
}

/**
 * Parses a provider response with a zod schema; a mismatch becomes UNEXPECTED_RESPONSE naming
 * the first offending field (never the value, which could be a secret).
 */
export function parseResponse<S extends z.ZodType>(
  provider: ProviderKind,
  schema: S,
  body: unknown,
  what: string,
): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
  throw new ProviderError(
    "UNEXPECTED_RESPONSE",
    `${PROVIDER_NAMES[provider]} sent an unexpected ${what}${where}${issue ? ` (${issue.message})` : ""}.`,
    { provider, retryable: false },
  );
}
