import pLimit from "p-limit";
import { z } from "zod";
import { type Capability, can, type DriverWith, ProviderError, providerName } from "../../providers/types.ts";
import { type Account, type Binding, LABEL_PATTERN } from "../accounts.ts";
import type { CommandContext, Param } from "../context.ts";
import { describeProviderError, UserError } from "../errors.ts";
import { type Block, blocksReply, type Outcome, reply, type Severity } from "../reply.ts";
import { concat, icon, join, type Rich, rich, strong, type Text, toRich } from "../rich.ts";

export const labelSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    LABEL_PATTERN,
    "must be an account label: 1 to 32 characters (a-z, 0-9, '.', '_' or '-') starting with a letter or digit",
  );

export const serviceIdSchema = z
  .string()
  .trim()
  .min(1, "is required")
  .max(80, "must be at most 80 characters")
  .regex(/^[A-Za-z0-9_.:-]+$/, "must be a service id: letters, digits, '.', '_', ':' or '-'");

export const domainNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, "must be a domain name such as example.com")
  .regex(
    /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/,
    "must be a domain name such as example.com",
  );

/** A required account label (commands about one account: bind, edit, remove…). */
export const labelParam: Param = {
  name: "label",
  description: "account label",
  type: "string",
  required: true,
  autocomplete: "account",
};

export const accountParam: Param = {
  name: "account",
  description: "account label (default: every account bound here)",
  type: "string",
  autocomplete: "account",
};

export interface AccountResult<T> {
  account: Account;
  binding: Binding;
  ok: boolean;
  value?: T;
  error?: Text;
  /** Why it failed: the provider's error code, or UNSUPPORTED when its API cannot do this at all. */
  code?: ProviderError["code"] | "UNSUPPORTED";
}

/**
 * How many accounts one command asks at once. A person is waiting: a channel with dozens of
 * accounts must answer in one or two provider round trips, not one per 4 accounts (10 accounts
 * at 100 ms took 3 waves, ~3.5x one call; bench/fan-out.ts). Each account is its own credential
 * at the provider; HOSTOPS_PROVIDER_CONCURRENCY still raises it, and still bounds the scans.
 */
export const COMMAND_FAN_OUT = 16;

/**
 * Runs `fn` on every bound account the command covers, concurrently (one slow provider does not
 * hold the others back). Provider failures become per-account messages, not a failed command.
 */
export async function forEachAccount<T, C extends Capability>(
  ctx: CommandContext,
  label: string | undefined,
  capability: C,
  fn: (driver: DriverWith<C>, account: Account) => Promise<T>,
): Promise<AccountResult<T>[]> {
  const { core, actor } = ctx;
  const targets = await core.accounts.resolve(actor.platform, actor.workspaceId, actor.channelId, label);
  const limit = pLimit(Math.max(COMMAND_FAN_OUT, core.settings.providerConcurrency));
  return Promise.all(
    targets.map(({ account, binding }) =>
      limit(async (): Promise<AccountResult<T>> => {
        const driver = core.accounts.driverFor(account);
        if (!can(driver, capability))
          return {
            account,
            binding,
            ok: false,
            error: cannotMessage(account, capability),
            code: "UNSUPPORTED",
          };
        try {
          return { account, binding, ok: true, value: await fn(driver, account) };
        } catch (err) {
          const code = err instanceof ProviderError ? err.code : undefined;
          return {
            account,
            binding,
            ok: false,
            error: explain(err, account, ctx),
            ...(code ? { code } : {}),
          };
        }
      }),
    ),
  );
}

export const CAPABILITY_WORDS: Record<Capability, string> = {
  getBalance: "show the balance",
  listServices: "list services",
  getService: "show a service",
  listInvoices: "list invoices",
  listDomains: "list domains",
  reboot: "reboot servers",
  powerOn: "power servers on",
  powerOff: "power servers off",
  listOperatingSystems: "list operating systems",
  reinstall: "reinstall servers",
  renewService: "renew services",
  setAutorenew: "change autorenew",
  cancelService: "cancel services",
  renewDomain: "renew domains",
  setNameservers: "change nameservers",
  getTask: "follow tasks",
};

