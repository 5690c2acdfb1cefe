import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.ts";
import { BOT_TOKEN, SIGNING_SECRET } from "../helpers/config.ts";
import { freshPostgres } from "../helpers/db.ts";
import { cleanEnv, REPO } from "../helpers/process.ts";

/** Parent pid of every live process (Linux /proc). */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      out.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function descendants(root: number): number[] {
  const tree = parents();
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of tree)
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
  };
  walk(root);
  return found;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  } catch {
    return "";
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Resolves true when something accepts a TCP connection on 127.0.0.1:port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/**
 * `npm start` in Slack HTTP mode against a fake Slack Web API, on Postgres; SIGTERM to the npm
 * process alone (what a process manager or `kill <pid>` does) must leave nothing running or
 * listening. With `npm start` = `sh -c "node …"` the shell died and node kept the port.
 */
describe.skipIf(process.platform !== "linux")("signal to npm start", () => {
  let slack: FakeSlack;
  let pg: { url: string; drop(): Promise<void> };
  let npm: ChildProcess;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let output = "";

  beforeAll(async () => {
    slack = await startFakeSlack();
    pg = await freshPostgres("npm_start");
    // Its own process group, so that the cleanup can reach anything left behind.
    npm = spawn("npm", ["start"], {
      cwd: REPO,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: cleanEnv({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        DATABASE_URL: pg.url,
        HOSTOPS_SECRET_KEY: Buffer.alloc(32, 3).toString("base64"),
        PORT: "0",
        LOG_LEVEL: "info",
      }),
    });
    npm.stdout?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    npm.stderr?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    exited = new Promise((resolve) => npm.once("exit", (code, signal) => resolve({ code, signal })));
  });

  afterAll(async () => {
    // Whatever is left of the group (only when the test failed) is killed, not left to others.
    if (npm?.pid)
      try {
        process.kill(-npm.pid, "SIGKILL");
      } catch {
        // nothing left
      }
    await slack?.close();
    await pg?.drop();
  });

  it("npm runs node dist/main.js directly, and after SIGTERM to npm nothing is left listening or running", async () => {
    const pid = npm.pid!;
    // Ready: the log line carries the port the Slack receiver listens on (PORT=0: a free one).
    const port = await vi.waitFor(
      () => {
        const m = /"port":(\d+)[^\n]*"msg":"hostops is ready"/.exec(output);
        if (!m) throw new Error(`not ready yet:\n${output}`);
        return Number(m[1]);
      },
      { timeout: 90_000, interval: 100 },
    );
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    const tree = descendants(pid);
    const chain = tree.map(commandLine);

    process.kill(pid, "SIGTERM");
    const { code } = await exited;
    expect(code).toBe(0);
    // npm waits for its child: by the time it exits, the server is gone and the port is free.
    for (const child of tree) expect(alive(child), commandLine(child)).toBe(false);
    expect(await listening(port)).toBe(false);
    // The chain was npm -> node dist/main.js: no shell or tsx in between to orphan the server.
    expect(chain).toEqual(["node dist/main.js"]);
  }, 120_000);
});
