/**
 * The load generator as a process of its own: it only sends requests and times them, so the
 * fakes' work (answering users.info, response_url, provider calls in the parent) cannot delay
 * the moment a response is noticed. Forked by {@link startLoadgen}.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { burst, type Timed } from "./load.ts";

export interface BurstRequest {
  body: string;
  headers: Record<string, string>;
}

/** A timed request with its send time as epoch ms (to line up with the fakes' records). */
export interface TimedAt extends Timed {
  sentAt: number;
}

export interface Loadgen {
  burst(port: number, path: string, requests: BurstRequest[]): Promise<TimedAt[]>;
  stop(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

export async function startLoadgen(): Promise<Loadgen> {
  const child: ChildProcess = fork(SELF, ["--loadgen-child"], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("load generator did not start")), 30_000);
    child.once("message", () => {
      clearTimeout(t);
      resolve();
    });
    child.once("exit", (code) => reject(new Error(`load generator exited (${code})`)));
  });
  child.removeAllListeners("exit");
  let next = 1;
  return {
    burst: (port, path, requests) =>
      new Promise((resolve, reject) => {
        const id = next++;
        const t = setTimeout(() => reject(new Error("load generator: burst timed out")), 60_000);
        const on = (raw: unknown) => {
          const m = raw as { id: number; results: TimedAt[] };
          if (m.id !== id) return;
          clearTimeout(t);
          child.off("message", on);
          resolve(m.results);
        };
        child.on("message", on);
        child.send({ id, port, path, requests });
      }),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.disconnect();
      const t = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(t);
    },
  };
}

if (process.argv.includes("--loadgen-child")) {
  process.on("message", (raw) => {
    const m = raw as { id: number; port: number; path: string; requests: BurstRequest[] };
    void (async () => {
      const results = await burst(m.port, m.path, m.requests);
      const origin = performance.timeOrigin;
      process.send?.({ id: m.id, results: results.map((r) => ({ ...r, sentAt: origin + r.start })) });
    })();
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ ready: true });
}