export function cannotMessage(account: Account, capability: Capability): Rich {
  return rich`${providerName(account)} cannot ${CAPABILITY_WORDS[capability]} from the API (account ${strong(account.label)}).`;
}

/** A provider error as a sentence; anything else is logged and reported without internals. */
export function explain(err: unknown, account: Account, ctx: CommandContext): Text {
  if (err instanceof ProviderError) return describeProviderError(err, account);
  if (err instanceof UserError) return err.message;
  ctx.log.error({ err, accountId: account.id }, "unexpected error in provider call");
  return rich`Something went wrong while asking ${providerName(account)} (account ${strong(account.label)}).`;
}

/**
 * The failures worth reporting once a lookup found what it looked for: not the accounts whose
 * API cannot look it up, nor those that refused the id as not theirs (VALIDATION): they could
 * not have had it. Failures that might hide another match (network, auth…) stay.
 */
export function relevantFailures<T>(results: AccountResult<T>[]): AccountResult<T>[] {
  return results.filter((r) => r.ok || (r.code !== "UNSUPPORTED" && r.code !== "VALIDATION"));
}

/**
 * Why a lookup found nothing, one line per cause: where it was looked for and not found, then
 * each account that could not answer, once.
 */
export function notFoundText<T>(results: AccountResult<T>[], notFound: Text): Rich {
  const answered = results.filter((r) => r.ok).map((r) => r.account.label);
  const lines: Text[] = answered.length
    ? [rich`${toRich(notFound)} (looked in ${answered.join(", ")}).`]
    : [];
  for (const r of results) if (!r.ok && r.error) lines.push(r.error);
  return lines.length ? join(lines, "\n") : rich`${toRich(notFound)}.`;
}

/** The command that asks for an action, as typed after /hosting. */
export const CAPABILITY_COMMAND: Partial<Record<Capability, string>> = {
  reboot: "reboot",
  powerOn: "poweron",
  powerOff: "poweroff",
  reinstall: "reinstall",
  renewService: "renew",
  setAutorenew: "autorenew",
  cancelService: "cancel",
  renewDomain: "domain renew",
  setNameservers: "domain ns",
};

/** Blocks for the accounts that failed, placed under the results. */
export function failureBlocks(results: AccountResult<unknown>[]): Block[] {
  const failed = results.filter((r) => !r.ok);
  if (!failed.length) return [];
  return [
    {
      kind: "context",
      text: join(
        failed.map((r) => concat(icon("warning"), " ", r.error ?? "")),
        "\n",
      ),
    },
  ];
}

export function accountTitle(a: Account): string {
  return `${a.label} (${providerName(a)})`;
}

/** Everything failed and nothing to show: the whole reply is a warning. */
export function allFailed(results: AccountResult<unknown>[]): boolean {
  return results.length > 0 && results.every((r) => !r.ok);
}

export function requireOne<T>(results: AccountResult<T>[], what: string): AccountResult<T> {
  const hit = results.find((r) => r.ok);
  if (!hit) {
    const errors = results.flatMap((r) => (r.error ? [r.error] : []));
    throw new UserError("not_found", errors.length ? join(errors, "\n") : `No ${what} found.`);
  }
  return hit;
}

/** Soonest expiry first; items without a date last. */
export function byExpiry<T extends { expiresAt: Date | null }>(list: readonly T[]): T[] {
  const at = (x: T) => x.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return [...list].sort((a, b) => at(a) - at(b));
}

/**
 * The reply of a read command over several accounts: a header, the blocks of each account that
 * answered, then one line per account that did not. When none answered, it is a private warning.
 */
export function accountsReply<T>(
  title: string,
  results: AccountResult<T>[],
  render: (value: T, r: AccountResult<T>) => Block[],
  severity: Severity = "info",
): Outcome {
  const blocks: Block[] = [{ kind: "header", text: title }];
  for (const r of results) if (r.ok) blocks.push(...render(r.value as T, r));
  blocks.push(...failureBlocks(results));
  const none = allFailed(results);
  return reply(blocksReply(blocks, { ephemeral: none, severity: none ? "warning" : severity }));
}
