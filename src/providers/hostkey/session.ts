/**
 * HOSTKEY session: the API key buys a session token (auth/login, ~2 h); the token is cached here,
 * renewed a minute before `token_expire`, and renewed once more when HOSTKEY rejects it; never in a
 * loop. Also the error shaping every call shares: a failed login, a step before the mutating call
 * ("nothing was sent"), an account without servers. "line N" = a line in shared/seeds/hostkey-invapi.txt.
 */
import type { Logger } from "../../observability/logger.ts";
import { forgetSecret, registerSecret } from "../../observability/secrets.ts";
import type { HttpClient } from "../_shared/http.ts";
import { ProviderError } from "../types.ts";
import * as api from "./client.ts";
import { HostkeyApiError } from "./client.ts";

/** Renew the session this long before `token_expire`. */
const REFRESH_MARGIN_MS = 60_000;
/** When `token_expire` is missing: the documented default TTL, 7200 s (line 284). */
const DEFAULT_TOKEN_TTL_MS = 7_200_000;

interface Session {
  token: string;
  /** When to stop using the token and log in again (ms since epoch). */
  renewAt: number;
}

/** One account's HTTP client, logger and session token; every driver part calls HOSTKEY through it. */
export class HostkeySession {
  readonly http: HttpClient;
  readonly log: Logger;
  private readonly apiKey: string;
  private session: Session | undefined;
  /** The token before the current one, still scrubbed until the next login replaces it. */
  private retiredToken: string | undefined;
  private loggingIn: Promise<Session> | undefined;

  constructor(http: HttpClient, apiKey: string, log: Logger) {
    this.http = http;
    this.apiKey = apiKey;
    this.log = log;
  }

  /**
   * Runs one call with a valid session token. When HOSTKEY rejects the token (expired, or bound to
   * an IP that changed, line 277) it logs in again and repeats the call once: the rejected call did
   * nothing, so repeating it is safe even for a mutating action. A second rejection is final.
   */
  async withSession<T>(call: (token: string) => Promise<T>): Promise<T> {
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

  /** auth/login, shared by concurrent callers. */
  login(): Promise<Session> {
    this.loggingIn ??= this.doLogin().finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  /** The cached token, or a new one when it is about to expire or is the one just rejected. */
  private async sessionToken(rejected?: string): Promise<string> {
    const s = this.session;
    if (s && s.token !== rejected && Date.now() < s.renewAt) return s.token;
    return (await this.login()).token;
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

function isSessionRejection(err: unknown): boolean {
  return err instanceof ProviderError && err.code === "AUTH_FAILED";
}

/** HOSTKEY knows the key but opens no session for an account without servers (NO_APPROPRIATE_SERVERS). */
export function isNoServers(err: unknown): boolean {
  return err instanceof HostkeyApiError && err.kind === "no_servers";
}

/** Marks a failure of a step that comes before the mutating call as "nothing was sent". */
export async function notSent<T>(p: Promise<T>): Promise<T> {
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
