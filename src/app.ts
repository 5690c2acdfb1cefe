import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
// The chat adapters are loaded only when configured: discord.js and Bolt are most of the start-up
// time and memory of a process that does not use them.
import type { DiscordHandle } from "./chat/discord/index.ts";
import type { SlackHandle } from "./chat/slack/app.ts";
import { DbInstallationStore } from "./chat/slack/installation-store.ts";
import type { Config } from "./config.ts";
import { discordConfigured, slackConfigured, slackOAuthConfigured } from "./config.ts";
import { AccountService } from "./core/accounts.ts";
import { expireStale, recoverInterrupted } from "./core/confirmations.ts";
import { BackgroundWork, type Clock, type Core, systemClock } from "./core/context.ts";
import { CredentialCipher, loadCredentialKey } from "./core/crypto.ts";
import { Dispatcher } from "./core/dispatch.ts";
import { type Database, openDatabase } from "./db/client.ts";
import type { Platform } from "./db/schema.ts";
import { type MetricsServer, startMetricsServer } from "./http/metrics-server.ts";
import { exactRoutes, findRoute, operationalRoutes } from "./http/routes.ts";
import { type Logger, silentLogger } from "./observability/logger.ts";
import { registerSecret } from "./observability/secrets.ts";
import { type AlertScheduler, startAlertScheduler, startReportScheduler } from "./scheduler/alerts.ts";

export interface HostopsOptions {
  config: Config;
  log?: Logger;
  clock?: Clock;
  /** Test and sandbox hooks; production leaves them unset. */
  overrides?: {
    /** PGlite in memory instead of the data dir. */
    memoryDb?: boolean;
    providerRetries?: number;
    baseUrlOverrides?: Partial<Record<string, string>>;
    slackProcessBeforeResponse?: boolean;
    slackModalAckBudgetMs?: number;
    secretKey?: Buffer;
    /** No periodic timers (tests drive housekeeping and scans themselves). */
    noTimers?: boolean;
    taskPollMs?: number;
    /** No HTTP server of its own (terminal console, admin CLI); Slack's HTTP receiver still serves. */
    noHttpServer?: boolean;
    /** Interface the HTTP servers listen on (default: all); the benchmarks use 127.0.0.1. */
    listenHost?: string;
  };
}

export interface Hostops {
  core: Core;
  db: Database;
  dispatcher: Dispatcher;
  slack?: SlackHandle;
  discord?: DiscordHandle;
  /** The alert scan's cron task (absent with `noTimers`). */
  scheduler?: AlertScheduler;
  /** Port of the HTTP server (Slack events, health, readiness), when one runs. */
  port?: number;
  /** The Prometheus listener (METRICS_PORT on METRICS_HOST), when one runs. */
  metrics?: { address: string; port: number };
  stop(): Promise<void>;
}

