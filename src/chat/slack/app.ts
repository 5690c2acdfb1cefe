import type http from "node:http";
import {
  App,
  type CustomRoute,
  HTTPReceiver,
  type Installation,
  SocketModeReceiver,
  webApi,
} from "@slack/bolt";
import { audit } from "../../core/audit.ts";
import type { Actor, Core, Messenger } from "../../core/context.ts";
import type { Dispatcher } from "../../core/dispatch.ts";
import { buildOverview } from "../../core/overview.ts";
import { errorReply, type Outcome, type Reply } from "../../core/reply.ts";
import { retryUntilUp, StartError } from "../../lifecycle/retry.ts";
import type { Logger } from "../../observability/logger.ts";
import { slackLogger } from "../../observability/platform-logs.ts";
import { splitImages, uploadImages } from "./files.ts";
import { type DbInstallationStore, installKeyOf } from "./installation-store.ts";
import { createSlackMessenger, type SlackClientFor } from "./messenger.ts";
import { actionIdOf, messageView, readViewValues, renderBlocks, renderModal, renderReply } from "./render.ts";

/** The bot scopes hostops asks for (the same as slack/manifest.yml). */
export const SLACK_BOT_SCOPES = ["commands", "chat:write", "chat:write.public", "files:write", "users:read"];

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
function rejectedToken(err: unknown, variable: string): StartError | undefined {
  const e = err as { code?: string; data?: { error?: string } };
  const code = e?.code === webApi.ErrorCode.PlatformError ? e.data?.error : undefined;
  if (!code || !REJECTED.has(code)) return undefined;
  return new StartError(
    `${variable} was rejected by Slack (${code}): copy a valid token from the Slack app's settings into ${variable}.`,
  );
}

interface ModalMeta {
  /** channel the form was opened from */
  c: string;
  /** core's opaque modal state */
  s: string;
  /** ids of secret fields: never pre-filled when the form is shown again */
  x: string[];
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

