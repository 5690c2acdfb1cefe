import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BOT_TOKEN, SIGNING_SECRET } from "./env.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ReadyProcess {
  child: ChildProcessWithoutNullStreams;
  /** Wall time from spawn to the ready line. */
  wallMs: number;
  /** The stdout line that said ready. */
  line: string;
  /** SIGTERM, then SIGKILL after `killAfterMs`; resolves when the process has exited. */
  stop(): Promise<void>;
}

/**
 * Spawns a hostops (or bare Bolt) process in Slack HTTP mode on loopback with a minimal
 * environment, and resolves at the first stdout line containing `readyText`. The process is
 * stopped when it exits early or does not get ready in time.
 */
export async function spawnUntilReady(
  command: string,
  args: string[],
  opts: { env: Record<string, string>; readyText: string; timeoutMs: number; killAfterMs?: number },
): Promise<ReadyProcess> {
  const t0 = performance.now();
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      PORT: "0",
      LOG_LEVEL: "info",
      ...opts.env,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end();
  const stop = async () => {
    const exited = new Promise<void>((res) => child.once("exit", () => res()));
    if (child.exitCode === null) child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), opts.killAfterMs ?? 10_000);
    await exited;
    clearTimeout(t);
  };
  let out = "";
  let err = "";
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`not ready in ${opts.timeoutMs / 1000} s: ${err.slice(-300)}`)),
        opts.timeoutMs,
      );
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        const hit = out.split("\n").find((l) => l.includes(opts.readyText));
        if (hit === undefined) return;
        clearTimeout(timer);
        resolve(hit);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${args[0] ?? command} exited (${code}) before it was ready: ${err.slice(-300)}`));
      });
    });
    return { child, wallMs: performance.now() - t0, line, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
