import type { DriverContext } from "../_shared/entry.ts";
import { stripSecrets } from "../_shared/normalize.ts";
import {
  type ActionResult,
  type Capability,
  type Domain,
  type ProviderDriver,
  ProviderError,
} from "../types.ts";
import { createTheHostClient } from "./client.ts";
import type { DomainRecord } from "./schemas.ts";

export interface TheHostCredentials {
  login: string;
  password: string;
}

/**
 * The seed documents domains only: no service, balance, invoice or task function (PROVIDERS §1.5),
 * so only these optional methods exist.
 */
const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  "listDomains",
  "renewDomain",
  "setNameservers",
]);

/** Years a renewal may cover; registries cap registrations at ten years. */
const MAX_YEARS = 10;
const HOSTNAME =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function createTheHostDriver(ctx: DriverContext<TheHostCredentials>): ProviderDriver {
  const client = createTheHostClient({
    baseUrl: ctx.baseUrl,
    login: ctx.credentials.login,
    password: ctx.credentials.password,
    timeoutMs: ctx.timeoutMs,
    retries: ctx.retries,
    log: ctx.log,
  });

  /** The domain by id (as listed) or by name; both mutating calls need its payer account or name. */
  async function findDomain(idOrName: string): Promise<DomainRecord> {
    const key = idOrName.trim().toLowerCase().replace(/\.$/, "");
    const all = await client.listDomains();
    const found = all.find((d) => d.id === key) ?? all.find((d) => d.name === key);
    if (!found)
      throw new ProviderError(
        "NOT_FOUND",
        `TheHost lists no domain "${idOrName.trim()}" for this reseller.`,
        {
          provider: "thehost",
          retryable: false,
        },
      );
    return found;
  }

  return {
    kind: "thehost",
    capabilities: CAPABILITIES,

    // func=domain is the only documented read, and the cheapest authenticated call.
    async verifyCredentials() {
      await client.listDomains();
    },

    async listDomains(): Promise<Domain[]> {
      const rows = await client.listDomains();
      return rows.map((d) => ({
        id: d.id,
        name: d.name,
        // TH-14: `expire` is the expiry whatever `domainstatus` says (the seed's 2022 domain is "Delegated").
        expiresAt: d.expiresAt,
        status: d.status,
        autorenew: d.autorenew,
        raw: stripSecrets(d.raw),
      }));
    },

    async renewDomain(id: string, opts: { years?: number } = {}): Promise<ActionResult> {
      const years = opts.years ?? 1;
      if (!Number.isInteger(years) || years < 1 || years > MAX_YEARS)
        throw new ProviderError(
          "VALIDATION",
          `A renewal covers 1 to ${MAX_YEARS} whole years, not ${years}.`,
          {
            provider: "thehost",
            retryable: false,
          },
        );
      const domain = await findDomain(id);
      if (!domain.accountId)
        throw new ProviderError(
          "UNEXPECTED_RESPONSE",
          `TheHost listed ${domain.name} without its payer account (account_id), so the renewal cannot be paid from the API.`,
          { provider: "thehost", retryable: false },
        );
      // `autoperiod` carries the price period (seed line 143). BILLmanager periods count months,
      // so one year is 12 (PROVIDERS TH-8, TH-11: the period ids are not in the seed; unverified).
      await client.renewDomain({ elid: domain.id, autoperiod: years * 12, accountId: domain.accountId });
      const span = years === 1 ? "1 year" : `${years} years`;
      return {
        summary: `TheHost accepted the renewal of ${domain.name} for ${span}, paid from payer account ${domain.accountId}; its status shows "renewing" until the registry confirms.`,
      };
    },

    async setNameservers(domainId: string, nameservers: string[]): Promise<ActionResult> {
      const ns = validateNameservers(nameservers);
      const domain = await findDomain(domainId);
      await client.editNameservers({ elid: domain.id, nameservers: ns });
      return { summary: `TheHost accepted the new nameservers of ${domain.name}: ${ns.join(", ")}.` };
    },
  } satisfies ProviderDriver;
}

/** `domain.edit` takes ns0..ns3 (seed lines 45-51): one to four host names, checked before any call. */
export function validateNameservers(input: readonly string[]): string[] {
  const fail = (why: string) =>
    new ProviderError("VALIDATION", why, { provider: "thehost", retryable: false });
  const ns = input.map((n) => n.trim().toLowerCase().replace(/\.$/, "")).filter((n) => n !== "");
  if (ns.length < 1 || ns.length > 4) throw fail(`TheHost takes 1 to 4 nameservers, not ${ns.length}.`);
  const bad = ns.filter((n) => !HOSTNAME.test(n));
  if (bad.length) throw fail(`Not a valid nameserver host name: ${bad.join(", ")}.`);
  const dupes = ns.filter((n, i) => ns.indexOf(n) !== i);
  if (dupes.length) throw fail(`Nameserver listed twice: ${[...new Set(dupes)].join(", ")}.`);
  return ns;
}
