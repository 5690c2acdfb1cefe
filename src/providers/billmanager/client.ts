import type { Logger } from "../../observability/logger.ts";
import { createHttpClient, parseResponse } from "../_shared/http.ts";
import { ProviderError, type ProviderErrorCode } from "../types.ts";
import { type DomainRecord, domainList, envelope, errorDetail, errorParams, fillParams } from "./schemas.ts";

const PROVIDER = "thehost";
/** Pages of a list read at most (a safety stop, far above any reseller's domain count). */
const MAX_PAGES = 200;

export interface TheHostClientOptions {
  /** `https://my.thehost.com.ua/manager/billmgr` or an override (the fake). */
  baseUrl: string;
  login: string;
  password: string;
  timeoutMs?: number;
  retries?: number;
  log?: Logger;
}

/** One function per BILLmanager `func=` the driver uses. */
export interface TheHostClient {
  /** `func=domain` (seed lines 8-32). */
  listDomains(): Promise<DomainRecord[]>;
  /** `func=domain.renew` (seed lines 140-148). Spends money: never retried. */
  renewDomain(p: { elid: string; autoperiod: number; accountId: string }): Promise<void>;
  /** `func=domain.edit` with `changens=on` (seed lines 43-58). Never retried. */
  editNameservers(p: { elid: string; nameservers: readonly string[] }): Promise<void>;
}

export function createTheHostClient(opts: TheHostClientOptions): TheHostClient {
  // The API takes the login and password in the query string (seed lines 6-7, 10; PROVIDERS TH-13):
  // register the pair in every encoding it may appear in, so no log line or message can carry it.
  const authinfo = `${opts.login}:${opts.password}`;
  const forms = [
    ...new Set([
      authinfo,
      encodeURIComponent(authinfo),
      new URLSearchParams({ a: authinfo }).toString().slice(2),
    ]),
  ];
  // An error text may echo the request (the contact redirect does, seed line 75): cut every form of
  // the pair out of it here, whole, before the generic scrubber sees the parts.
  const hide = (s: string) => forms.reduce((acc, f) => acc.split(f).join("[redacted]"), s);
  const { prefixUrl, path } = splitBaseUrl(opts.baseUrl);
  const http = createHttpClient({
    provider: PROVIDER,
    prefixUrl,
    secrets: [...forms, opts.password],
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    log: opts.log,
    decodeEnvelope: (body, status) => decodeEnvelope(body, status, hide),
  });

  // Every call is a GET with func=…&…&authinfo=…&out=json. The seed's URL templates have stray
  // spaces and typos (TH-1, TH-2); URLSearchParams builds the real query.
  const call = (func: string, params: Record<string, string>, idempotent: boolean) =>
    http.get(path, { operation: func, idempotent, searchParams: { func, ...params, authinfo, out: "json" } });

  /**
   * A submitted form (`sok=ok`): never retried. Success is any answer without an `error` element:
   * `{"result":"OK"}` (the seed), `{"doc":{"ok":{}}}` or an empty `{"doc":{}}` (ISPsystem panels;
   * the WHMCS registrar module ardisru/billmgr-whmcs and BILLmanager clients check only `error`).
   */
  async function act(func: string, params: Record<string, string>, what: string): Promise<void> {
    try {
      await call(func, params, false);
    } catch (err) {
      throw withOutcomeHint(err, what);
    }
  }

  return {
    async listDomains() {
      // Read every page: p_elems is the total, p_num the page (from 1), p_cnt the rows per page.
      const byId = new Map<string, DomainRecord>();
      const first = parseResponse(PROVIDER, domainList, await call("domain", {}, true), "domain list");
      for (const d of first.elem) byId.set(d.id, d);
      const total = first.p_elems;
      const perPage = first.p_cnt ?? first.elem.length;
      let page = first.p_num ?? 1;
      while (total !== null && byId.size < total && page < MAX_PAGES && perPage > 0) {
        page += 1;
        const before = byId.size;
        const next = parseResponse(
          PROVIDER,
          domainList,
          await call("domain", { p_num: String(page), p_cnt: String(perPage) }, true),
          "domain list",
        );
        for (const d of next.elem) byId.set(d.id, d);
        if (byId.size === before) break; // the page parameter was ignored: nothing new
      }
      if (total !== null && byId.size < total)
        opts.log?.warn(
          { provider: PROVIDER, received: byId.size, total },
          "TheHost domain list is incomplete",
        );
      return [...byId.values()];
    },

    async renewDomain({ elid, autoperiod, accountId }) {
      // `payfrom=account $ACCOUNT_ID` in the seed (line 144) is the word "account" and the payer id (TH-4).
      const params = {
        elid,
        autoperiod: String(autoperiod),
        payfrom: `account${accountId}`,
        paynow: "on",
        sok: "ok",
      };
      await act("domain.renew", params, "The renewal");
    },

    async editNameservers({ elid, nameservers }) {
      const ns: Record<string, string> = {};
      // All four slots are sent, unused ones empty, so a shorter list replaces a longer one.
      for (let i = 0; i < 4; i++) ns[`ns${i}`] = nameservers[i] ?? "";
      await act("domain.edit", { elid, ...ns, changens: "on", sok: "ok" }, "The nameserver change");
    },
  };
}

