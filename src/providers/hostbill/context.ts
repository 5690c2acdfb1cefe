/**
 * What every part of the HostBill driver shares for one account: the API client, the provider's
 * display name, id checks and errors, the client-area address, and the account currency (read once,
 * since services carry none). "line N" = a line in seeds/hostens-client-api.txt.
 */
import type { Logger } from "../../observability/logger.ts";
import type { DriverContext } from "../_shared/entry.ts";
import { PROVIDER_NAMES, ProviderError } from "../types.ts";
import { createHostBillClient, type HostBillClient, type HostBillKind } from "./client.ts";

export interface HostBillCredentials {
  username: string;
  password: string;
}

/** HostBill ids are integers. */
export const ID = /^\d{1,18}$/;

/** Errors that mean "this login may not read that": remembered, not retried. */
export const REFUSALS: ReadonlySet<ProviderError["code"]> = new Set<ProviderError["code"]>([
  "AUTH_FAILED",
  "VALIDATION",
  "NOT_FOUND",
  "UNEXPECTED_RESPONSE",
]);

export interface HostBillContext {
  kind: HostBillKind;
  /** The provider's display name ("Hostens", "Time4VPS"). */
  name: string;
  api: HostBillClient;
  log: Logger | undefined;
  /** Where the person reads what the bot does not post (new root passwords). */
  panel: string;
  /** A non-retryable error of this provider. */
  fail(code: ProviderError["code"], message: string): ProviderError;
  /** The trimmed id, or a VALIDATION error naming what it should have been. */
  checkId(id: string, what: string): string;
  /** The account currency, "" when no call may read it. */
  accountCurrency(): Promise<string>;
}

export function createHostBillContext(
  kind: HostBillKind,
  ctx: DriverContext<HostBillCredentials>,
): HostBillContext {
  const name = PROVIDER_NAMES[kind];
  const api = createHostBillClient({
    kind,
    baseUrl: ctx.baseUrl,
    username: ctx.credentials.username,
    password: ctx.credentials.password,
    timeoutMs: ctx.timeoutMs,
    retries: ctx.retries,
    log: ctx.log,
  });

  const fail = (code: ProviderError["code"], message: string) =>
    new ProviderError(code, message, { provider: kind, retryable: false });

  function checkId(id: string, what: string): string {
    const v = String(id).trim();
    if (!ID.test(v)) throw fail("VALIDATION", `"${v.slice(0, 40)}" is not a ${name} ${what} id (a number).`);
    return v;
  }

  /**
   * The account currency. Services carry none in either seed; `/balance` has it (lines 729-733)
   * and so do invoices (line 766). A contact login may lack the balance privilege, so neither
   * call is required: `/balance` first, then the invoice list, else unknown ("" — the price is
   * then left out, never an error). A refusal is remembered for the driver's life; a network or
   * server failure is not, so the next call tries again.
   */
  let currencyKnown: Promise<string> | undefined;
  function accountCurrency(): Promise<string> {
    currencyKnown ??= (async () => {
      let transient = false;
      const attempt = async (read: () => Promise<string>): Promise<string> => {
        try {
          return await read();
        } catch (err) {
          if (!(err instanceof ProviderError)) throw err;
          if (!REFUSALS.has(err.code)) transient = true;
          ctx.log?.debug({ provider: kind, code: err.code }, "account currency not readable here");
          return "";
        }
      };
      const fromBalance = await attempt(async () => (await api.getBalance()).currency.trim().toUpperCase());
      const currency =
        fromBalance ||
        (await attempt(async () => {
          const invoices = await api.listInvoices();
          return invoices.map((i) => i.value.currency.trim().toUpperCase()).find((c) => c !== "") ?? "";
        }));
      if (!currency && transient) currencyKnown = undefined;
      return currency;
    })();
    return currencyKnown;
  }

  const panel = (() => {
    try {
      return `${new URL(ctx.baseUrl).origin}/clientarea`;
    } catch {
      return `the ${name} client area`;
    }
  })();

  return { kind, name, api, log: ctx.log, panel, fail, checkId, accountCurrency };
}