/** The composition root: config -> database -> core -> chat adapters. */
export async function startHostops(opts: HostopsOptions): Promise<Hostops> {
  const { config } = opts;
  const log = opts.log ?? silentLogger;
  for (const s of [
    config.SLACK_BOT_TOKEN,
    config.SLACK_SIGNING_SECRET,
    config.SLACK_APP_TOKEN,
    config.SLACK_CLIENT_SECRET,
    config.SLACK_STATE_SECRET,
    config.DISCORD_TOKEN,
    config.HOSTOPS_SECRET_KEY,
  ])
    registerSecret(s);

  const started = performance.now();
  const db = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: opts.overrides?.memoryDb ? "memory://" : config.HOSTOPS_DATA_DIR,
  });
  let key: Buffer;
  if (opts.overrides?.secretKey) key = opts.overrides.secretKey;
  else if (opts.overrides?.memoryDb && !config.HOSTOPS_SECRET_KEY) key = randomBytes(32);
  else {
    const loaded = loadCredentialKey({
      secretKey: config.HOSTOPS_SECRET_KEY,
      dataDir: config.HOSTOPS_DATA_DIR,
      allowGenerate: !config.DATABASE_URL,
    });
    if (loaded.generated)
      log.warn(
        { path: loaded.path },
        "generated a credential encryption key in the data dir (mode 0600); back it up",
      );
    key = loaded.key;
  }
  const cipher = new CredentialCipher(key);
  const accounts = new AccountService(db, cipher, {
    log,
    timeoutMs: config.HOSTOPS_PROVIDER_TIMEOUT_MS,
    retries: opts.overrides?.providerRetries,
    baseUrlOverrides: opts.overrides?.baseUrlOverrides,
  });
  const core: Core = {
    db,
    accounts,
    log,
    clock: opts.clock ?? systemClock,
    settings: {
      timeZone: config.HOSTOPS_TZ,
      confirmTtlMinutes: config.HOSTOPS_CONFIRM_TTL_MINUTES,
      defaultRole: config.HOSTOPS_DEFAULT_ROLE,
      providerTimeoutMs: config.HOSTOPS_PROVIDER_TIMEOUT_MS,
      providerConcurrency: config.HOSTOPS_PROVIDER_CONCURRENCY,
      baseUrlOverrides: opts.overrides?.baseUrlOverrides,
      taskPollMs: opts.overrides?.taskPollMs,
    },
    messengers: new Map(),
    background: new BackgroundWork((err) => log.error({ err }, "background work failed")),
  };
  const dispatcher = new Dispatcher(core);
  const connected: Partial<Record<Platform, boolean>> = {};
  const routes = operationalRoutes({
    db,
    platforms: () => Object.fromEntries(Object.entries(connected)),
  });

  let slack: SlackHandle | undefined;
  let ownServer: http.Server | undefined;
  if (slackConfigured(config)) {
    const { startSlack } = await import("./chat/slack/app.ts");
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
            installationStore: new DbInstallationStore(db, cipher),
          }
        : undefined;
    slack = await startSlack({
      core,
      dispatcher,
      log,
      botToken: oauth ? undefined : config.SLACK_BOT_TOKEN,
      oauth,
      signingSecret: config.SLACK_SIGNING_SECRET,
      appToken: config.SLACK_APP_TOKEN,
      apiUrl: config.SLACK_API_URL,
      port: config.PORT,
      processBeforeResponse: opts.overrides?.slackProcessBeforeResponse,
      listenHost: opts.overrides?.listenHost,
      modalAckBudgetMs: opts.overrides?.slackModalAckBudgetMs,
      customRoutes: exactRoutes(routes),
    });
    core.messengers.set("slack", slack.messenger);
    connected.slack = true;
  }
  if (!slack?.server && !opts.overrides?.noHttpServer) {
    // Socket Mode or no Slack: health and metrics get a server of their own on PORT.
    ownServer = http.createServer(async (req, res) => {
      const route = findRoute(routes, req.url, req.method);
      if (route) await route.handler(req, res);
      else {
        res.writeHead(404);
        res.end();
      }
    });
    const server = ownServer;
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) =>
        reject(
          err.code === "EADDRINUSE"
            ? new Error(`Port ${config.PORT} is already in use: set PORT to a free port.`)
            : err,
        ),
      );
      server.listen({ port: config.PORT, host: opts.overrides?.listenHost }, resolve);
    });
  }
  // Prometheus on its own listener (loopback by default), never on the public port.
  let metrics: MetricsServer | undefined;
  if (config.METRICS_PORT !== undefined && !opts.overrides?.noHttpServer)
    metrics = await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST });
  let discord: DiscordHandle | undefined;
  if (discordConfigured(config)) {
    const { startDiscord } = await import("./chat/discord/index.ts");
    discord = await startDiscord({ core, dispatcher, config, log });
    connected.discord = true;
    discord.client.on("shardDisconnect", () => {
      connected.discord = false;
    });
    discord.client.on("shardReady", () => {
      connected.discord = true;
    });
  }

  // Confirmation housekeeping: requests left executing by a crash become "outcome unknown" (never
  // re-run); expired ones lose their buttons. The grace leaves alone what a live replica is running.
  const grace = 2 * config.HOSTOPS_PROVIDER_TIMEOUT_MS + 60_000;
  const housekeeping = async () => {
    try {
      await recoverInterrupted(core, grace);
      await expireStale(core);
    } catch (err) {
      log.warn({ err }, "confirmation housekeeping failed");
    }
  };
  await housekeeping();
  const sweep = opts.overrides?.noTimers ? undefined : setInterval(() => void housekeeping(), 60_000);
  sweep?.unref();
  // Alerts start after the adapters, so the first scan has messengers to post with.
  const scheduler = opts.overrides?.noTimers
    ? undefined
    : startAlertScheduler(core, { cron: config.HOSTOPS_ALERT_CRON, timeZone: config.HOSTOPS_TZ });
  const reports = opts.overrides?.noTimers
    ? undefined
    : startReportScheduler(core, { timeZone: config.HOSTOPS_TZ });
  const server = slack?.server ?? ownServer;
  const port = server ? (server.address() as AddressInfo).port : undefined;
  log.info({ driver: db.driver, port, ms: Math.round(performance.now() - started) }, "hostops is ready");

  return {
    core,
    db,
    dispatcher,
    slack,
    scheduler,
    discord,
    port,
    metrics: metrics && { address: metrics.address, port: metrics.port },
    async stop() {
      if (sweep) clearInterval(sweep);
      await scheduler?.stop();
      await reports?.stop();
      await slack?.stop();
      await discord?.stop();
      await core.background.idle();
      if (ownServer) await new Promise((r) => ownServer?.close(r));
      await metrics?.close();
      await db.close();
    },
  };
}
