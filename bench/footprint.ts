import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startHost4coinsFake } from "../test/fakes/providers/host4coins.ts";
import { startFakeSlack } from "../test/fakes/slack.ts";
import { freshPostgres } from "../test/helpers/db.ts";
import { arg } from "./lib/args.ts";
import { startTarget, type Target } from "./lib/child.ts";
import {
  BOT_TOKEN,
  EVENTS_PATH,
  postgresAvailable,
  SECRET_KEY,
  SIGNING_SECRET,
  slashBody,
  TEAM,
} from "./lib/env.ts";
import { postTimed, slackHeaders, sleep } from "./lib/load.ts";
import { type BenchResult, benchMain, dist, measure, single } from "./lib/report.ts";
import { spawnUntilReady } from "./lib/spawn-ready.ts";
import { summarize } from "./lib/stats.ts";
import type { MemInfo } from "./lib/target.ts";

export const meta = { id: "footprint", title: "6. Footprint: memory and start-to-ready" };

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHANNEL = "C0MEM";
const MB = 2 ** 20;
/** What the 10,000 commands are, in turn. */
const MIX = ["services", "balance", "help", "services", "invoices"];

export async function run(opts: { commands?: number; starts?: number } = {}) {
  const commands = opts.commands ?? 10_000;
  const starts = opts.starts ?? 2;
  return measure(meta, async (r: BenchResult) => {
    const pgVersion = await postgresAvailable();
    r.setup = `Memory: hostops in a child process (production Slack mode) on a PGlite data dir (the default single-process deployment, so RSS includes the embedded database), 1 Host4Coins account bound (provider answering at once); 50 signed slash commands through HTTP first (Bolt, users.info, response_url), then ${commands} commands (${MIX.join(", ")} in turn, 20 users) through the dispatcher in that process, 16 in flight (HTTP would take ~2 minutes here); RSS and V8 heap read after a forced GC, idle (2 s after the HTTP warm-up) and after every quarter. Idle RSS also on Postgres (bot process alone). Start-to-ready: cold child processes running \`tsx bench/lib/cold-start.ts\` (src/main.ts's start path — loadConfig, logger, startHostops — serving on 127.0.0.1; from the TypeScript sources through tsx, unlike the compiled \`npm start\` of benchmark 8: tsx transpiling, every import, database open + migrations, Slack HTTP receiver listening), from spawn to the "hostops is ready" log line, ${starts} each: PGlite on an empty data dir (first start: from the build's template), PGlite on an existing data dir (restart), and Postgres on a fresh database (migrations run).`;
    const slack = await startFakeSlack();
    const provider = await startHost4coinsFake();
    const dataDir = mkdtempSync(join(tmpdir(), "hostops-bench-mem-"));
    let target: Target | undefined;
    try {
      const seed = {
        platform: "slack" as const,
        workspaceId: TEAM,
        channelId: CHANNEL,
        accounts: [
          { label: "h4c", kind: "host4coins", baseUrl: provider.baseUrl, credentials: provider.credentials },
        ],
      };
      const slackSpec = { apiUrl: slack.apiUrl, signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN };
      // Idle on Postgres too: the bot process alone, the database elsewhere.
      let idlePostgres: MemInfo | undefined;
      if (pgVersion) {
        const pg = await freshPostgres("bench_mem");
        try {
          const p = await startTarget({
            kind: "hostops",
            slack: slackSpec,
            secretKey: SECRET_KEY,
            databaseUrl: pg.url,
            seed,
          });
          await sleep(2_000);
          idlePostgres = await p.mem(true);
          await p.stop();
        } finally {
          await pg.drop().catch(() => {});
        }
      }
      const t = await startTarget({
        kind: "hostops",
        slack: slackSpec,
        secretKey: SECRET_KEY,
        dataDir,
        seed,
      });
      target = t;
      // A few through the whole HTTP path first, so Bolt's and the Web API client's state is there too.
      for (let k = 0; k < 50; k++) {
        const id = `mem-http-${k}`;
        const body = slashBody(MIX[k % MIX.length]!, {
          user: `UDISP${k % 20}`,
          channel: CHANNEL,
          responseUrl: slack.responseUrl(id),
        });
        await postTimed(t.port!, EVENTS_PATH, body, slackHeaders(SIGNING_SECRET, body));
        await slack.waitFor((c) => c.method === `response:${id}`, 30_000);
      }
      await sleep(2_000);
      const idle = await t.mem(true);
      const points: { after: number; mem: MemInfo }[] = [{ after: 0, mem: idle }];
      const quarter = Math.ceil(commands / 4);
      let sent = 0;
      let failed = 0;
      let busyMs = 0;
      const deadline = performance.now() + 100_000;
      for (let q = 0; q < 4 && performance.now() < deadline; q++) {
        const n = Math.min(quarter, commands - sent);
        const res = await t.call<{ ms: number; failed: number }>(
          "dispatch",
          {
            count: n,
            concurrency: 16,
            texts: MIX,
            users: 20,
            platform: "slack",
            workspaceId: TEAM,
            channelId: CHANNEL,
          },
          110_000,
        );
        busyMs += res.ms;
        failed += res.failed;
        sent += n;
        points.push({ after: sent, mem: await t.mem(true) });
      }
      const last = points.at(-1)!;
      const half = points[2] ?? last;
      const rssGrowth = (last.mem.rss - half.mem.rss) / MB;
      const heapGrowth = (last.mem.heapUsed - half.mem.heapUsed) / MB;
      r.figures.push(
        single("RSS idle after start, PGlite data dir (bot + embedded database)", "MB", idle.rss / MB),
        single("V8 heap used idle after start, PGlite", "MB", idle.heapUsed / MB),
      );
      if (idlePostgres)
        r.figures.push(
          single("RSS idle after start, Postgres (bot process only)", "MB", idlePostgres.rss / MB),
          single("V8 heap used idle after start, Postgres", "MB", idlePostgres.heapUsed / MB),
        );
      r.figures.push(
        ...points.slice(1).map((p) =>
          single(`PGlite, after ${p.after} commands: RSS / heap used / WASM+buffers`, "", 0, {
            text: `${(p.mem.rss / MB).toFixed(0)} MB / ${(p.mem.heapUsed / MB).toFixed(1)} MB / ${(p.mem.external / MB).toFixed(0)} MB`,
          }),
        ),
        single(`heap growth, second half (${half.after} -> ${last.after} commands)`, "MB", heapGrowth, {
          target: "bounded: < 10 MB",
          pass: heapGrowth < 10,
        }),
        single(`RSS growth, second half (${half.after} -> ${last.after} commands)`, "MB", rssGrowth, {
          target: "bounded: < 50 MB",
          pass: rssGrowth < 50,
        }),
        single("commands per second through the dispatcher (16 in flight)", "/s", sent / (busyMs / 1000)),
        single("commands that failed", "", failed, { target: "0", pass: failed === 0 }),
      );
      if (sent < commands) r.notes.push(`Only ${sent} of ${commands} commands ran within the time budget.`);
      await t.stop();
      target = undefined;

      // Start-to-ready, cold processes.
      const fakeSlackEnv = { SLACK_API_URL: slack.apiUrl };
      const dirs: string[] = [];
      const pgliteFirst: number[] = [];
      const pgliteRestart: number[] = [];
      const postgresFresh: number[] = [];
      const inProcess: Record<string, number[]> = { pgliteFirst: [], pgliteRestart: [], postgres: [] };
      try {
        for (let i = 0; i < starts; i++) {
          const dir = mkdtempSync(join(tmpdir(), "hostops-bench-"));
          dirs.push(dir);
          const first = await coldStart({ ...fakeSlackEnv, HOSTOPS_DATA_DIR: dir });
          pgliteFirst.push(first.wallMs);
          inProcess.pgliteFirst!.push(first.readyMs);
          const again = await coldStart({ ...fakeSlackEnv, HOSTOPS_DATA_DIR: dir });
          pgliteRestart.push(again.wallMs);
          inProcess.pgliteRestart!.push(again.readyMs);
          if (pgVersion) {
            const db = await freshPostgres(`bench_start${i}`);
            try {
              const s = await coldStart({ ...fakeSlackEnv, DATABASE_URL: db.url });
              postgresFresh.push(s.wallMs);
              inProcess.postgres!.push(s.readyMs);
            } finally {
              await db.drop().catch(() => {});
            }
          }
        }
      } finally {
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
      }
      const med = (xs: number[]) => Math.round(summarize(xs).median);
      r.figures.push(
        dist("start-to-ready, PGlite, empty data dir (first start)", "ms", summarize(pgliteFirst)),
        dist("start-to-ready, PGlite, existing data dir (restart)", "ms", summarize(pgliteRestart)),
      );
      if (pgVersion)
        r.figures.push(dist("start-to-ready, Postgres, fresh database", "ms", summarize(postgresFresh)));
      r.notes.push(
        `Of the start-to-ready time, the database-open-to-ready part (the "ms" hostops logs) was, medians: PGlite first start ${med(inProcess.pgliteFirst!)} ms, PGlite restart ${med(inProcess.pgliteRestart!)} ms${pgVersion ? `, Postgres ${med(inProcess.postgres!)} ms` : ""}; the rest is process start, tsx and module loading.`,
        `p99 over ${starts} cold starts is their maximum.`,
        "PGlite is PostgreSQL compiled to WebAssembly inside the bot process: its memory (the WASM+buffers column, constant) is most of the difference between the PGlite and Postgres RSS, and its initdb is most of a first start.",
      );
    } finally {
      await target?.stop().catch(() => {});
      await provider.close();
      await slack.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

/** Spawns `tsx bench/lib/cold-start.ts` (src/main.ts's start path, on loopback) and resolves at its "hostops is ready" log line, then stops it. */
async function coldStart(env: Record<string, string>): Promise<{ wallMs: number; readyMs: number }> {
  const p = await spawnUntilReady(join(ROOT, "node_modules/.bin/tsx"), ["bench/lib/cold-start.ts"], {
    env: { HOSTOPS_SECRET_KEY: SECRET_KEY, ...env },
    readyText: "hostops is ready",
    timeoutMs: 60_000,
  });
  try {
    let readyMs = Number.NaN;
    try {
      readyMs = Number((JSON.parse(p.line) as { ms?: number }).ms);
    } catch {
      // not JSON: keep NaN
    }
    return { wallMs: p.wallMs, readyMs };
  } finally {
    await p.stop();
  }
}

await benchMain(import.meta.url, () => run({ commands: arg("commands"), starts: arg("starts") }));
