import type { LimitFunction } from "p-limit";
import { ProviderError, providerName } from "../../providers/types.ts";
import type { Account } from "../accounts.ts";
import type { Core } from "../context.ts";
import { describeProviderError, UserError } from "../errors.ts";
import { plainText } from "../rich.ts";
import type { AccountFacts } from "./rules.ts";

/**
 * What one account reports — balance, services, domains, invoices — fetched concurrently under a
 * limiter. The alert scan, the forecast, the overview and the reports all read accounts this way;
 * a failed call leaves its list absent and becomes one sentence a person can act on.
 */

export interface Fetched {
  facts: AccountFacts;
  /** Set when any call for the account failed: a sentence a person can act on. */
  failure?: string;
}

/** Fetches what the rules need from one account; each call goes through the provider kind's limiter. */
export async function fetchFacts(
  core: Core,
  account: Account,
  needs: { invoices: boolean },
  limit: LimitFunction,
): Promise<Fetched> {
  const facts: AccountFacts = {
    account: { id: account.id, label: account.label, kind: account.kind, displayName: account.displayName },
    canRenewService: false,
    canRenewDomain: false,
  };
  let driver: ReturnType<Core["accounts"]["driverFor"]>;
  try {
    driver = core.accounts.driverFor(account);
  } catch (err) {
    return { facts, failure: describe(core, err, account) };
  }
  const caps = driver.capabilities;
  facts.canRenewService = caps.has("renewService") && typeof driver.renewService === "function";
  facts.canRenewDomain = caps.has("renewDomain") && typeof driver.renewDomain === "function";
  const errors: unknown[] = [];
  const call = async <T>(present: boolean, fn: () => Promise<T>, set: (v: T) => void) => {
    if (!present) return;
    try {
      set(await limit(fn));
    } catch (err) {
      errors.push(err);
    }
  };
  const d = driver;
  await Promise.all([
    call(
      caps.has("getBalance") && Boolean(d.getBalance),
      () => d.getBalance!(),
      (v) => {
        facts.balance = v;
      },
    ),
    call(
      caps.has("listServices") && Boolean(d.listServices),
      () => d.listServices!(),
      (v) => {
        facts.services = v;
      },
    ),
    call(
      caps.has("listDomains") && Boolean(d.listDomains),
      () => d.listDomains!(),
      (v) => {
        facts.domains = v;
      },
    ),
    call(
      needs.invoices && caps.has("listInvoices") && Boolean(d.listInvoices),
      () => d.listInvoices!(),
      (v) => {
        facts.invoices = v;
      },
    ),
  ]);
  if (!errors.length) return { facts };
  for (const err of errors)
    core.log.warn(
      { err, accountId: account.id, provider: account.kind },
      "account check failed (alert scan, forecast, overview or report)",
    );
  return { facts, failure: describe(core, errors[0], account) };
}

function describe(core: Core, err: unknown, account: Account): string {
  if (err instanceof ProviderError) return plainText(describeProviderError(err, account));
  if (err instanceof UserError) return err.message;
  core.log.error({ err, accountId: account.id }, "unexpected error while checking an account");
  return `Something went wrong while asking ${providerName(account)}; the error has been logged.`;
}
