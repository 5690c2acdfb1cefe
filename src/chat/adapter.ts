import type http from "node:http";
import type { Config } from "../config.ts";
import type { Core, Messenger } from "../core/context.ts";
import type { CredentialCipher } from "../core/crypto.ts";
import type { Dispatcher } from "../core/dispatch.ts";
import type { Platform } from "../db/schema.ts";
import type { Route } from "../http/routes.ts";
import type { Logger } from "../observability/logger.ts";

/**
 * The contract between the composition root (src/app.ts) and a chat platform. app.ts creates the
 * adapter of every configured platform (src/chat/registry.ts), answers /readyz from their
 * readiness, starts them in order, gives core their messengers, and stops them in two steps: no
 * new requests first, then, once the work in flight is done, the connections.
 */
export interface ChatAdapter {
  readonly platform: Platform;
  /** The adapter serves PORT itself (Slack's HTTP receiver): hostops then starts no server of its own. */
  readonly servesHttp: boolean;
  /**
   * Connects and starts answering. While the platform does not answer it retries (deps.retry); a
   * signal (deps.signal) ends it with StartAborted, a rejected token with a StartError naming the
   * variable. A failed start leaves nothing running.
   */
  start(): Promise<void>;
  /** Where core posts outside a request (cards, alerts, task outcomes); there once started. */
  readonly messenger: Messenger;
  /** The server on PORT, when the adapter serves it and has started. */
  readonly server?: http.Server;
  /** Readiness (/readyz): false until started and while the platform connection is down. */
  isReady(): boolean;
  /** Shutdown, first step: no new requests; those in flight go on answering. */
  stopIntake(): void;
  /** Shutdown, last step (after the work in flight), or undoing a start: closes everything. Idempotent. */
  stop(): Promise<void>;
}

/** What an adapter gets from the composition root. */
export interface AdapterDeps {
  core: Core;
  dispatcher: Dispatcher;
  config: Config;
  log: Logger;
  /** The credential cipher (Slack keeps its installations' tokens encrypted with it). */
  cipher: CredentialCipher;
  /** hostops' health and readiness routes, for an adapter that serves PORT. */
  routes: Route[];
  /** Cancels a start in progress (a signal while the platform is unreachable). */
  signal?: AbortSignal;
  /** Backoff while the platform is unreachable at start. */
  retry?: { firstDelayMs?: number; maxDelayMs?: number };
  /** Interface to listen on (default: all). */
  listenHost?: string;
  /** hostops serves no HTTP of its own (console, admin CLI): no stand-in /readyz either. */
  noHttpServer?: boolean;
  /** Test hooks of one platform; production leaves them unset. */
  testHooks?: { slackProcessBeforeResponse?: boolean; slackModalAckBudgetMs?: number };
}

/** A chat platform hostops can serve: whether the configuration asks for it, and its adapter. */
export interface ChatPlatform {
  platform: Platform;
  configured(config: Config): boolean;
  /** Loads the adapter's module (discord.js and Bolt are most of the start-up time and memory). */
  load(): Promise<(deps: AdapterDeps) => ChatAdapter>;
}
