import { randomBytes } from "node:crypto";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatAdapter } from "./chat/adapter.ts";
// Each chat platform's module is loaded only when it is configured (src/chat/registry.ts).
import { chatPlatforms } from "./chat/registry.ts";
import type { Config } from "./config.ts";
import { AccountService } from "./core/accounts.ts";
import { expireStale, recoverInterrupted } from "./core/confirmations.ts";
import { BackgroundWork, type Clock, type Core, systemClock } from "./core/context.ts";
import { CredentialCipher, loadCredentialKey } from "./core/crypto.ts";
import { Dispatcher } from "./core/dispatch.ts";
import { TaskFollower } from "./core/task-follower.ts";
import { type Database, openDatabase } from "./db/client.ts";
import { closeServer, listenHealth } from "./http/health-server.ts";
import { type MetricsServer, startMetricsServer } from "./http/metrics-server.ts";
import { operationalRoutes } from "./http/routes.ts";
import { verifyCredentialKey } from "./lifecycle/key-check.ts";
import { within } from "./lifecycle/within.ts";
import { type Logger, silentLogger } from "./observability/logger.ts";
import { registerSecret } from "./observability/secrets.ts";
import { setOutboundPolicy } from "./providers/_shared/outbound.ts";
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
    /** Backoff while a chat platform is unreachable at start (tests shorten it). */
    platformRetry?: { firstDelayMs?: number; maxDelayMs?: number };
    /** Lease owner name of this instance's task follower (tests name their replicas). */
    followerId?: string;
  };
  /** Aborting it cancels a start in progress (SIGTERM while a platform is unreachable). */
  signal?: AbortSignal;
}

export interface Hostops {
  core: Core;
  db: Database;
  dispatcher: Dispatcher;
  /** The configured chat platforms, started, in start order. */
  adapters: readonly ChatAdapter[];
  /** The alert scan's cron task (absent with `noTimers`). */
  scheduler?: AlertScheduler;
  /** Follows provider tasks (one poller per task across replicas). */
  tasks: TaskFollower;
  /** Port of the HTTP server (Slack events, health, readiness), when one runs. */
  port?: number;
  /** The Prometheus listener (METRICS_PORT on METRICS_HOST), when one runs. */
  metrics?: { address: string; port: number };
  /**
   * Graceful stop: no new requests; in-flight commands and clicks get `graceMs` (default
   * HOSTOPS_SHUTDOWN_GRACE_MS) to finish; task followers stop at once and free their leases; the
   * database pool closes. An action still executing at the deadline keeps its `executing` state
   * for recovery ("outcome unknown"), never a re-run.
   */
  stop(opts?: { graceMs?: number }): Promise<void>;
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
  if (config.HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS !== undefined)
    setOutboundPolicy({ allowPrivate: config.HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS });

  const started = performance.now();
  // What to undo when the start fails half-way (a rejected token, a signal).
  const undo: (() => Promise<unknown>)[] = [];
  try {
    const db = await openDatabase({
      databaseUrl: config.DATABASE_URL,
      dataDir: opts.overrides?.memoryDb ? "memory://" : config.HOSTOPS_DATA_DIR,
    });
    undo.push(() => db.close());
    let key: Buffer;
    let keySource = "HOSTOPS_SECRET_KEY";
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
      if (loaded.path) keySource = `the key file ${loaded.path}, as HOSTOPS_SECRET_KEY is unset`;
      key = loaded.key;
    }
    const cipher = new CredentialCipher(key);
    await verifyCredentialKey(db, cipher, keySource);
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
    const tasks = new TaskFollower(core, {
      owner: opts.overrides?.followerId,
      pollMs: core.settings.taskPollMs,
      maxMs: core.settings.taskMaxMs,
    });
    core.tasks = tasks;
    undo.push(() => tasks.stop(0));
    const dispatcher = new Dispatcher(core);

