import type { Capability, Domain, Service } from "../../providers/types.ts";
import type { Account } from "../accounts.ts";
import { CAPABILITY_WORDS, cannotMessage, forEachAccount, notFoundText } from "../commands/shared.ts";
import type { CommandContext, Param } from "../context.ts";
import { UserError } from "../errors.ts";
import { plain } from "../format.ts";
import { code, join, option, rich, strong, type Text } from "../rich.ts";

/**
 * How an action's command finds what it is about among the accounts bound to the channel: the one
 * account that holds the service (or domain) and can do the action, or a refusal that says why.
 */

export const serviceParam = {
  name: "service",
  description: "service id (see /hosting services)",
  type: "string",
  required: true,
  autocomplete: "service",
} as const satisfies Param;

export const domainParam = {
  name: "domain",
  description: "domain name",
  type: "string",
  required: true,
  autocomplete: "domain",
} as const satisfies Param;

/** `--account` as a flag, for commands whose last positional takes the rest of the words. */
export const accountFlag = {
  name: "account",
  description: "account label",
  type: "string",
  flag: true,
  autocomplete: "account",
} as const satisfies Param;

/** "name one with `--account a` or `--account b`" (each platform spells the option its own way). */
const nameOne = (accounts: Account[]) =>
  join(
    accounts.map((a) => option("account", a.label)),
    " or ",
  );

/** The service's name for the card, from the provider's record. */
export const serviceName = (s: Service | undefined): string | undefined =>
  s ? plain(s.label || s.hostname || s.product, 60) : undefined;

/** Finds which bound account holds the service (asking each capable provider concurrently). */
export async function findService(
  ctx: CommandContext,
  serviceId: string,
  label: string | undefined,
  capability: Capability,
): Promise<{ account: Account; service: Service | undefined }> {
  const { accounts } = ctx.core;
  const bound = await accounts.resolve(ctx.actor.platform, ctx.actor.workspaceId, ctx.actor.channelId, label);
  const capable = bound.filter((b) => accounts.driverFor(b.account).capabilities.has(capability));
  if (!capable.length) {
    const first = bound[0];
    throw new UserError(
      "unsupported",
      first ? cannotMessage(first.account, capability) : "No account can do that here.",
    );
  }
  const results = await forEachAccount(ctx, label, "getService", async (d) => {
    try {
      return await d.getService(serviceId);
    } catch (err) {
      if ((err as { code?: string }).code === "NOT_FOUND") return undefined;
      throw err;
    }
  });
  const isCapable = (a: Account) => capable.some((c) => c.account.id === a.id);
  const found = results.filter((r) => r.ok && r.value);
  const hits = found.filter((r) => isCapable(r.account));
  const elsewhere = found.find((r) => !isCapable(r.account));
  if (!hits.length && elsewhere)
    throw new UserError("unsupported", cannotMessage(elsewhere.account, capability));
  if (hits.length > 1)
    throw new UserError(
      "invalid",
      rich`Service ${plain(serviceId, 40)} exists on several accounts here (${hits.map((h) => h.account.label).join(", ")}); name one with ${nameOne(hits.map((h) => h.account))}.`,
    );
  const hit = hits[0];
  if (hit) return { account: hit.account, service: hit.value };
  // A provider without service lookups (or one that failed) is trusted when it is the only candidate.
  const only = capable.length === 1 ? capable[0] : undefined;
  const failed = results.filter((r) => !r.ok && r.account.id === only?.account.id);
  if (only && (!accounts.driverFor(only.account).capabilities.has("getService") || failed.length))
    return { account: only.account, service: undefined };
  const asked = results.filter((r) => isCapable(r.account));
  throw new UserError(
    "not_found",
    notFoundText(
      asked,
      rich`No service with id ${code(plain(serviceId, 40))} on an account here that can ${CAPABILITY_WORDS[capability]}`,
    ),
  );
}

/** Finds the bound account whose domain list holds `name` (a domain name or id) and can do `capability`. */
export async function findDomain(
  ctx: CommandContext,
  name: string,
  label: string | undefined,
  capability: Capability,
): Promise<{ account: Account; domain: Domain }> {
  const { accounts } = ctx.core;
  const results = await forEachAccount(ctx, label, "listDomains", (d) => d.listDomains());
  const hits: { account: Account; domain: Domain }[] = [];
  for (const r of results)
    for (const d of r.value ?? [])
      if (
        (d.name.toLowerCase() === name || d.id === name) &&
        accounts.driverFor(r.account).capabilities.has(capability)
      )
        hits.push({ account: r.account, domain: d });
  if (hits.length > 1)
    throw new UserError(
      "invalid",
      rich`Domain ${name} exists on several accounts here; name one with ${nameOne(hits.map((h) => h.account))}.`,
    );
  const hit = hits[0];
  if (hit) return hit;
  const cannot = results.find((r) => r.ok && !accounts.driverFor(r.account).capabilities.has(capability));
  const lines: Text[] = [rich`No domain ${strong(plain(name, 80))} that can be changed here.`];
  if (cannot) lines.push(cannotMessage(cannot.account, capability));
  for (const r of results) if (!r.ok && r.error) lines.push(r.error);
  throw new UserError("not_found", join(lines, "\n"));
}
