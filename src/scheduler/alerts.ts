import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import cron, { type Logger as CronLogger, type RunCoordinator, type ScheduledTask } from "node-cron";
import { runAlertScan, type ScanSummary } from "../core/alerts/scan.ts";
import type { Core } from "../core/context.ts";
import { runReports } from "../core/reports.ts";
import { postgresRunCoordinator } from "./coordinator.ts";

/** The task's name; it prefixes the coordinator keys in cron_runs ("hostops-alert-scan:2026-…"). */
export const ALERT_TASK_NAME = "hostops-alert-scan";

export interface AlertSchedulerOptions {
  /** HOSTOPS_ALERT_CRON */
  cron: string;
  /** HOSTOPS_TZ */
  timeZone: string;
  /** Who claimed a fire, as stored in cron_runs; default host:pid:random. */
  replicaId?: string;
  /** Default: the Postgres/PGlite claim table. */
  coordinator?: RunCoordinator;
  /** Default: {@link runAlertScan} over every binding. */
  scan?: () => Promise<unknown>;
}

export interface AlertScheduler {
  readonly task: ScheduledTask;
  readonly replicaId: string;
  /** Stops firing and waits for a scan that is running. */
  stop(): Promise<void>;
}

/**
 * Runs the alert scan on HOSTOPS_ALERT_CRON in HOSTOPS_TZ, safe with several replicas:
 * `distributed` + a coordinator lets one replica take each fire; the unique alert keys in
 * alert_deliveries are what guarantees one post per crossing even if two scans overlap.
 */
export function startAlertScheduler(core: Core, opts: AlertSchedulerOptions): AlertScheduler {
  return startCronJob(core, {
    ...opts,
    name: ALERT_TASK_NAME,
    what: "alert scan",
    run: opts.scan ?? (() => runAlertScan(core)),
  });
}

/** The scheduled reports' job: every minute, posts the channel reports that are due (once per period). */
export const REPORT_TASK_NAME = "hostops-reports";

export function startReportScheduler(core: Core, opts: { timeZone: string; cron?: string }): AlertScheduler {
  return startCronJob(core, {
    cron: opts.cron ?? "* * * * *",
    timeZone: opts.timeZone,
    name: REPORT_TASK_NAME,
    what: "report run",
    run: () => runReports(core),
  });
}

/**
 * One node-cron job, safe with several replicas: `distributed` + the Postgres coordinator lets one
 * replica take each fire (the work itself is idempotent too: unique keys in alert_deliveries).
 */
function startCronJob(
  core: Core,
  opts: AlertSchedulerOptions & { name: string; what: string; run: () => Promise<unknown> },
): AlertScheduler {
  const replicaId = opts.replicaId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = core.log.child({ task: opts.name, replica: replicaId });
  const scan = opts.run;
  const running = new Set<Promise<unknown>>();

  const logger: CronLogger = {
    info: (m) => log.debug(m),
    warn: (m) => log.warn(m),
    error: (m, err) => log.error({ err: err ?? m }, "node-cron error"),
    debug: (m) => log.debug({ detail: String(m) }, "node-cron"),
  };
  const task = cron.schedule(
    opts.cron,
    async (): Promise<ScanSummary | unknown> => {
      const p = scan();
      running.add(p);
      try {
        return await p;
      } finally {
        running.delete(p);
      }
    },
    {
      name: opts.name,
      timezone: opts.timeZone,
      noOverlap: true,
      distributed: true,
      runCoordinator: opts.coordinator ?? postgresRunCoordinator(core.db, replicaId),
      logger,
      // The bot's lifetime is held by its servers, not by this timer.
      unref: true,
    },
  );
  task.on("execution:failed", (ctx) => log.error({ err: ctx.execution?.error }, `${opts.what} failed`));
  task.on("execution:skipped", (ctx) =>
    log.debug({ slot: ctx.date.toISOString(), reason: ctx.reason }, `${opts.what} taken by another replica`),
  );
  log.info(
    { cron: opts.cron, timeZone: opts.timeZone, next: task.getNextRun()?.toISOString() },
    `${opts.what} scheduler started`,
  );

  return {
    task,
    replicaId,
    async stop() {
      await task.destroy();
      await Promise.allSettled([...running]);
    },
  };
}