    // Every configured chat platform, through one contract (src/chat/adapter.ts).
    const adapters: ChatAdapter[] = [];
    const routes = operationalRoutes({
      db,
      // /readyz: the live state of each configured platform (false until it is up).
      platforms: () => Object.fromEntries(adapters.map((a) => [a.platform, a.isReady()])),
    });
    for (const p of chatPlatforms)
      if (p.configured(config))
        adapters.push(
          (await p.load())({
            core,
            dispatcher,
            config,
            log,
            cipher,
            routes,
            signal: opts.signal,
            retry: opts.overrides?.platformRetry,
            listenHost: opts.overrides?.listenHost,
            noHttpServer: opts.overrides?.noHttpServer,
            testHooks: {
              slackProcessBeforeResponse: opts.overrides?.slackProcessBeforeResponse,
              slackModalAckBudgetMs: opts.overrides?.slackModalAckBudgetMs,
            },
          }),
        );

    let ownServer: http.Server | undefined;
    if (!adapters.some((a) => a.servesHttp) && !opts.overrides?.noHttpServer) {
      // No adapter serves PORT (Socket Mode, Discord): health and readiness get a server of their
      // own, up first so /readyz answers (503) while the platforms connect.
      ownServer = await listenHealth(routes, config.PORT, opts.overrides?.listenHost);
      const server = ownServer;
      undo.push(() => closeServer(server));
    }
    // Prometheus on its own listener (loopback by default), never on the public port.
    let metrics: MetricsServer | undefined;
    if (config.METRICS_PORT !== undefined && !opts.overrides?.noHttpServer) {
      metrics = await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST });
      const m = metrics;
      undo.push(() => m.close());
    }
    for (const adapter of adapters) {
      await adapter.start();
      undo.push(() => adapter.stop());
      core.messengers.set(adapter.platform, adapter.messenger);
    }

    // Confirmation housekeeping: requests left executing by a crash become "outcome unknown"
    // (never re-run); tasks nobody follows are taken on; expired requests lose their buttons.
    // The grace leaves alone what a live replica is running.
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
    const server = adapters.find((a) => a.server)?.server ?? ownServer;
    const port = server ? (server.address() as AddressInfo).port : undefined;
    log.info({ driver: db.driver, port, ms: Math.round(performance.now() - started) }, "hostops is ready");

    let stopped: Promise<void> | undefined;
    const stop = async (graceMs: number) => {
      const t0 = performance.now();
      log.info({ graceMs, inFlight: core.background.size, following: tasks.active }, "stopping");
      if (sweep) clearInterval(sweep);
      // 1. No new requests: Slack's server or socket closes, Discord answers no new interaction.
      for (const a of adapters) a.stopIntake();
      // No new alert scan or report; one running gets the grace like any in-flight work.
      const scanDone = Promise.all([scheduler?.stop(), reports?.stop()]);
      // 2. Followers stop at once (their leases go to the other replicas); in-flight work gets the grace.
      const followersStopped = tasks.stop(Math.min(graceMs, 2_000));
      const drained = await within(Promise.all([core.background.idle(), scanDone]), graceMs);
      if (!drained)
        log.warn(
          { inFlight: core.background.size },
          "shutdown grace is over with work in flight; an action still executing stays 'executing' and is recovered as 'outcome unknown'",
        );
      await followersStopped;
      // 3. The platforms' connections and servers, in start order.
      for (const a of adapters) await a.stop();
      await closeServer(ownServer);
      await metrics?.close();
      await db.close();
      log.info({ ms: Math.round(performance.now() - t0), drained }, "stopped");
    };
    return {
      core,
      db,
      dispatcher,
      adapters,
      scheduler,
      tasks,
      port,
      metrics: metrics && { address: metrics.address, port: metrics.port },
      stop(o = {}) {
        stopped ??= stop(o.graceMs ?? config.HOSTOPS_SHUTDOWN_GRACE_MS);
        return stopped;
      },
    };
  } catch (err) {
    for (const u of undo.reverse()) await u().catch(() => {});
    throw err;
  }
}
