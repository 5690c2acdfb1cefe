import type http from "node:http";
import { slackOAuthConfigured } from "../../config.ts";
import { closeServer, listenHealth } from "../../http/health-server.ts";
import { exactRoutes } from "../../http/routes.ts";
import { within } from "../../lifecycle/within.ts";
import type { AdapterDeps, ChatAdapter } from "../adapter.ts";
import { type SlackHandle, startSlack } from "./app.ts";
import { DbInstallationStore } from "./installation-store.ts";

/**
 * Slack behind the adapter contract (src/chat/adapter.ts). In HTTP mode Bolt's receiver serves
 * PORT (Slack's events, health, readiness); until Slack answered at start, a stand-in server
 * answers /readyz there (503). In Socket Mode hostops serves PORT itself.
 */
export function createSlackAdapter(deps: AdapterDeps): ChatAdapter {
  const { config, log } = deps;
  const httpMode = !config.SLACK_APP_TOKEN;
  let handle: SlackHandle | undefined;
  let intakeClosed: Promise<void> | undefined;
  const stopIntake = () => {
    intakeClosed ??= handle?.stop();
  };
  return {
    platform: "slack",
    servesHttp: httpMode,
    get server() {
      return handle?.server;
    },
    get messenger() {
      if (!handle) throw new Error("Slack is not started");
      return handle.messenger;
    },
    isReady: () => handle?.connected() ?? false,
    async start() {
      // Distribution mode: a token per workspace, from the installations in the database.
      const oauth =
        slackOAuthConfigured(config) &&
        config.SLACK_CLIENT_ID &&
        config.SLACK_CLIENT_SECRET &&
        config.SLACK_STATE_SECRET
          ? {
              clientId: config.SLACK_CLIENT_ID,
              clientSecret: config.SLACK_CLIENT_SECRET,
              stateSecret: config.SLACK_STATE_SECRET,
              installationStore: new DbInstallationStore(deps.core.db, deps.cipher),
            }
          : undefined;
      let standIn: Promise<http.Server | undefined> | undefined;
      try {
        handle = await startSlack({
          core: deps.core,
          dispatcher: deps.dispatcher,
          log,
          botToken: oauth ? undefined : config.SLACK_BOT_TOKEN,
          oauth,
          signingSecret: config.SLACK_SIGNING_SECRET,
          appToken: config.SLACK_APP_TOKEN,
          apiUrl: config.SLACK_API_URL,
          port: config.PORT,
          processBeforeResponse: deps.testHooks?.slackProcessBeforeResponse,
          listenHost: deps.listenHost,
          modalAckBudgetMs: deps.testHooks?.slackModalAckBudgetMs,
          customRoutes: exactRoutes(deps.routes),
          signal: deps.signal,
          retry: deps.retry,
          onUnreachable: () => {
            if (!httpMode || deps.noHttpServer) return;
            standIn = listenHealth(deps.routes, config.PORT, deps.listenHost).catch((err: unknown) => {
              log.warn({ err }, "could not serve /readyz while Slack is unreachable");
              return undefined;
            });
          },
          beforeListen: async () => closeServer(await standIn),
        });
      } catch (err) {
        await closeServer(await standIn);
        throw err;
      }
    },
    stopIntake,
    async stop() {
      stopIntake();
      // A keep-alive or unanswered connection must not hold the exit.
      handle?.server?.closeAllConnections();
      await within(intakeClosed ?? Promise.resolve(), 1_000);
    },
  };
}
