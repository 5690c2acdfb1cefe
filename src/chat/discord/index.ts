import { type Client, Events, MessageFlags, Status } from "discord.js";
import type { Config } from "../../config.ts";
import { Suggestions } from "../../core/autocomplete.ts";
import { commandTree } from "../../core/commands/index.ts";
import type { Core } from "../../core/context.ts";
import type { Dispatcher } from "../../core/dispatch.ts";
import type { Modal } from "../../core/reply.ts";
import { retryUntilUp, StartError } from "../../lifecycle/retry.ts";
import type { Logger } from "../../observability/logger.ts";
import { createDiscordClient, loginAndWait } from "./client.ts";
import { buildCommandSet } from "./commands-json.ts";
import { MemoryPayloadStore } from "./custom-id.ts";
import { createInteractionHandler } from "./interactions.ts";
import { DiscordMessenger } from "./messenger.ts";
import { syncCommands } from "./register.ts";
import { TtlMap } from "./ttl-map.ts";

export { buildCommandSet } from "./commands-json.ts";
export { DiscordMessenger } from "./messenger.ts";
export { syncCommands } from "./register.ts";

const RESTARTING = "hostops is restarting; try again in a few seconds.";

export interface DiscordOptions {
  core: Core;
  dispatcher: Dispatcher;
  config: Pick<Config, "DISCORD_TOKEN" | "DISCORD_APPLICATION_ID" | "DISCORD_GUILD_ID" | "DISCORD_API_URL">;
  log: Logger;
  /** How long an interaction may wait for core before it is deferred (Discord allows 3 s). */
  ackBudgetMs?: number;
  /** Skip command registration (the `discord:register` script does it). */
  register?: boolean;
  /** Cancels the start (a signal while Discord is unreachable). */
  signal?: AbortSignal;
  /** Backoff while Discord is unreachable at start. */
  retry?: { firstDelayMs?: number; maxDelayMs?: number };
}

export interface DiscordHandle {
  client: Client;
  messenger: DiscordMessenger;
  /** The gateway session is ready now. */
  connected(): boolean;
  /** Answers no new interaction (in-flight ones go on answering). */
  stopIntake(): void;
  /** Closes the gateway. */
  stop(): Promise<void>;
}

/**
 * Connects to the Discord gateway, registers `/hosting` when its definition changed, answers
 * interactions, and puts a Discord Messenger in `core.messengers` for cards and alerts.
 */
export async function startDiscord(opts: DiscordOptions): Promise<DiscordHandle> {
  const { core, dispatcher, config } = opts;
  const token = config.DISCORD_TOKEN;
  const applicationId = config.DISCORD_APPLICATION_ID;
  if (!token || !applicationId)
    throw new Error("DISCORD_TOKEN and DISCORD_APPLICATION_ID are required to start Discord");
  const log = opts.log.child({ platform: "discord" });
  const commands = buildCommandSet(commandTree);
  const store = new MemoryPayloadStore();
  let client = createDiscordClient({ apiUrl: config.DISCORD_API_URL });

  const handle = createInteractionHandler({
    core,
    dispatcher,
    commands,
    store,
    shownForms: new TtlMap<Modal>(60 * 60_000, 5_000),
    parkedForms: new TtlMap<Modal>(15 * 60_000, 5_000),
    suggestions: new Suggestions(core),
    log,
    ackBudgetMs: opts.ackBudgetMs ?? 1_500,
    applicationId,
    guildId: config.DISCORD_GUILD_ID,
  });
  let accepting = true;
  const wire = (c: Client) => {
    // Each interaction is in-flight work: a shutdown lets it finish within the grace.
    c.on(Events.InteractionCreate, (i) => {
      if (accepting) void core.background.track(() => handle(i));
      // Shutting down: say so rather than leave "The application did not respond".
      else if (i.isRepliable())
        void i
          .reply({ content: RESTARTING, flags: MessageFlags.Ephemeral })
          .catch((err: unknown) => log.debug({ err }, "could not answer an interaction while stopping"));
    });
    c.on(Events.Error, (err) => log.error({ err }, "discord client error"));
    c.on(Events.Warn, (message) => log.warn({ message }, "discord client warning"));
    c.on(Events.Debug, (message) => log.debug({ message }, "discord debug"));
    c.on(Events.ShardDisconnect, (ev, shard) =>
      log.warn({ code: ev.code, shard }, "discord gateway disconnected"),
    );
    c.on(Events.ShardReconnecting, (shard) => log.warn({ shard }, "discord gateway reconnecting"));
    c.on(Events.ShardResume, (shard) => log.info({ shard }, "discord gateway resumed"));
  };
  wire(client);

  // A rejected token stops the start with one clear line; an unreachable Discord is retried.
  await retryUntilUp(
    async () => {
      try {
        await loginAndWait(client, token);
      } catch (err) {
        await client.destroy();
        if ((err as { code?: string }).code === "TokenInvalid")
          throw new StartError(
            "DISCORD_TOKEN was rejected by Discord (invalid token): copy the bot token from the Developer Portal (Bot > Reset Token) into DISCORD_TOKEN.",
          );
        // A destroyed client does not log in again: the next attempt gets a fresh one.
        client = createDiscordClient({ apiUrl: config.DISCORD_API_URL });
        wire(client);
        throw err;
      }
    },
    {
      what: "Discord",
      signal: opts.signal,
      ...opts.retry,
      onRetry: (err, attempt, delayMs) =>
        log.warn({ err, attempt, delayMs }, "Discord does not answer; retrying"),
    },
  ).catch(async (err: unknown) => {
    await client.destroy();
    throw err;
  });
  log.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, "discord connected");

  if (opts.register !== false) {
    try {
      await syncCommands(client.rest, {
        applicationId,
        guildId: config.DISCORD_GUILD_ID,
        commands: [commands.json],
        log,
      });
    } catch (err) {
      // The previous registration keeps working; the bot still answers what Discord sends.
      log.error({ err }, "discord command registration failed");
    }
  }

  const messenger = new DiscordMessenger(client.rest, store, (err) =>
    log.warn(
      { err },
      "could not start a thread from the card (re-invite the bot with `npm run discord:invite`); posted as a reply",
    ),
  );
  core.messengers.set("discord", messenger);
  return {
    client,
    messenger,
    // The gateway as it is now: every shard's session ready (a dropped one is reconnecting).
    connected: () =>
      accepting &&
      client.isReady() &&
      client.ws.shards.size > 0 &&
      client.ws.shards.every((shard) => shard.status === Status.Ready),
    stopIntake() {
      accepting = false;
    },
    async stop() {
      accepting = false;
      if (core.messengers.get("discord") === messenger) core.messengers.delete("discord");
      await client.destroy();
    },
  };
}
