import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { MemInfo, TargetSpec } from "./target.ts";

const TARGET = fileURLToPath(new URL("./target.ts", import.meta.url));

export interface Target {
  child: ChildProcess;
  /** HTTP port (Slack events, health), when the target serves one. */
  port?: number;
  /** ms from the child's process start to ready (its own performance.now()). */
  readyMs: number;
  mem(gc?: boolean): Promise<MemInfo>;
  /** Server-side request durations (request event to response finish) since the last call. */
  served(): Promise<number[]>;
  /** CPU time (user + system) the target process has used so far, ms. */
  cpu(): Promise<number>;
  /** Any other command target.ts knows (bulk, scan, alerts, resetAlerts). */
  call<T>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/** Forks bench/lib/target.ts with `spec` and resolves once it serves. */
export async function startTarget(spec: TargetSpec, opts: { timeoutMs?: number } = {}): Promise<Target> {
  const child = fork(TARGET, [], {
    execArgv: [
      "--expose-gc",
      "--import",
      "tsx",
      // Debugging aid: BENCH_PROFILE_DIR=/tmp/prof writes a CPU profile of every target.
      ...(process.env.BENCH_PROFILE_DIR
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
        : []),
    ],
    env: { ...process.env, BENCH_TARGET: JSON.stringify(spec) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let nextId = 1;
  const pending = new Map<number, (m: { ok: boolean; value?: unknown; error?: string }) => void>();
  const ready = await new Promise<{ port?: number; readyMs: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`target ${spec.kind} not ready in time`));
    }, opts.timeoutMs ?? 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`target ${spec.kind} exited (${code}) before it was ready`));
    });
    child.on("message", (raw) => {
      const m = raw as { ready?: boolean; port?: number; readyMs?: number; error?: string; id?: number };
      if (m.id !== undefined) {
        pending.get(m.id)?.(m as { ok: boolean });
        pending.delete(m.id);
        return;
      }
      if (m.ready === true) {
        clearTimeout(timer);
        resolve({ port: m.port, readyMs: m.readyMs ?? Number.NaN });
      } else if (m.ready === false) {
        clearTimeout(timer);
        reject(new Error(`target ${spec.kind} failed to start: ${m.error}`));
      }
    });
  });
  child.removeAllListeners("exit");
  const call = (msg: Record<string, unknown>, timeoutMs = 15_000) =>
    new Promise<unknown>((resolve, reject) => {
      if (!child.connected) return reject(new Error("target is gone"));
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`target did not answer ${String(msg.cmd)}`));
      }, timeoutMs);
      pending.set(id, (m) => {
        clearTimeout(timer);
        if (m.ok) resolve(m.value);
        else reject(new Error(m.error));
      });
      child.send({ id, ...msg });
    });
  return {
    child,
    port: ready.port,
    readyMs: ready.readyMs,
    mem: (gc = true) => call({ cmd: "mem", gc }) as Promise<MemInfo>,
    served: () => call({ cmd: "served" }) as Promise<number[]>,
    cpu: () => call({ cmd: "cpu" }) as Promise<number>,
    call: <T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 120_000) =>
      call({ ...args, cmd }, timeoutMs) as Promise<T>,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      await call({ cmd: "stop" }, 10_000).catch(() => {});
      const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}