/**
 * createHttpClient appends the path to a prefix; the documented base URL ends in the endpoint
 * itself (`…/manager/billmgr`), so split it there instead of requesting `…/billmgr/`.
 */
export function splitBaseUrl(baseUrl: string): { prefixUrl: string; path: string } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ProviderError("VALIDATION", "The TheHost base URL is not a valid URL.", {
      provider: PROVIDER,
      retryable: false,
    });
  }
  const trimmed = url.pathname.replace(/\/+$/, "");
  const cut = trimmed.lastIndexOf("/");
  return { prefixUrl: `${url.origin}${trimmed.slice(0, cut + 1)}`, path: trimmed.slice(cut + 1) };
}

/**
 * BILLmanager reports failures inside HTTP 200 bodies, as an `error` element: with `$type`,
 * `$object`, `msg`/`detail` and a `param` list in ISPsystem panels (Khorsa/php-ispmanager-api's
 * recorded answers), or without `$type` at all. Errors are not documented in the seed (TH-12).
 * Every other JSON object is a success as far as the envelope goes (`{"doc":{"ok":{}}}`, an empty
 * `{"doc":{}}`, a list, `{"result":"OK"}`); the schema of each call decides what it needs. A body
 * that is not a JSON object (or nothing) is unexpected.
 */
export function decodeEnvelope(
  body: unknown,
  status: number,
  hide: (text: string) => string = (t) => t,
): ProviderError | undefined {
  const parsed = envelope.safeParse(body);
  const env = parsed.success ? parsed.data : undefined;
  if (env && env.error !== undefined && env.error !== null && env.error !== "")
    return fromErrorElement(env.error, errorParams(body), status, hide);
  if (status < 200 || status >= 300) return undefined; // the HTTP status speaks for itself
  if (env && (env.result === undefined || String(env.result).toUpperCase() === "OK")) return undefined;
  if (env)
    return new ProviderError("UNEXPECTED_RESPONSE", 'TheHost answered with a "result" other than "OK".', {
      provider: PROVIDER,
      status,
      retryable: false,
    });
  return new ProviderError(
    "UNEXPECTED_RESPONSE",
    "TheHost answered with something that is not a JSON object.",
    {
      provider: PROVIDER,
      status,
      retryable: false,
    },
  );
}

function fromErrorElement(
  raw: unknown,
  params: Record<string, string>,
  status: number,
  hide: (text: string) => string,
): ProviderError {
  const parsed = errorDetail.parse(raw);
  const { type } = parsed;
  const object = parsed.object || params.object || "";
  const msg = hide(fillParams(parsed.msg, params));
  const make = (code: ProviderErrorCode, message: string, retryable = false) =>
    new ProviderError(code, message, { provider: PROVIDER, status, retryable });
  const detail = msg ? `: ${clip(msg)}` : type ? ` (${[type, object].filter(Boolean).join(" ")})` : "";
  const about = `${type} ${object}`.toLowerCase();

  if (type === "auth" || /badpassword|badlogin/.test(about) || (!type && /password|login|auth/i.test(msg)))
    return make("AUTH_FAILED", "TheHost rejected the credentials.");
  if (type === "access")
    return make("AUTH_FAILED", `TheHost refused this action for the reseller login${detail}`);
  if (/notfound|notexist|objnotfound/.test(about))
    return make("NOT_FOUND", `TheHost has no such item${detail}`);
  if (
    /money|balance|funds|payment/.test(about) ||
    /insufficient|not enough|недостатньо|недостаточно/i.test(msg)
  )
    return make("INSUFFICIENT_FUNDS", `TheHost says the balance is too low${detail}`);
  if (["value", "missed", "exists", "invalid"].includes(type))
    return make("VALIDATION", `TheHost refused the request${detail}`);
  return make("UPSTREAM", `TheHost reported an error${detail}`);
}

function clip(s: string): string {
  const t = s.length > 200 ? `${s.slice(0, 200)}…` : s;
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

/**
 * After a timeout, a 5xx or an unreadable answer to a money-spending or NS call, nobody knows
 * whether TheHost applied it; say so, so that nobody blindly retries and pays twice.
 */
function withOutcomeHint(err: unknown, what: string): unknown {
  if (!(err instanceof ProviderError)) return err;
  if (err.code !== "NETWORK" && err.code !== "UPSTREAM" && err.code !== "UNEXPECTED_RESPONSE") return err;
  return new ProviderError(
    err.code,
    `${err.message} ${what} may still have been applied: check the domain in the TheHost panel before trying again.`,
    { provider: PROVIDER, status: err.status, retryable: false },
  );
}
