import type { LimitFunction } from "p-limit";
import { ProviderError, providerName } from "../../providers/types.ts";
import type { Account } from "../accounts.ts";
import type { Core } from "../context.ts";
import { describeProviderError, UserError } from "../errors.ts";
import { type Rich, rich } from "../rich.ts";
import type { AccountFacts } from "./model.ts";

/**
 * What one account reports — balance, services, domains, invoices — fetched concurrently under a
 * limiter. The alert scan, the forecast, the overview and the reports all read accounts this way;
 * a failed call leaves its list absent and becomes one sentence a person can act on.
 */

export interface Fetched {
  facts: AccountFacts;
  /** Set when any call for the account failed: a sentence a person can act on. */
  failure?: Rich;
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
  /** The call's answer; undefined when the driver cannot make it, or it failed (the error is kept). */
  const attempt = async <T>(fn: (() => Promise<T>) | undefined): Promise<T | undefined> => {
    if (!fn) return undefined;
    try {
      return await limit(fn);
    } catch (err) {
      errors.push(err);
      return undefined;
    }
  };
  // Each call only where the driver can make it: the capability and the method both present.
  const [balance, services, domains, invoices] = await Promise.all([
    attempt(caps.has("getBalance") ? driver.getBalance?.bind(driver) : undefined),
    attempt(caps.has("listServices") ? driver.listServices?.bind(driver) : undefined),
    attempt(caps.has("listDomains") ? driver.listDomains?.bind(driver) : undefined),
    attempt(needs.invoices && caps.has("listInvoices") ? driver.listInvoices?.bind(driver) : undefined),
  ]);
  if (balance) facts.balance = balance;
  if (services) facts.services = services;
  if (domains) facts.domains = domains;
  if (invoices) facts.invoices = invoices;
  if (!errors.length) return { facts };
  for (const err of errors)
    core.log.warn(
      { err, accountId: account.id, provider: account.kind },
      "account check failed (alert scan, forecast, overview or report)",
    );
  return { facts, failure: describe(core, errors[0], account) };
}

function describe(core: Core, err: unknown, account: Account): Rich {
  if (err instanceof ProviderError) return describeProviderError(err, account);
  if (err instanceof UserError) return err.text;
  core.log.error({ err, accountId: account.id }, "unexpected error while checking an account");
  return rich`Something went wrong while asking ${providerName(account)}; the error has been logged.`;
}
