import type { z } from "zod";
import type { Database } from "../db/client.ts";
import type { MessageRef, Platform, Role } from "../db/schema.ts";
import type { Logger } from "../observability/logger.ts";
import type { AccountService } from "./accounts.ts";
import type { Outcome, Reply } from "./reply.ts";

/** Who acts, where. Built by the adapter from a verified platform request. */
export interface Actor {
  platform: Platform;
  workspaceId: string;
  channelId: string;
  userId: string;
  /** Slack workspace admin/owner, Discord Administrator/Manage Server. */
  userIsPlatformAdmin: boolean;
  userName?: string;
  /** The platform's id of the request (Slack trigger id, Discord interaction id), for logs. */
  requestId?: string;
}

/** One command from chat: the path in the command tree and its raw arguments. */
export interface Invocation extends Actor {
  path: string[];
  /** Typed options (Discord) or the parsed text grammar (Slack), validated by the command's schema. */
  args: Record<string, unknown>;
}

/** Where core posts and updates messages outside the request/response cycle (cards, alerts, threads). */
export interface Messenger {
  readonly platform: Platform;
  post(workspaceId: string, channelId: string, reply: Reply): Promise<MessageRef>;
  update(workspaceId: string, ref: MessageRef, reply: Reply): Promise<void>;
  /** Posts in the message's thread (Slack thread, Discord reply). */
  postInThread(workspaceId: string, ref: MessageRef, reply: Reply): Promise<void>;
  /**
   * Posts a reply that carries pictures and is never updated (scheduled reports): Slack uploads the
   * pictures with the text as their comment, Discord attaches them, the console saves them.
   */
  postPictures(workspaceId: string, channelId: string, reply: Reply): Promise<void>;
  /**
   * Whether hostops can still post in a workspace (Slack distribution: it is installed there).
   * Absent: every workspace is. The alert scan skips the bindings of workspaces it cannot reach.
   */
  reachable?(workspaceId: string): Promise<boolean>;
}

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface CoreSettings {
  timeZone: string;
  confirmTtlMinutes: number;
  /** Role of a member with no grant. */
  defaultRole: Role | "none";
  providerTimeoutMs: number;
  providerConcurrency: number;
  /** Base URL overrides per kind (sandbox); accounts may also carry their own. */
  baseUrlOverrides?: Partial<Record<string, string>>;
  /** How often an asynchronous provider task is polled, and for how long at most. */
  taskPollMs?: number;
  taskMaxMs?: number;
}

/**
 * Work that outlives the request that started it (following a provider task, posting a result).
 * Tracked so that shutdown and tests can wait for it instead of sleeping.
 */
export class BackgroundWork {
  readonly #running = new Set<Promise<unknown>>();
  constructor(private readonly onError: (err: unknown) => void) {}
  run(fn: () => Promise<unknown>): void {
    const p = fn().catch(this.onError);
    this.#running.add(p);
    void p.finally(() => this.#running.delete(p));
  }
  /** Runs `fn` as in-flight work (a command being answered): shutdown waits for it; errors reach the caller. */
  track<T>(fn: () => Promise<T>): Promise<T> {
    const p = fn();
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.#running.add(settled);
    void settled.finally(() => this.#running.delete(settled));
    return p;
  }
  /** How much work is running now. */
  get size(): number {
    return this.#running.size;
  }
  /** Resolves when every piece of background work (including work it started) has finished. */
  async idle(): Promise<void> {
    while (this.#running.size) await Promise.allSettled([...this.#running]);
  }
}

/** Follows asynchronous provider tasks (task-follower.ts): one poller per task across replicas. */
export interface TaskFollowing {
  follow(requestId: string): void;
  /** Takes on every task nobody follows (housekeeping); returns how many. */
  resume(): Promise<number>;
}

export interface Core {
  db: Database;
  accounts: AccountService;
  log: Logger;
  clock: Clock;
  settings: CoreSettings;
  messengers: Map<Platform, Messenger>;
  background: BackgroundWork;
  /** Set by the composition root; absent where no task is ever followed. */
  tasks?: TaskFollowing;
}

/** What a handler receives. */
export interface CommandContext {
  core: Core;
  actor: Actor;
  role: Role | "none";
  log: Logger;
  /**
   * Acknowledges the request on its platform before a provider is asked anything (Discord defers
   * the interaction; Slack and the console acknowledged on arrival: nothing to do). Resolves once
   * the platform has the acknowledgement; later calls resolve at once. The dispatcher calls it
   * before a handler that declares `mayCallProvider` alone; a handler that declares both
   * `mayOpenForm` and `mayCallProvider` calls it itself, right before its first provider call.
   */
  acknowledge(): Promise<void>;
}

/** What the adapter lends core while one request is handled. */
export interface RequestHooks {
  /** See {@link CommandContext.acknowledge}; absent: the request was acknowledged on arrival. */
  acknowledge?(): Promise<void>;
}

/**
 * What a command or button may do before it answers. Platforms that must answer within seconds
 * and accept a form only as the first response (Discord) decide from it whether to acknowledge
 * first; test/unit/handler-effects.test.ts fails when a handler does more than it declares.
 */
export interface Effects {
  /** May answer with a form (a Modal outcome). */
  mayOpenForm?: boolean;
  /** May call a provider (any driver method) before it answers. */
  mayCallProvider?: boolean;
}

/** How a parameter appears in the Slack text grammar and as a Discord option. */
export interface Param {
  name: string;
  description: string;
  type: "string" | "integer" | "boolean" | "user" | "choice";
  required?: boolean;
  /** `--name value` (or `--name` for booleans) instead of a positional word. */
  flag?: boolean;
  /** Takes every remaining word (positional only; the last positional). */
  rest?: boolean;
  choices?: readonly string[];
  autocomplete?: "account" | "service" | "domain" | "os";
  min?: number;
  max?: number;
}

export interface CommandDef<S extends z.ZodType = z.ZodType> extends Effects {
  path: readonly string[];
  /**
   * Where the command sits in a compact tree (Discord allows 25 top-level entries): a group and a
   * name. Platforms with a text grammar accept both paths and show `path`; Discord registers and
   * shows this one.
   */
  compactPath?: readonly [group: string, name: string];
  summary: string;
  /** Usage examples shown in help. */
  examples?: string[];
  params: readonly Param[];
  /** Validates the args record built from `params`. */
  schema: S;
  role: Role;
  /** Read-only commands answer in the channel unless the adapter asks otherwise; admin ones are ephemeral. */
  ephemeral?: boolean;
  run(ctx: CommandContext, args: z.output<S>): Promise<Outcome>;
}

export function defineCommand<S extends z.ZodType>(def: CommandDef<S>): CommandDef {
  return def as unknown as CommandDef;
}

/** A modal submit handler, routed by the modal's id. Values are the raw strings the person typed. */
export interface ModalHandlerDef {
  id: string;
  role: Role;
  run(ctx: CommandContext, state: string, values: Record<string, string>): Promise<Outcome>;
}

/** A button handler, routed by the button's action id. Re-authorized at click time. */
export interface ActionHandlerDef extends Effects {
  id: string;
  /** Minimum role to click; handlers may check more (approvers are admins). */
  role: Role;
  run(ctx: CommandContext, value: string): Promise<Outcome>;
}
