/**
 * The system under test, run as a forked child process (see child.ts) so that it has an event
 * loop and a heap of its own: the load generator and the fakes stay in the parent.
 *
 * Spec in the BENCH_TARGET env var (JSON). Sends `{ ready, port, readyMs }` when it serves, then
 * answers `{ id, cmd }` messages: `mem` (optionally after a forced GC), `stop`.
 */
import type http from "node:http";
import type { AddressInfo } from "node:net";

export interface SeedAccount {
  label: string;
  kind: string;
  baseUrl: string;
  credentials: Record<string, string>;
}

export interface Seed {
  platform: "slack" | "discord";
  workspaceId: string;
  channelId: string;
  accounts: SeedAccount[];
  grants?: { user: string; role: "viewer" | "operator" | "admin"; scope: "channel" | "workspace" }[];
}

export interface DiscordTarget {
  restApi: string;
  token: string;
  applicationId: string;
  guildId: string;
}

export type TargetSpec =
  | { kind: "bare-bolt"; signingSecret: string; botToken: string; slackApiUrl: string }
  | { kind: "bare-discord"; discord: DiscordTarget }
  | {
      kind: "hostops";
      /** Slack in HTTP mode against this fake Web API. */
      slack?: { apiUrl: string; signingSecret: string; botToken: string };
      discord?: DiscordTarget;
      /** Postgres; unset: PGlite in memory. */
      databaseUrl?: string;
      secretKey: string;
      seed?: Seed;
      /** Log at info into a sink that drops the lines (the cost of logging without the terminal). */
      logLevel?: string;
    };

export type TargetMessage =
  | { id: number; cmd: "mem"; gc?: boolean }
  | { id: number; cmd: "served" }
  | { id: number; cmd: "stop" };

/** Server-side view of the HTTP requests since the last `served`: request event to response finish. */
const served: number[] = [];
function timeRequests(server: http.Server | undefined): void {
  server?.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
    const t0 = performance.now();
    res.once("finish", () => served.push(performance.now() - t0));
  });
}

export interface MemInfo {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_TARGET ?? "{}") as TargetSpec;
  let stop: () => Promise<void>;
  let port: number | undefined;
  if (spec.kind === "bare-bolt") ({ stop, port } = await bareBolt(spec));
  else if (spec.kind === "bare-discord") ({ stop } = await bareDiscord(spec.discord));
  else ({ stop, port } = await hostops(spec));

  process.on("message", (raw) => {
    const msg = raw as TargetMessage;
    void (async () => {
      try {
        if (msg.cmd === "mem") {
          if (msg.gc && typeof global.gc === "function") {
            global.gc();
            await new Promise((r) => setTimeout(r, 20));
            global.gc();
          }
          const m = process.memoryUsage();
          const value: MemInfo = {
            rss: m.rss,
            heapUsed: m.heapUsed,
            heapTotal: m.heapTotal,
            external: m.external,
            arrayBuffers: m.arrayBuffers,
          };
          process.send?.({ id: msg.id, ok: true, value });
        } else if (msg.cmd === "served") {
          process.send?.({ id: msg.id, ok: true, value: served.splice(0) });
        } else if (msg.cmd === "stop") {
          await Promise.race([stop(), new Promise((r) => setTimeout(r, 5_000))]);
          process.send?.({ id: msg.id, ok: true });
          setTimeout(() => process.exit(0), 50);
        }
      } catch (err) {
        process.send?.({ id: msg.id, ok: false, error: String(err) });
      }
    })();
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ ready: true, port, readyMs: performance.now() });
}

async function bareBolt(spec: Extract<TargetSpec, { kind: "bare-bolt" }>) {
  const { App, HTTPReceiver, LogLevel } = await import("@slack/bolt");
  const receiver = new HTTPReceiver({
    signingSecret: spec.signingSecret,
    processBeforeResponse: false,
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    token: spec.botToken,
    receiver,
    clientOptions: { slackApiUrl: spec.slackApiUrl },
    logLevel: LogLevel.ERROR,
  });
  app.command(/^\/hosting/, async ({ ack }) => {
    await ack();
  });
  const server = (await app.start(0)) as http.Server;
  timeRequests(server);
  return { stop: () => app.stop() as Promise<void>, port: (server.address() as AddressInfo).port };
}

