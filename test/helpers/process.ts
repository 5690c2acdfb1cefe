import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));

/** process.env without chat, database or port settings: what a fresh checkout starts with. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(SLACK_|DISCORD_|DATABASE_URL$|PORT$|LOG_LEVEL$|HOSTOPS_)/.test(k)) env[k] = v;
  // The provider fakes listen on loopback, which the private-address guard refuses by default.
  env.HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS = "1";
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion with `input` on stdin (then EOF). */
export function run(
  cmd: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; input?: string },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO, env: opts.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}

/** Streams for an in-process run: stdin from text (not a TTY), stdout/stderr captured. */
export function memoryIo(input = "") {
  const out = { stdout: "", stderr: "" };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on("data", (c: Buffer) => {
    out.stdout += c.toString();
  });
  stderr.on("data", (c: Buffer) => {
    out.stderr += c.toString();
  });
  return { stdin: Readable.from([input]), stdout, stderr, out };
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (the OS's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
