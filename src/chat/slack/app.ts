/**
 * The Slack adapter's entry point: startSlack and its options and handle. It checks the token,
 * builds the receiver and Bolt App (receiver.ts), registers the listeners (commands.ts: slash
 * commands and buttons; forms.ts: form submissions; home.ts: the App Home; installations.ts:
 * uninstalls), starts listening and hands back the messenger. src/app.ts imports from here only.
 */
import type http from "node:http";
import type { App, CustomRoute } from "@slack/bolt";
import type { Core, Messenger } from "../../core/context.ts";
import type { Dispatcher } from "../../core/dispatch.ts";
import { retryUntilUp } from "../../lifecycle/retry.ts";
import type { Logger } from "../../observability/logger.ts";
import { slackLogger } from "../../observability/platform-logs.ts";
import { createAckFirst } from "./ack-first.ts";
import { createSlackActors } from "./actors.ts";
import { registerCommands } from "./commands.ts";
import type { SlackListenerDeps } from "./deliver.ts";
import { registerForms } from "./forms.ts";
import { registerHome } from "./home.ts";
import type { DbInstallationStore } from "./installation-store.ts";
import { createSlackInstallations, registerUninstall } from "./installations.ts";
import { createSlackMessenger } from "./messenger.ts";
import { createSlackReceiver, rejectedToken, verifyBotToken } from "./receiver.ts";

export { createAckFirst } from "./ack-first.ts";
export { SLACK_BOT_SCOPES } from "./receiver.ts";

/** Distribution mode: workspaces install hostops through Slack's OAuth v2 flow. */
export interface SlackOAuthOptions {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  installationStore: DbInstallationStore;
}

export interface SlackOptions {
  core: Core;
  dispatcher: Dispatcher;
  log: Logger;
  /** One workspace, one token. Exactly one of `botToken` and `oauth` is given. */
  botToken?: string;
  /** Many workspaces: `/slack/install`, `/slack/oauth_redirect`, a token per installation. */
  oauth?: SlackOAuthOptions;
  signingSecret?: string;
  /** Set: Socket Mode instead of the HTTP receiver. */
  appToken?: string;
  /** Web API base override (SLACK_API_URL), e.g. a local fake in tests. */
  apiUrl?: string;
  port: number;
  /** Tests: send the HTTP response after the listener finished, so side effects are visible. */
  processBeforeResponse?: boolean;
  customRoutes?: CustomRoute[];
  /** How long a form submit may take before the modal shows "checking…" and is updated later. */
  modalAckBudgetMs?: number;
  /** How long a "workspace admin" lookup (users.info) is trusted. */
  adminCacheMs?: number;
  /** Interface the HTTP receiver listens on (default: all). */
  listenHost?: string;
  /** Cancels the start (a signal while Slack is unreachable). */
  signal?: AbortSignal;
  /** Backoff while Slack is unreachable at start. */
  retry?: { firstDelayMs?: number; maxDelayMs?: number };
  /** Called once when Slack does not answer at start (the caller serves /readyz meanwhile). */
  onUnreachable?: () => void;
  /** Called before the HTTP receiver listens (the caller frees the port). */
  beforeListen?: () => Promise<void>;
}

export interface SlackHandle {
  app: InstanceType<typeof App>;
  messenger: Messenger;
  /** The HTTP server (HTTP mode), for its port. */
  server?: http.Server;
  /** Distribution mode: the workspaces' installations. */
  installations?: DbInstallationStore;
  /** Socket Mode: the WebSocket is connected now. HTTP mode: the token was verified. */
  connected(): boolean;
  /** Takes no new requests (closes the HTTP server or the Socket Mode connection). */
  stop(): Promise<void>;
}

export async function startSlack(opts: SlackOptions): Promise<SlackHandle> {
  const { core, dispatcher, log } = opts;
  const clientOptions = opts.apiUrl
    ? { slackApiUrl: opts.apiUrl.endsWith("/") ? opts.apiUrl : `${opts.apiUrl}/` }
    : {};
  const logger = slackLogger(log);
  const { oauth } = opts;
  if (Boolean(oauth) === Boolean(opts.botToken))
    throw new Error("Slack needs either a bot token or the OAuth install settings, not both.");
  if (oauth && opts.appToken)
    throw new Error("The OAuth install flow needs the HTTP receiver, not Socket Mode.");

  // Distribution mode has no token of its own: each workspace's comes from its installation.
  let warned = false;
  const unreachable = () => {
    if (!warned) opts.onUnreachable?.();
    warned = true;
  };
  const identity = opts.botToken
    ? await verifyBotToken(opts.botToken, opts, clientOptions, logger, unreachable)
    : undefined;
  const { app, socket, socketUp } = createSlackReceiver(opts, clientOptions, logger, identity);

  // HTTP in production acks before the work: keep a burst's acks ahead of its work (createAckFirst).
  const ackFirst = createAckFirst(opts.appToken || opts.processBeforeResponse ? 0 : 20);
  const actors = createSlackActors({ log, adminCacheMs: opts.adminCacheMs });
  const installations = createSlackInstallations(app, oauth, clientOptions, logger);
  const deps: SlackListenerDeps = {
    core,
    dispatcher,
    log,
    ackFirst,
    actors,
    modalAckBudgetMs: opts.modalAckBudgetMs ?? 2_000,
  };
  registerCommands(app, deps);
  registerForms(app, deps);
  registerUninstall(app, { core, log, oauth, installations, forgetTeam: actors.forgetTeam });
  registerHome(app, deps);
  app.error(async (err) => {
    log.error({ err }, "Slack listener failed");
  });

  // Socket Mode: apps.connections.open and the WebSocket; a rejected app token stops the start.
  const started = (await retryUntilUp(
    async () => {
      try {
        if (!socket) await opts.beforeListen?.();
        return await app.start(opts.listenHost ? { port: opts.port, host: opts.listenHost } : opts.port);
      } catch (err) {
        throw rejectedToken(err, "SLACK_APP_TOKEN") ?? err;
      }
    },
    {
      what: "Slack Socket Mode",
      signal: opts.signal,
      ...opts.retry,
      onRetry: (err, attempt, delayMs) => {
        // Only Socket Mode gets here: an HTTP listen error (port in use) is not retried.
        if (!socket) throw err;
        log.warn({ err, attempt, delayMs }, "Slack Socket Mode does not connect; retrying");
        unreachable();
      },
    },
  )) as unknown;
  const server = opts.appToken ? undefined : (started as http.Server);
  ackFirst.watch(server);
  let stopping: Promise<void> | undefined;
  return {
    app,
    messenger: oauth
      ? createSlackMessenger(installations.clientFor, (teamId) => oauth.installationStore.isInstalled(teamId))
      : createSlackMessenger(async () => app.client),
    server,
    installations: oauth?.installationStore,
    connected: () => (socket ? socketUp() : !stopping),
    stop() {
      stopping ??= (app.stop() as Promise<void>).catch((err: unknown) =>
        log.warn({ err }, "Slack receiver did not stop cleanly"),
      );
      return stopping;
    },
  };
}
