/**
 * Slack installations at run time: the Web API client of each workspace (distribution mode: one
 * per installation token, in a bounded cache), and what happens when a workspace uninstalls
 * hostops or revokes its token.
 */
import { type App, type Logger as BoltLogger, webApi } from "@slack/bolt";
import { LRUCache } from "lru-cache";
import { audit } from "../../core/audit.ts";
import type { Core } from "../../core/context.ts";
import type { Logger } from "../../observability/logger.ts";
import type { SlackOAuthOptions } from "./app.ts";
import { installKeyOf } from "./installation-store.ts";
import type { SlackClientFor } from "./messenger.ts";
import type { SlackClientOptions } from "./receiver.ts";

/** At most this many workspaces keep a Web API client; the least recently used is rebuilt on use. */
export const WORKSPACE_CLIENTS_MAX = 1_000;

export interface SlackInstallations {
  /** The client to post into a workspace with (its installation's token in distribution mode). */
  clientFor: SlackClientFor;
  /** Drops the cached client of a workspace. */
  forgetClient(teamId: string): void;
}

export function createSlackInstallations(
  app: App,
  oauth: SlackOAuthOptions | undefined,
  clientOptions: SlackClientOptions,
  logger: BoltLogger,
): SlackInstallations {
  // Distribution mode: what hostops posts on its own (alerts, cards, task results) goes out with
  // the token of the workspace it posts to, read from its installation (one client per token).
  // The token is read on every use, so a cached client never outlives its token.
  const clients = new LRUCache<string, { token: string; client: webApi.WebClient }>({
    max: WORKSPACE_CLIENTS_MAX,
  });
  return {
    async clientFor(teamId) {
      if (!oauth) return app.client;
      const token = await oauth.installationStore.botTokenFor(teamId);
      const hit = clients.get(teamId);
      if (hit && hit.token === token) return hit.client;
      const client = new webApi.WebClient(token, { ...clientOptions, logger });
      clients.set(teamId, { token, client });
      return client;
    },
    forgetClient(teamId) {
      clients.delete(teamId);
    },
  };
}

/**
 * Uninstalled, or the bot token revoked: the workspace's tokens are forgotten (distribution
 * mode) and nothing more is posted there; its accounts, bindings and grants stay until an admin
 * removes them (`hostops workspace remove`). Slack sends these events without needing a token.
 */
export function registerUninstall(
  app: App,
  deps: {
    core: Core;
    log: Logger;
    oauth: SlackOAuthOptions | undefined;
    installations: SlackInstallations;
    /** Forgets what is cached about a workspace's users. */
    forgetTeam(teamId: string): void;
  },
): void {
  const { core, log, oauth } = deps;
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
      deps.installations.forgetClient(teamId);
      deps.forgetTeam(teamId);
    }
    log.info({ installKey: key, why, removed }, "Slack installation tokens removed");
    if (removed && teamId)
      await audit(
        core.db,
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
}
