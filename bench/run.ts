/**
 * `npm run bench`: runs every benchmark in its own process, one after the other, within a total
 * time budget (benchmarks switch to their quick settings when the budget runs short), and writes
 * bench/RESULTS.md. Figures never fail the run: the exit code is non-zero only when a benchmark
 * crashed (a broken harness), not when a target was missed.
 *
 * `npx tsx bench/run.ts [--only ack-latency,fan-out] [--budget 285]`; with --only, the sections and
 * summary rows of the other benchmarks in RESULTS.md are kept as they were.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { arg } from "./lib/args.ts";
import { postgresAvailable } from "./lib/env.ts";
import { type BenchResult, figureCells, machine, section, status } from "./lib/report.ts";
import { round } from "./lib/stats.ts";

interface Bench {
  id: string;
  /** Normal settings. */
  args: string[];
  /** Reduced settings, when the budget is short. */
  quick: string[];
  /** Rough run time on an idle 2-core machine, normal and quick (ms). */
  estimateMs: number;
  quickMs: number;
}

const BENCHES: Bench[] = [
  {
    id: "ack-latency",
    args: ["--rounds", "3"],
    quick: ["--rounds", "2"],
    estimateMs: 40_000,
    quickMs: 30_000,
  },
  {
    id: "discord-defer",
    args: ["--runs", "30", "--burst", "50"],
    quick: ["--runs", "15", "--burst", "30"],
    estimateMs: 20_000,
    quickMs: 15_000,
  },
  { id: "fan-out", args: ["--runs", "15"], quick: ["--runs", "8"], estimateMs: 22_000, quickMs: 16_000 },
  { id: "alert-scan", args: [], quick: ["--quick"], estimateMs: 62_000, quickMs: 22_000 },
  { id: "confirmations", args: [], quick: ["--requests", "50"], estimateMs: 25_000, quickMs: 18_000 },
  {
    id: "forecast-chart",
    args: ["--renders", "100"],
    quick: ["--renders", "30"],
    estimateMs: 30_000,
    quickMs: 12_000,
  },
  {
    id: "footprint",
    args: [],
    quick: ["--starts", "1"],
    estimateMs: 100_000,
    quickMs: 80_000,
  },
  { id: "startup", args: ["--rounds", "3"], quick: ["--rounds", "2"], estimateMs: 60_000, quickMs: 40_000 },
];

const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

async function runOne(b: Bench, quick: boolean, timeoutMs: number): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "hostops-bench-"));
  const jsonPath = join(dir, `${b.id}.json`);
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      "--expose-gc",
      "--import",
      "tsx",
      join(HERE, `${b.id}.ts`),
      ...(quick ? b.quick : b.args),
      "--json",
      jsonPath,
    ],
    { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"], detached: false },
  );
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  clearTimeout(timer);
  try {
    const result = JSON.parse(readFileSync(jsonPath, "utf8")) as BenchResult;
    if (quick)
      result.notes.push(`Ran with reduced settings (${b.quick.join(" ")}) to stay within the time budget.`);
    return result;
  } catch {
    return {
      id: b.id,
      title: b.id,
      status: "failed",
      reason: timedOut
        ? `timed out after ${round(timeoutMs / 1000, 0)} s and was stopped`
        : `exited with code ${code} without a result`,
      setup: "",
      figures: [],
      notes: [],
      durationMs: performance.now() - t0,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summaryTable(results: BenchResult[]): string {
  const lines = ["| benchmark | figure | median | p99 | target | |", "|---|---|---|---|---|---|"];
  for (const r of results) {
    const short = r.title.replace(/^(\d+)\. .*/, "$1");
    if (r.status !== "ok" && r.figures.length === 0) {
      lines.push(
        `| ${r.title} | ${r.status === "skipped" ? "not available" : "FAILED"}: ${r.reason ?? ""} | | | | |`,
      );
      continue;
    }
    for (const f of r.figures) {
      if (f.target === undefined) continue;
      const c = figureCells(f);
      lines.push(`| ${short} | ${f.label} | ${c.median} | ${c.p99} | ${f.target} | ${status(f)} |`);
    }
  }
  return lines.join("\n");
}

function missed(results: BenchResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    if (r.status !== "ok")
      out.push(`- **${r.title}**: ${r.status === "skipped" ? "not available" : "failed"}: ${r.reason}`);
    const misses = r.figures.filter((f) => f.pass === false);
    if (!misses.length) continue;
    out.push(
      `- **${r.title}**: ${misses.map((f) => `${f.label} (${figureCells(f).median}, target ${f.target})`).join("; ")}.`,
    );
    for (const n of r.notes.filter((n) => n.startsWith("Why"))) out.push(`  ${n}`);
  }
  return out.length ? out.join("\n") : "None: every figure with a target met it in this run.";
}

async function main(): Promise<void> {
  const only = (() => {
    const i = process.argv.indexOf("--only");
    return i > 0 ? new Set((process.argv[i + 1] ?? "").split(",")) : undefined;
  })();
  const budgetMs = (arg("budget") ?? 285) * 1000;
  const benches = BENCHES.filter((b) => !only || only.has(b.id));
  const started = performance.now();
  const m = machine();
  const loadBefore = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" / ");
  const pg = await postgresAvailable();
  const results: BenchResult[] = [];
  for (const [i, b] of benches.entries()) {
    const elapsed = performance.now() - started;
    const rest = benches.slice(i + 1).reduce((a, x) => a + x.quickMs, 0);
    const quick = elapsed + b.estimateMs + rest > budgetMs;
    const timeoutMs = Math.max(30_000, Math.min(180_000, budgetMs - elapsed - rest + 30_000));
    process.stdout.write(
      `\n=== ${b.id}${quick ? " (reduced settings: time budget)" : ""} — ${round(elapsed / 1000, 0)} s elapsed\n`,
    );
    results.push(await runOne(b, quick, timeoutMs));
  }
  const totalS = round((performance.now() - started) / 1000, 0);
  const loadAfter = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" / ");
  const doc = [
    "# hostops benchmarks",
    "",
    "Written by `npm run bench` (bench/run.ts). Benchmarks report what users feel; they never fail CI on a figure. Each benchmark also runs alone: `npx tsx bench/<name>.ts`.",
    "Every median/p99 is over the repeated runs (or requests) of this run; n says how many. Percentiles are nearest-rank, so with few samples p99 is the maximum.",
    "",
    "## Machine",
    "",
    "| | |",
    "|---|---|",
    `| CPU | ${m.cpu} |`,
    `| memory | ${m.memory} |`,
    `| OS | ${m.os} |`,
    `| Node | ${m.node} |`,
    `| Postgres | ${pg ? pg.split(" on ")[0] : "not available"} |`,
    `| date | ${m.date} |`,
    `| load average (1/5/15 min) before / after | ${loadBefore} — ${loadAfter} |`,
    `| total run time | ${totalS} s |`,
    "",
    "The machine is shared (other work may run on it at the same time, see the load average); all processes of a benchmark — the app under test, the load generator, the fakes and Postgres — share its 2 cores, so ratios measured in the same run are more telling than absolute times.",
    "",
    "## Summary (figures with a target)",
    "",
    summaryTable(results),
    "",
    "## Missed targets and why",
    "",
    missed(results),
    "",
    ...results.map(section),
  ].join("\n");
  const file = join(HERE, "RESULTS.md");
  const previous = only
    ? (() => {
        try {
          return readFileSync(file, "utf8");
        } catch {
          return undefined;
        }
      })()
    : undefined;
  const out = previous
    ? mergePartial(previous, results, `${m.date}, load ${loadBefore} — ${loadAfter}, ${totalS} s`)
    : doc;
  writeFileSync(file, `${out.trimEnd()}\n`);
  process.stdout.write(`\nWrote bench/RESULTS.md (${totalS} s).\n`);
  process.exit(results.some((r) => r.status === "failed") ? 1 : 0);
}

