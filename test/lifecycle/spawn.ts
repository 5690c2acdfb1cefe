import { type ChildProcess, spawn } from "node:child_process";
import { cleanEnv, REPO } from "../helpers/process.ts";

/**
 * The production entry point, in one place: what `npm start` execs (the compiled build, which
 * the suite's global setup brings up to date). Spawned as `node …` itself, so a signal sent to
 * the child reaches the process that serves.
 */
export const ENTRY: readonly string[] = ["dist/main.js"];

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export interface Spawned {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout's JSON log lines so far. */
  logs(): LogLine[];
  /** Resolves with the first log line (past or future) that matches. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the exit, or rejects if the process is still running after `ms`. */
  exitWithin(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ends the process if it still runs (cleanup). */
  kill(): void;
}

/** Starts hostops as production does, with `env` on top of a clean environment. */
export function spawnHostops(env: Record<string, string | undefined>, args: string[] = []): Spawned {
  const child = spawn(process.execPath, [...ENTRY, ...args], {
    cwd: REPO,
    env: cleanEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  const parsed: LogLine[] = [];
  let partial = "";
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString();
    partial += c.toString();
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const raw of lines) {
      let line: LogLine;
      try {
        line = JSON.parse(raw) as LogLine;
      } catch {
        continue;
      }
      parsed.push(line);
      for (const w of [...waiters])
        if (w.pred(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
    }
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    logs: () => [...parsed],
    waitForLog(pred, timeoutMs = 20_000) {
      const hit = parsed.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching log line; stdout:\n${stdout}\nstderr:\n${stderr}`)),
          timeoutMs,
        );
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`hostops exited; stdout:\n${stdout}\nstderr:\n${stderr}`));
        });
        waiters.push({
          pred,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
    exited,
    exitWithin(ms) {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        exited.finally(() => clearTimeout(timer)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`hostops still running ${ms} ms after the signal`)), ms);
        }),
      ]);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

export const isReady = (l: LogLine) => l.msg === "hostops is ready";
