import { z } from "zod";
import {
  type ActionResult,
  can,
  type DriverWith,
  type MutatingCapability,
  type ProviderDriver,
  providerName,
} from "../../providers/types.ts";
import type { Account } from "../accounts.ts";
import { type CommandContext, type CommandDef, defineCommand, type Param } from "../context.ts";
import { plain } from "../format.ts";
import type { Outcome } from "../reply.ts";
import { type Rich, rich, strong, type Text } from "../rich.ts";

/**
 * How one destructive action is defined, once (the entries are in catalog.ts): the schema of its
 * params (checked when the request is made and again when its row is read back from the
 * database), the driver method it needs as a type guard, what the card says (describe, warning),
 * the driver call (run), and the command that asks for it. Everything else sees an action through
 * the type-erased {@link Action}: params go in as `unknown` and come back validated and bound.
 */

/** Every action's name: its key in the catalog, in the approval policy and in the request row. */
export const ACTION_NAMES = [
  "reboot",
  "poweron",
  "poweroff",
  "reinstall",
  "renew",
  "autorenew",
  "cancel",
  "domain-renew",
  "domain-ns",
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

export function isActionName(name: string): name is ActionName {
  return (ACTION_NAMES as readonly string[]).includes(name);
}

/** What describe and warning need of the account: its label and provider. */
export type AccountRef = Pick<Account, "label" | "kind" | "displayName">;

/** The request a command files, or an answer instead of one (a list to pick from). */
export type Target<P> = { account: Account; params: P; cost?: string } | { answer: Outcome };

/** The command that asks for an action: its grammar, and how it finds what the action is about. */
export interface ActionCommandSpec<A extends z.ZodType, P> {
  path: readonly string[];
  compactPath?: readonly [group: string, name: string];
  summary: string;
  examples?: string[];
  params: readonly Param[];
  schema: A;
  target(ctx: CommandContext, args: z.output<A>): Promise<Target<P>>;
}

type Params = Record<string, unknown>;

export interface ActionSpec<C extends MutatingCapability, S extends z.ZodType<Params>, A extends z.ZodType> {
  name: ActionName;
  capability: C;
  /** Short verb for titles: "Reboot". */
  title: string;
  /** Whether HOSTKEY asks for its PIN on this action. */
  pin?: boolean;
  /** The params as stored in the request row. */
  params: S;
  /** What will happen, for the card. */
  describe(p: z.output<S>, account: AccountRef): Rich;
  /** The provider's own warning, where it gives one. */
  warning?(p: z.output<S>, account: AccountRef): Text | undefined;
  /** What the request is about, in a table cell: "service 302 (web)", "example.com". */
  subject(p: z.output<S>): string;
  run(driver: DriverWith<C>, p: z.output<S>, pin: string | undefined): Promise<ActionResult>;
  command: ActionCommandSpec<A, z.input<S>>;
}

/** A request's params, validated and bound to their action. */
export interface BoundAction {
  readonly action: Action;
  /** The params as stored (validated). */
  readonly params: Params;
  readonly subject: string;
  describe(account: AccountRef): Rich;
  warning(account: AccountRef): Text | undefined;
  /** The driver call, or undefined when this driver cannot do it. */
  prepare(driver: ProviderDriver): ((pin: string | undefined) => Promise<ActionResult>) | undefined;
}

export type ReadParams = { ok: true; bound: BoundAction } | { ok: false; problem: string };

/** Files a confirmation request (confirmations/request.ts); given to {@link Action.command}. */
export type FileRequest = (
  ctx: CommandContext,
  input: { account: Account; action: ActionName; params: unknown; cost?: string },
) => Promise<Outcome>;

/** An action with its types erased: what the confirmation flow, the card and the tables use. */
export interface Action {
  readonly name: ActionName;
  readonly title: string;
  readonly capability: MutatingCapability;
  readonly pin: boolean;
  /** Validates params (as a command built them, or as read back from the database). */
  read(params: unknown): ReadParams;
  /** The command that requests this action; `file` stores the request and posts its card. */
  command(file: FileRequest): CommandDef;
}

export function defineAction<C extends MutatingCapability, S extends z.ZodType<Params>, A extends z.ZodType>(
  spec: ActionSpec<C, S, A>,
): Action {
  const action: Action = {
    name: spec.name,
    title: spec.title,
    capability: spec.capability,
    pin: spec.pin ?? false,
    read(raw) {
      const parsed = spec.params.safeParse(raw);
      if (!parsed.success) return { ok: false, problem: paramsProblem(parsed.error) };
      const p = parsed.data;
      return {
        ok: true,
        bound: {
          action,
          params: p,
          subject: spec.subject(p),
          describe: (a) => spec.describe(p, a),
          warning: (a) => spec.warning?.(p, a),
          prepare: (d) => (can(d, spec.capability) ? (pin) => spec.run(d, p, pin) : undefined),
        },
      };
    },
    command(file) {
      const c = spec.command;
      return defineCommand({
        path: c.path,
        ...(c.compactPath ? { compactPath: c.compactPath } : {}),
        summary: c.summary,
        ...(c.examples ? { examples: c.examples } : {}),
        params: c.params,
        schema: c.schema,
        role: "operator",
        // The request's card is posted in the channel; the answer to the requester is theirs alone.
        ephemeral: true,
        // Finding the service or domain asks the providers.
        mayCallProvider: true,
        async run(ctx, args) {
          const t = await c.target(ctx, args);
          if ("answer" in t) return t.answer;
          return file(ctx, {
            account: t.account,
            action: spec.name,
            params: t.params,
            ...(t.cost ? { cost: t.cost } : {}),
          });
        },
      });
    },
  };
  return action;
}

/** The first thing wrong with stored params, in words: "serviceId: expected string". */
function paramsProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "they do not fit the action";
  const where = issue.path.map(String).join(".");
  return where ? `${where}: ${issue.message}` : issue.message;
}

// Pieces the entries share.

/** A provider's id as stored: the command validated it; the row is only checked for its shape. */
export const storedId = z.string().trim().min(1).max(200);

/** The params of every action on one service. */
export const serviceParams = z.object({ serviceId: storedId, serviceName: z.string().max(200).optional() });
export type ServiceParams = z.output<typeof serviceParams>;

/** The params of every action on one domain. */
export const domainParams = z.object({ domainId: storedId, domainName: z.string().min(1).max(253) });

/** "web (302)" with the name in strong, or "service 302" when the provider gave no name. */
export function serviceText(p: ServiceParams): Rich {
  return p.serviceName ? rich`${strong(p.serviceName)} (${p.serviceId})` : rich`service ${p.serviceId}`;
}

/** "on account prod (HOSTKEY)", the label in strong. */
export function onAccount(a: AccountRef): Rich {
  return rich`on account ${strong(a.label)} (${providerName(a)})`;
}

/** "service 302 (web)" in a table cell. */
export function serviceSubject(p: ServiceParams): string {
  const name = p.serviceName;
  return plain(
    name && name !== p.serviceId ? `service ${p.serviceId} (${name})` : `service ${p.serviceId}`,
    60,
  );
}
