/**
 * How hostops meets Slack: the bot token checked at start (auth.test, retried while Slack is
 * unreachable), the receiver (Socket Mode, or HTTP with the OAuth install routes in distribution
 * mode), the Bolt App on top of it, and the pages a person sees at the end of an install.
 */
import type http from "node:http";
import {
  App,
  type Logger as BoltLogger,
  HTTPReceiver,
  type Installation,
  SocketModeReceiver,
  webApi,
} from "@slack/bolt";
import { retryUntilUp, StartError } from "../../lifecycle/retry.ts";
import type { SlackOptions } from "./app.ts";

/** The bot scopes hostops asks for (the same as slack/manifest.yml). */
export const SLACK_BOT_SCOPES = ["commands", "chat:write", "chat:write.public", "files:write", "users:read"];

/** Options every Web API client of hostops gets (the API base override, SLACK_API_URL). */
export type SlackClientOptions = { slackApiUrl?: string };

/** Slack's answers to auth.test that no retry will fix. */
const REJECTED = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "not_allowed_token_type",
  "missing_scope",
  "team_access_not_granted",
]);

/** auth.test (bot token) and, in Socket Mode, the app token: a rejected one is a StartError. */
export function rejectedToken(err: unknown, variable: string): StartError | undefined {
  const e = err as { code?: string; data?: { error?: string } };
  const code = e?.code === webApi.ErrorCode.PlatformError ? e.data?.error : undefined;
  if (!code || !REJECTED.has(code)) return undefined;
  return new StartError(
    `${variable} was rejected by Slack (${code}): copy a valid token from the Slack app's settings into ${variable}.`,
  );
}

/**
 * The token first (one workspace): a revoked one stops the start with one clear line; an
 * unreachable Slack is retried with backoff (the caller's /readyz says 503 meanwhile).
 */
export function verifyBotToken(
  botToken: string,
  opts: SlackOptions,
  clientOptions: SlackClientOptions,
  logger: BoltLogger,
  onRetry: () => void,
) {
  return retryUntilUp(
    async () => {
      const verifier = new webApi.WebClient(botToken, {
        ...clientOptions,
        logger,
        retryConfig: { retries: 0 },
      });
      try {
        return await verifier.auth.test();
      } catch (err) {
        throw rejectedToken(err, "SLACK_BOT_TOKEN") ?? err;
      }
    },
    {
      what: "Slack",
      signal: opts.signal,
      ...opts.retry,
      onRetry: (err, attempt, delayMs) => {
        opts.log.warn({ err, attempt, delayMs }, "Slack does not answer (auth.test); retrying");
        onRetry();
      },
    },
  );
}

export interface SlackReceiver {
  app: App;
  /** Socket Mode only. */
  socket: SocketModeReceiver | undefined;
  /** Socket Mode: the WebSocket is connected now. */
  socketUp(): boolean;
}

/** The receiver (Socket Mode or HTTP, with the OAuth routes in distribution mode) and the App. */
export function createSlackReceiver(
  opts: SlackOptions,
  clientOptions: SlackClientOptions,
  logger: BoltLogger,
  identity: { bot_id?: string; user_id?: string } | undefined,
): SlackReceiver {
  const { log, oauth } = opts;
  const socket = opts.appToken
    ? new SocketModeReceiver({ appToken: opts.appToken, logger, installerOptions: { clientOptions } })
    : undefined;
  let socketUp = false;
  socket?.client.on("connected", () => {
    socketUp = true;
    log.info("Slack Socket Mode connected");
  });
  for (const state of ["close", "disconnected", "reconnecting", "connecting"])
    socket?.client.on(state, () => {
      if (socketUp) log.warn({ state }, "Slack Socket Mode connection lost");
      socketUp = false;
    });
  const receiver =
    socket ??
    new HTTPReceiver({
      signingSecret: opts.signingSecret ?? "",
      processBeforeResponse: opts.processBeforeResponse ?? false,
      customRoutes: opts.customRoutes ?? [],
      logger,
      ...(oauth
        ? {
            clientId: oauth.clientId,
            clientSecret: oauth.clientSecret,
            stateSecret: oauth.stateSecret,
            scopes: SLACK_BOT_SCOPES,
            installationStore: oauth.installationStore,
            installerOptions: {
              // /slack/install shows an "Add to Slack" page; the state is signed with
              // SLACK_STATE_SECRET and tied to the browser by a cookie, checked at the redirect.
              directInstall: false,
              stateVerification: true,
              installPath: "/slack/install",
              redirectUriPath: "/slack/oauth_redirect",
              clientOptions,
              callbackOptions: {
                success: (installation: Installation, _o: unknown, _req: unknown, res: http.ServerResponse) =>
                  installPage(res, 200, installedText(installation)),
                failure: (error: { code?: string }, _o: unknown, _req: unknown, res: http.ServerResponse) => {
                  log.warn({ code: error.code }, "a Slack installation did not complete");
                  installPage(
                    res,
                    400,
                    `The installation did not complete (${plainCode(error.code)}). Start again from /slack/install.`,
                  );
                },
              },
            },
          }
        : {}),
    });
  const app = oauth
    ? // No token: Bolt authorizes every request from the installation store (its workspace's token).
      new App({ receiver, clientOptions, logger })
    : new App({
        token: opts.botToken,
        botId: identity?.bot_id,
        botUserId: identity?.user_id,
        receiver,
        clientOptions,
        logger,
      });
  return { app, socket, socketUp: () => socketUp };
}

/** The page a person sees at the end of an install. */
function installPage(res: http.ServerResponse, status: number, text: string): void {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>hostops</title></head><body><p>${escapeHtml(text)}</p></body></html>`;
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(html);
}

function installedText(installation: Installation): string {
  const where = installation.team?.name ?? installation.enterprise?.name ?? "your workspace";
  return `hostops is installed in ${where}. In a channel: /hosting accounts add to add a provider account, then /hosting bind <label>.`;
}

/** Bolt's error codes are plain words ("slack_oauth_invalid_state"); anything else is not shown. */
function plainCode(code: string | undefined): string {
  return code && /^[a-z_]{1,60}$/.test(code) ? code : "error";
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