  // The token first (one workspace): a revoked one stops the start with one clear line; an
  // unreachable Slack is retried with backoff (the caller's /readyz says 503 meanwhile).
  // Distribution mode has no token of its own: each workspace's comes from its installation.
  let warned = false;
  const botToken = opts.botToken;
  const identity = botToken
    ? await retryUntilUp(
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
            log.warn({ err, attempt, delayMs }, "Slack does not answer (auth.test); retrying");
            if (!warned) opts.onUnreachable?.();
            warned = true;
          },
        },
      )
    : undefined;

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
        token: botToken,
        botId: identity?.bot_id,
        botUserId: identity?.user_id,
        receiver,
        clientOptions,
        logger,
      });

  // HTTP in production acks before the work: keep a burst's acks ahead of its work (createAckFirst).
  const ackFirst = createAckFirst(opts.appToken || opts.processBeforeResponse ? 0 : 20);
  // The lookup itself is cached, so clicks and commands of one user arriving together share one
  // users.info call (1000 approve clicks by 10 admins made 1000 calls; bench/confirmations.ts).
  const adminCache = new Map<string, { admin: Promise<boolean>; until: number }>();
  const adminCacheMs = opts.adminCacheMs ?? 5 * 60_000;

  // Distribution mode: what hostops posts on its own (alerts, cards, task results) goes out with
  // the token of the workspace it posts to, read from its installation (one client per token).
  const clients = new Map<string, { token: string; client: webApi.WebClient }>();
  const clientFor: SlackClientFor = async (teamId) => {
    if (!oauth) return app.client;
    const token = await oauth.installationStore.botTokenFor(teamId);
    const hit = clients.get(teamId);
    if (hit && hit.token === token) return hit.client;
    const client = new webApi.WebClient(token, { ...clientOptions, logger });
    clients.set(teamId, { token, client });
    return client;
  };

  /** Slack workspace admins and owners are hostops admins; one users.info per user per few minutes. */
  function isWorkspaceAdmin(client: webApi.WebClient, teamId: string, userId: string): Promise<boolean> {
    const key = `${teamId}:${userId}`;
    const hit = adminCache.get(key);
    if (hit && hit.until > Date.now()) return hit.admin;
    const admin = client.users.info({ user: userId }).then(
      (r) => Boolean(r.user?.is_admin || r.user?.is_owner || r.user?.is_primary_owner),
      (err: unknown) => {
        // Not cached: the next command asks again.
        if (adminCache.get(key)?.admin === admin) adminCache.delete(key);
        log.warn({ err, userId }, "could not look up whether the user is a workspace admin");
        return false;
      },
    );
    adminCache.set(key, { admin, until: Date.now() + adminCacheMs });
    return admin;
  }

  async function actorOf(
    client: webApi.WebClient,
    teamId: string,
    channelId: string,
    userId: string,
    userName?: string,
    requestId?: string,
  ): Promise<Actor> {
    return {
      platform: "slack",
      workspaceId: teamId,
      channelId,
      userId,
      userName,
      requestId,
      userIsPlatformAdmin: await isWorkspaceAdmin(client, teamId, userId),
    };
  }

  const toMessage = (r: Reply) => renderReply(r);

  /** Delivers a command's or button's outcome through response_url / views.open. */
  async function deliver(
    out: Outcome,
    io: {
      respond: (m: Record<string, unknown>) => Promise<unknown>;
      client: webApi.WebClient;
      triggerId?: string;
      channelId: string;
    },
  ): Promise<void> {
    switch (out.kind) {
      case "reply": {
        const { images, rest } = splitImages(out.reply);
        if (images.length) {
          // A picture cannot travel through response_url: it is uploaded into the channel, with the
          // reply's text as its comment.
          try {
            await uploadImages(io.client, io.channelId, images, rest.text);
            return;
          } catch (err) {
            log.warn({ err }, "could not upload a picture to Slack");
            await io.respond({
              response_type: "ephemeral",
              replace_original: false,
              ...toMessage({
                ...rest,
                ephemeral: true,
                blocks: [
                  ...rest.blocks,
                  {
                    kind: "context",
                    text: "The chart could not be posted here: invite the hostops app to this channel (`/invite @hostops`) and try again.",
                  },
                ],
              }),
            });
            return;
          }
        }
        await io.respond({
          response_type: out.reply.ephemeral ? "ephemeral" : "in_channel",
          replace_original: false,
          ...toMessage(out.reply),
        });
        return;
      }
      case "update":
        await io.respond({ replace_original: true, ...toMessage(out.reply) });
        return;
      case "modal": {
        if (!io.triggerId) return;
        const meta: ModalMeta = {
          c: io.channelId,
          s: out.modal.state,
          x: out.modal.fields.filter((f) => f.kind === "secret").map((f) => f.id),
        };
        await io.client.views.open({
          trigger_id: io.triggerId,
          view: renderModal(out.modal, JSON.stringify(meta)) as unknown as webApi.ViewsOpenArguments["view"],
        });
        return;
      }
      case "fieldErrors":
        await io.respond({
          response_type: "ephemeral",
          ...toMessage(errorReply(Object.values(out.errors).join(" "))),
        });
        return;
      case "none":
        return;
    }
  }

  /**
   * A payload that does not say who asked where (no team, user or channel id) cannot be
   * authorized or audited: it is refused with a warning naming what is missing, no stack trace.
   */
  function missingIds(kind: string, ids: Record<string, unknown>): boolean {
    const missing = Object.entries(ids)
      .filter(([, v]) => typeof v !== "string" || v.trim() === "")
      .map(([k]) => k);
    if (!missing.length) return false;
    log.warn({ kind, missing }, "refused a Slack payload without the ids it needs");
    return true;
  }
  const WHO_WHERE =
    "hostops could not tell which workspace, user or channel this came from, so nothing was done. Try again from a channel.";

  // Every listener is in-flight work: a shutdown lets it finish (within the grace) before it exits.
  const inFlight = opts.core.background;
  app.command(/^\/hosting/, async (args) => inFlight.track(() => onCommand(args)));
  async function onCommand({
    command,
    ack,
    respond,
    client,
  }: Parameters<Parameters<typeof app.command>[1]>[0]): Promise<void> {
    await ack();
    await ackFirst.wait();
    if (
      missingIds("command", {
        team_id: command.team_id,
        user_id: command.user_id,
        channel_id: command.channel_id,
      })
    ) {
      await respond({ response_type: "ephemeral", ...toMessage(errorReply(WHO_WHERE)) }).catch(
        () => undefined,
      );
      return;
    }
    const actor = await actorOf(
      client,
      command.team_id,
      command.channel_id,
      command.user_id,
      command.user_name,
      command.trigger_id,
    );
    const out = await dispatcher.text(actor, command.text ?? "");
    await deliver(out, {
      respond: (m) => respond(m),
      client,
      triggerId: command.trigger_id,
      channelId: command.channel_id,
    }).catch((err: unknown) =>
      log.error({ err, requestId: command.trigger_id }, "could not deliver the command's reply to Slack"),
    );
  }

  app.action(/.+/, async (args) => inFlight.track(() => onAction(args)));
  async function onAction({
    ack,
    body,
    action,
    respond,
    client,
  }: Parameters<Parameters<typeof app.action>[1]>[0]): Promise<void> {
    await ack();
    await ackFirst.wait();
    if (body.type !== "block_actions" || action.type !== "button" || !("action_id" in action)) return;
    const channelId = body.channel?.id ?? body.container?.channel_id ?? "";
    const teamId = body.team?.id ?? body.user?.team_id ?? "";
    // A click in the App Home has no channel: the request it decides names its own.
    const home = body.view?.type === "home";
    if (
      missingIds("button", {
        team_id: teamId,
        user_id: body.user?.id,
        ...(home ? {} : { channel_id: channelId }),
      })
    ) {
      await respond({
        response_type: "ephemeral",
        replace_original: false,
        ...toMessage(errorReply(WHO_WHERE)),
      }).catch(() => undefined);
      return;
    }
    const actor = await actorOf(client, teamId, channelId, body.user.id, body.user.name, body.trigger_id);
    const out = await dispatcher.action(actor, actionIdOf(action.action_id), action.value ?? "");
    if (body.view?.type === "home") {
      // A click in the App Home: no response_url there; the answer goes on top of a fresh overview.
      if (out.kind === "modal")
        await deliver(out, { respond: async () => {}, client, triggerId: body.trigger_id, channelId });
      else
        await publishHome(
          client,
          actor,
          out.kind === "reply" || out.kind === "update" ? out.reply.text : undefined,
        ).catch((err: unknown) => log.error({ err }, "could not publish the App Home"));
      return;
    }
    await deliver(out, { respond: (m) => respond(m), client, triggerId: body.trigger_id, channelId }).catch(
      (err: unknown) =>
        log.error({ err, requestId: body.trigger_id }, "could not deliver the button's outcome to Slack"),
    );
  }

  const budget = opts.modalAckBudgetMs ?? 2_000;
  app.view(/.+/, async (args) => inFlight.track(() => onView(args)));
  async function onView({
    ack,
    body,
    view,
    client,
  }: Parameters<Parameters<typeof app.view>[1]>[0]): Promise<void> {
    let meta: ModalMeta;
    const teamId = body.team?.id ?? body.user?.team_id ?? "";
    try {
      meta = JSON.parse(view.private_metadata) as ModalMeta;
    } catch {
      await ack({
        response_action: "update",
        view: messageView("hostops", "This form is out of date. Run the command again.") as never,
      });
      return;
    }
    if (missingIds("form", { team_id: teamId, user_id: body.user?.id, channel_id: meta?.c })) {
      await ack({ response_action: "update", view: messageView("hostops", WHO_WHERE) as never });
      return;
    }
    const values = readViewValues(view.state);
    const triggerId = "trigger_id" in body ? String(body.trigger_id) : undefined;
    const actor = await actorOf(client, teamId, meta.c, body.user.id, body.user.name, triggerId);
    const pending = dispatcher.modal(actor, view.callback_id, meta.s, values);
    const quick = budget > 0 ? await Promise.race([pending, delay(budget)]) : undefined;
    if (quick) {
      await answerView(quick, { ack: (r) => (ack as (r?: unknown) => Promise<void>)(r), immediate: true });
      return;
    }
    // Slow (the provider is checking credentials): acknowledge with a progress view, update it later.
    await ack({
      response_action: "update",
      view: messageView(view.title.text, "Checking with the provider…") as never,
    });
    const out = await pending;
    await answerView(out, { ack: undefined, immediate: false }).catch((err: unknown) =>
      log.error({ err }, "could not update the Slack form"),
    );

    async function answerView(
      out: Outcome,
      how: { ack: ((r?: Record<string, unknown>) => Promise<void>) | undefined; immediate: boolean },
    ): Promise<void> {
      const update = async (v: Record<string, unknown>) => {
        if (how.immediate && how.ack) await how.ack({ response_action: "update", view: v });
        else await client.views.update({ view_id: body.view.id, view: v as never });
      };
      switch (out.kind) {
        case "fieldErrors": {
          if (how.immediate && how.ack) {
            await how.ack({ response_action: "errors", errors: out.errors });
            return;
          }
          // After the ack, field errors can only be shown by re-rendering the form with the message on top.
          const blocks = (view.blocks as unknown as Record<string, unknown>[])
            .filter((b) => b.type === "input")
            .map((b) => refill(b, values, meta.x));
          await update({
            type: "modal",
            callback_id: view.callback_id,
            private_metadata: view.private_metadata,
            title: view.title,
            submit: view.submit ?? undefined,
            close: view.close ?? undefined,
            blocks: [
              {
                type: "section",
                text: { type: "mrkdwn", text: `:warning: ${Object.values(out.errors).join(" ")}` },
              },
              ...blocks,
            ],
          });
          return;
        }
        case "reply":
        case "update":
          if (out.reply.ephemeral) await update(messageView(view.title.text, out.reply.text));
          else {
            if (how.immediate && how.ack) await how.ack();
            await client.chat.postMessage({ channel: meta.c, ...toMessage(out.reply) });
          }
          return;
        case "modal":
          await update(
            renderModal(
              out.modal,
              JSON.stringify({
                c: meta.c,
                s: out.modal.state,
                x: out.modal.fields.filter((f) => f.kind === "secret").map((f) => f.id),
              }),
            ),
          );
          return;
        case "none":
          if (how.immediate && how.ack) await how.ack();
          return;
      }
    }
  }

  // Uninstalled, or the bot token revoked: the workspace's tokens are forgotten (distribution
  // mode) and nothing more is posted there; its accounts, bindings and grants stay until an admin
  // removes them (`hostops workspace remove`). Slack sends these events without needing a token.
  const forget = async (
    teamId: string | undefined,
    enterpriseId: string | undefined,
    isEnterprise: boolean,
    why: string,
  ) => {
    if (!oauth) {
      log.warn({ teamId, why }, "hostops lost its Slack token in this workspace: set a new SLACK_BOT_TOKEN");
      return;
    }
    const key = installKeyOf({ teamId, enterpriseId, isEnterpriseInstall: isEnterprise });
    const removed = await oauth.installationStore.revoke(key);
    if (teamId) {
      clients.delete(teamId);
      for (const k of [...adminCache.keys()]) if (k.startsWith(`${teamId}:`)) adminCache.delete(k);
    }
    log.info({ installKey: key, why, removed }, "Slack installation tokens removed");
    if (removed && teamId)
      await audit(
        opts.core.db,
        {
          platform: "slack",
          workspaceId: teamId,
          channelId: "",
          userId: "slack",
          userIsPlatformAdmin: false,
        },
        {
          command: why,
          args: {},
          outcome: "ok",
          detail: "the workspace's tokens were removed; its data stays until an admin removes it",
        },
      );
  };
  app.event("app_uninstalled", async ({ context }) => {
    await forget(
      context.teamId,
      context.enterpriseId,
      Boolean(context.isEnterpriseInstall),
      "app uninstalled",
    );
  });
  app.event("tokens_revoked", async ({ event, context }) => {
    // Only the bot token matters: hostops asks for no user token.
    if (!event.tokens.bot?.length) return;
    await forget(
      context.teamId,
      context.enterpriseId,
      Boolean(context.isEnterpriseInstall),
      "tokens revoked",
    );
  });

  /** The person's overview in the App Home tab (views.publish), with an optional note on top. */
  async function publishHome(client: webApi.WebClient, actor: Actor, note?: string): Promise<void> {
    const overview = await buildOverview(core, actor, { note });
    await client.views.publish({
      user_id: actor.userId,
      view: { type: "home", blocks: renderBlocks(overview.blocks) as never },
    });
  }

  app.event("app_home_opened", async ({ event, body, client }) =>
    inFlight.track(async () => {
      if (event.tab !== "home") return;
      const teamId = body.team_id ?? "";
      if (missingIds("home", { team_id: teamId, user_id: event.user })) return;
      const actor = await actorOf(client, teamId, "", event.user);
      await publishHome(client, actor).catch((err: unknown) =>
        log.error({ err }, "could not publish the App Home"),
      );
    }),
  );

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
        if (!warned) opts.onUnreachable?.();
        warned = true;
      },
    },
  )) as unknown;
  const server = opts.appToken ? undefined : (started as http.Server);
  ackFirst.watch(server);
  let stopping: Promise<void> | undefined;
  return {
    app,
    messenger: oauth
      ? createSlackMessenger(clientFor, (teamId) => oauth.installationStore.isInstalled(teamId))
      : createSlackMessenger(async () => app.client),
    server,
    installations: oauth?.installationStore,
    connected: () => (socket ? socketUp : !stopping),
    stop() {
      stopping ??= (app.stop() as Promise<void>).catch((err: unknown) =>
        log.warn({ err }, "Slack receiver did not stop cleanly"),
      );
      return stopping;
    },
  };
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