/**
 * A partial run (--only) updates RESULTS.md in place: the run benchmarks' summary rows, missed-target
 * entries and sections are replaced (or added), everything else is kept, and the machine table
 * gains a line saying when the partial run was made.
 */
function mergePartial(previous: string, results: BenchResult[], when: string): string {
  const num = (r: BenchResult) => r.title.replace(/^(\d+)\. .*/, "$1");
  const nums = new Set(results.map(num));
  const lines = previous.split("\n");
  // Machine table: one line per partial run.
  const machineEnd = lines.findIndex((l, i) => i > 0 && l.startsWith("| total run time |"));
  if (machineEnd >= 0) {
    // The latest partial run of the same benchmarks replaces the line of the previous one.
    const label = `| partial run: ${results.map((r) => r.id).join(", ")} |`;
    const old = lines.findIndex((l) => l.startsWith(label));
    if (old >= 0) lines.splice(old, 1);
    lines.splice(machineEnd + 1, 0, `${label} ${when} |`);
  }
  let text = lines.join("\n");
  // Summary rows.
  const newRows = summaryTable(results).split("\n").slice(2);
  const tableLines = text.split("\n");
  const head = tableLines.findIndex((l) => l.startsWith("| benchmark | figure |"));
  if (head >= 0) {
    let end = head + 2;
    while (end < tableLines.length && tableLines[end]!.startsWith("|")) end++;
    const kept = tableLines
      .slice(head + 2, end)
      .filter((l) => !nums.has(l.split("|")[1]!.trim()) && !results.some((r) => l.includes(r.title)));
    const rows = [...kept, ...newRows].sort(
      (a, b) => Number.parseInt(a.split("|")[1]!, 10) - Number.parseInt(b.split("|")[1]!, 10),
    );
    tableLines.splice(head + 2, end - head - 2, ...rows);
    text = tableLines.join("\n");
  }
  // Missed targets: drop the old entries of these benchmarks, add the new ones.
  const missedStart = text.indexOf("## Missed targets and why\n");
  const missedEnd = text.indexOf("\n## ", missedStart + 1);
  if (missedStart >= 0 && missedEnd > missedStart) {
    const body = text.slice(missedStart + "## Missed targets and why\n".length, missedEnd);
    const entries = body.split(/\n(?=- \*\*)/).map((e) => e.trim());
    const keep = entries.filter(
      (e) => e.startsWith("- **") && !nums.has(e.slice(4).replace(/^(\d+)\..*/s, "$1")),
    );
    const fresh = missed(results);
    const all = [...keep, ...(fresh.startsWith("None") ? [] : fresh.split(/\n(?=- \*\*)/))];
    text = `${text.slice(0, missedStart)}## Missed targets and why\n\n${all.length ? all.join("\n") : "None: every figure with a target met it in this run."}\n${text.slice(missedEnd)}`;
  }
  // Sections.
  for (const r of results) {
    const start = text.search(new RegExp(`^## ${num(r)}\\. `, "m"));
    const fresh = section(r).trimEnd();
    if (start < 0) {
      text = `${text.trimEnd()}\n\n${fresh}\n`;
      continue;
    }
    const next = text.indexOf("\n## ", start + 1);
    text = `${text.slice(0, start)}${fresh}\n${next < 0 ? "" : text.slice(next)}`;
  }
  return text;
}

await main();