async function bareDiscord(d: DiscordTarget) {
  const { Client, Events, GatewayIntentBits } = await import("discord.js");
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: d.restApi } });
  client.on(Events.InteractionCreate, (i) => {
    if (i.isChatInputCommand()) void i.deferReply().catch(() => {});
  });
  const ready = new Promise<void>((r) => client.once(Events.ClientReady, () => r()));
  await client.login(d.token);
  await ready;
  return { stop: () => client.destroy() };
}

async function hostops(spec: Extract<TargetSpec, { kind: "hostops" }>) {
  const { startHostops } = await import("../../src/app.ts");
  const { loadConfig } = await import("../../src/config.ts");
  const { createLogger } = await import("../../src/observability/logger.ts");
  const { grantRole } = await import("../../src/core/permissions.ts");
  const config = loadConfig({
    PORT: "0",
    LOG_LEVEL: spec.logLevel ?? "info",
    HOSTOPS_SECRET_KEY: spec.secretKey,
    DATABASE_URL: spec.databaseUrl,
    ...(spec.slack
      ? {
          SLACK_BOT_TOKEN: spec.slack.botToken,
          SLACK_SIGNING_SECRET: spec.slack.signingSecret,
          SLACK_API_URL: spec.slack.apiUrl,
        }
      : {}),
    ...(spec.discord
      ? {
          DISCORD_TOKEN: spec.discord.token,
          DISCORD_APPLICATION_ID: spec.discord.applicationId,
          DISCORD_GUILD_ID: spec.discord.guildId,
          DISCORD_API_URL: spec.discord.restApi,
        }
      : {}),
  });
  // Production logging cost (pino JSON + secret scrub) without writing to a terminal.
  const log = createLogger({ level: spec.logLevel ?? "info", sink: { write: () => {} } });
  const app = await startHostops({
    config,
    log,
    overrides: {
      memoryDb: !spec.databaseUrl,
      slackProcessBeforeResponse: false,
      // No hourly alert scan or housekeeping sweep firing in the middle of a measurement.
      noTimers: true,
    },
  });
  timeRequests(app.slack?.server);
  let stopDiscord: (() => Promise<void>) | undefined;
  if (spec.discord && !app.core.messengers.has("discord")) {
    // The composition root does not start Discord (yet): start the committed adapter on its core.
    const { startDiscord } = await import("../../src/chat/discord/index.ts");
    const handle = await startDiscord({
      core: app.core,
      dispatcher: app.dispatcher,
      config,
      log,
    });
    stopDiscord = () => handle.stop();
  }
  const seed = spec.seed;
  if (seed) {
    for (const a of seed.accounts) {
      const account = await app.core.accounts.add({
        platform: seed.platform,
        workspaceId: seed.workspaceId,
        label: a.label,
        kind: a.kind as never,
        baseUrl: a.baseUrl,
        credentials: a.credentials,
        createdBy: "UBENCH",
      });
      await app.core.accounts.bind(account, seed.channelId, "UBENCH");
    }
    for (const g of seed.grants ?? [])
      await grantRole(app.db, {
        actor: {
          platform: seed.platform,
          workspaceId: seed.workspaceId,
          channelId: seed.channelId,
          userId: "UBENCH",
          userIsPlatformAdmin: true,
        },
        subject: g.user,
        role: g.role,
        scope: g.scope,
      });
  }
  return {
    port: app.port,
    stop: async () => {
      await stopDiscord?.();
      await app.stop();
    },
  };
}

main().catch((err: unknown) => {
  process.send?.({ ready: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  setTimeout(() => process.exit(1), 50);
});