/** An input block with the value the person typed put back (never a secret). */
function refill(
  block: Record<string, unknown>,
  values: Record<string, string>,
  secretIds: string[],
): Record<string, unknown> {
  const id = String(block.block_id);
  const v = values[id];
  const element = { ...(block.element as Record<string, unknown>) };
  if (v && !secretIds.includes(id) && element.type === "plain_text_input") element.initial_value = v;
  return { ...block, element };
}

/**
 * Acknowledgements first. Bolt sends the HTTP 200 at ack(); what a listener does afterwards
 * (users.info, database, provider calls) runs on the event loop that must also read and ack the
 * next requests. In a burst that work got ahead of later acks: 200 concurrent /hosting services
 * had acks at p99 3-7 s, past Slack's 3-second limit (bench/ack-latency.ts). So the work after an
 * ack waits until no request has arrived for `quietMs` and none is still being answered, at most
 * `maxWaitMs`. A request with no other within `quietMs` before or after it goes on at once.
 * quietMs 0 turns it off: Socket Mode, and processBeforeResponse (the response waits for the work).
 */
export function createAckFirst(quietMs: number, maxWaitMs = 1_000) {
  let inFlight = 0;
  let last = Number.NEGATIVE_INFINITY;
  let arrivals = 0;
  let isolated = true;
  return {
    watch(server: http.Server | undefined): void {
      if (!server || quietMs <= 0) return;
      server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
        const now = performance.now();
        isolated = now - last >= quietMs;
        last = now;
        arrivals++;
        inFlight++;
        let open = true;
        const done = () => {
          if (open) inFlight--;
          open = false;
        };
        res.once("finish", done);
        res.once("close", done);
      });
    },
    async wait(): Promise<void> {
      if (quietMs <= 0) return;
      const start = performance.now();
      const seen = arrivals;
      const alone = isolated;
      for (;;) {
        // A turn of the event loop first: connections already waiting are read and acked.
        await new Promise<void>((r) => setImmediate(r));
        const now = performance.now();
        const still = alone && arrivals === seen;
        if (inFlight <= 0 && (still || now - last >= quietMs)) return;
        if (now - start >= maxWaitMs) return;
        await new Promise<void>((r) => setTimeout(r, still ? 1 : Math.max(1, quietMs - (now - last))));
      }
    },
  };
}

function delay(ms: number): Promise<undefined> {
  return new Promise((r) => setTimeout(() => r(undefined), ms).unref());
}
