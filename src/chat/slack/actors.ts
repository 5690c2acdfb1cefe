/**
 * Who is asking, as core sees it: the Slack user, workspace and channel, and whether the user is a
 * workspace admin or owner (a hostops admin). That answer comes from users.info and is kept in a
 * bounded cache (lru-cache: a maximum of users, each answer trusted for a few minutes).
 */
import type { webApi } from "@slack/bolt";
import { LRUCache } from "lru-cache";
import type { Actor } from "../../core/context.ts";
import type { Logger } from "../../observability/logger.ts";

/** At most this many users' admin answers are kept; the least recently used go first. */
export const ADMIN_CACHE_MAX = 10_000;
/** How long a users.info answer is trusted by default. */
export const ADMIN_CACHE_MS = 5 * 60_000;

/** The part of a Web API client this needs (users.info). */
export type UsersInfoClient = Pick<webApi.WebClient, "users">;

export interface SlackActors {
  actorOf(
    client: UsersInfoClient,
    teamId: string,
    channelId: string,
    userId: string,
    userName?: string,
    requestId?: string,
  ): Promise<Actor>;
  /** Forgets the admin answers of one workspace (it uninstalled hostops or revoked its token). */
  forgetTeam(teamId: string): void;
}

export function createSlackActors(opts: {
  log: Logger;
  /** How long a "workspace admin" lookup (users.info) is trusted; 0 = never cached. */
  adminCacheMs?: number;
  /** The clock the answers' age is read from (tests pass a fake one). */
  now?: () => number;
}): SlackActors {
  const { log } = opts;
  const ttl = opts.adminCacheMs ?? ADMIN_CACHE_MS;
  const now = opts.now ?? Date.now;
  // The lookup itself is cached, so clicks and commands of one user arriving together share one
  // users.info call (1000 approve clicks by 10 admins made 1000 calls; bench/confirmations.ts).
  const adminCache =
    ttl > 0
      ? new LRUCache<string, Promise<boolean>>({ max: ADMIN_CACHE_MAX, ttl, perf: { now }, ttlResolution: 0 })
      : undefined;

  /** Slack workspace admins and owners are hostops admins; one users.info per user per few minutes. */
  function isWorkspaceAdmin(client: UsersInfoClient, teamId: string, userId: string): Promise<boolean> {
    const key = `${teamId}:${userId}`;
    const hit = adminCache?.get(key);
    if (hit) return hit;
    const admin: Promise<boolean> = client.users.info({ user: userId }).then(
      (r) => Boolean(r.user?.is_admin || r.user?.is_owner || r.user?.is_primary_owner),
      (err: unknown) => {
        // Not cached: the next command asks again.
        if (adminCache?.peek(key) === admin) adminCache.delete(key);
        log.warn({ err, userId }, "could not look up whether the user is a workspace admin");
        return false;
      },
    );
    adminCache?.set(key, admin);
    return admin;
  }

  return {
    async actorOf(client, teamId, channelId, userId, userName, requestId) {
      return {
        platform: "slack",
        workspaceId: teamId,
        channelId,
        userId,
        userName,
        requestId,
        userIsPlatformAdmin: await isWorkspaceAdmin(client, teamId, userId),
      };
    },
    forgetTeam(teamId) {
      if (!adminCache) return;
      for (const k of [...adminCache.keys()]) if (k.startsWith(`${teamId}:`)) adminCache.delete(k);
    },
  };
}
