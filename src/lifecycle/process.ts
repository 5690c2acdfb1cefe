import type { Logger } from "pino";
import { scrub } from "../observability/secrets.ts";

/**
 * The process around hostops: SIGTERM/SIGINT from the very start (before the database connects
 * or the migrations run), uncaught errors logged through pino, and a hard limit on how long a
 * shutdown may take. Installed by the first line of main; `start()` uses it.
 */
export interface ProcessLifecycle {
  /** Aborted at the first SIGTERM or SIGINT. */
  readonly signal: AbortSignal;
  /** Resolves with the first signal's name. */
  readonly signalled: Promise<NodeJS.Signals>;
  /** Where lifecycle lines and uncaught errors go once the logger exists (stderr before). */
  useLogger(log: Logger): void;
  /** The shutdown grace (HOSTOPS_SHUTDOWN_GRACE_MS) once the configuration is read. */
  setGrace(ms: number): void;
  /** Removes the handlers (a caller that ran start() without main). */
  dispose(): void;
}

export interface LifecycleOptions {
  /** Log and exit on uncaught exceptions and unhandled rejections (main only). */
  crashHandlers?: boolean;
  /** What ends the process (tests replace it). */
  exit?: (code: number) => void;
}

/** A second signal, or a shutdown past grace + this margin, ends the process at once. */
export const HARD_STOP_MARGIN_MS = 1_500;

export function installProcessLifecycle(opts: LifecycleOptions = {}): ProcessLifecycle {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const controller = new AbortController();
  let log: Logger | undefined;
  let graceMs = parseGrace(process.env.HOSTOPS_SHUTDOWN_GRACE_MS);
  let resolveSignalled!: (s: NodeJS.Signals) => void;
  const signalled = new Promise<NodeJS.Signals>((r) => {
    resolveSignalled = r;
  });
  const say = (level: "info" | "warn" | "fatal", obj: Record<string, unknown>, msg: string) => {
    if (log) log[level](obj, msg);
    else {
      const err = obj.err instanceof Error ? `: ${obj.err.stack ?? obj.err.message}` : "";
      process.stderr.write(`${scrub(`hostops: ${msg}${err}`)}\n`);
    }
  };

  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      say("warn", { signal: sig }, "second signal: exiting now");
      exit(1);
      return;
    }
    say("info", { signal: sig, graceMs }, "signal received: shutting down");
    controller.abort();
    resolveSignalled(sig);
    // The hard limit: in-flight work had its grace; a hung connect or close must not keep the
    // process alive until the orchestrator's SIGKILL.
    setTimeout(() => {
      say("warn", { graceMs }, "shutdown did not finish in time: exiting");
      exit(1);
    }, graceMs + HARD_STOP_MARGIN_MS).unref();
  };
  const onException = (err: unknown) => {
    say("fatal", { err }, "uncaught exception");
    exit(1);
  };
  const onRejection = (reason: unknown) => {
    say("fatal", { err: reason }, "unhandled promise rejection");
    exit(1);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  if (opts.crashHandlers) {
    process.on("uncaughtException", onException);
    process.on("unhandledRejection", onRejection);
  }
  return {
    signal: controller.signal,
    signalled,
    useLogger(l) {
      log = l;
    },
    setGrace(ms) {
      graceMs = ms;
    },
    dispose() {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      process.off("uncaughtException", onException);
      process.off("unhandledRejection", onRejection);
    },
  };
}

function parseGrace(v: string | undefined): number {
  const n = Number(v);
  return v && Number.isInteger(n) && n >= 0 ? n : 8_000;
}
