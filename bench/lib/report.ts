import { writeFileSync } from "node:fs";
import os from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { round, type Summary } from "./stats.ts";

/** One reported number: a distribution (median + p99 over repeated runs) or a single value. */
export interface Figure {
  label: string;
  unit: string;
  median?: number;
  p99?: number;
  /** How many samples the median/p99 are over. */
  n?: number;
  /** A single value (counts, ratios of medians). */
  value?: number;
  /** Shown instead of the numbers when set (e.g. "100 of 100"). */
  text?: string;
  target?: string;
  /** undefined: no target. */
  pass?: boolean;
}

export interface BenchResult {
  id: string;
  title: string;
  status: "ok" | "skipped" | "failed";
  /** Why it was skipped or failed. */
  reason?: string;
  /** The conditions, in one paragraph. */
  setup: string;
  figures: Figure[];
  /** Explanations: misses, methodology caveats. */
  notes: string[];
  durationMs: number;
}

export function dist(label: string, unit: string, s: Summary, extra: Partial<Figure> = {}): Figure {
  return { label, unit, median: s.median, p99: s.p99, n: s.n, ...extra };
}

export function single(label: string, unit: string, value: number, extra: Partial<Figure> = {}): Figure {
  return { label, unit, value, ...extra };
}

function fmt(x: number | undefined, unit: string): string {
  if (x === undefined || !Number.isFinite(x)) return "—";
  const digits = unit === "x" ? 2 : Math.abs(x) >= 100 ? 0 : 1;
  return `${round(x, digits)}${unit === "x" ? "x" : unit ? ` ${unit}` : ""}`;
}

export function figureCells(f: Figure): { median: string; p99: string } {
  if (f.text !== undefined) return { median: f.text, p99: "" };
  if (f.value !== undefined) return { median: fmt(f.value, f.unit), p99: "" };
  return { median: fmt(f.median, f.unit), p99: fmt(f.p99, f.unit) };
}

export function status(f: Figure): string {
  return f.pass === undefined ? "" : f.pass ? "met" : "**missed**";
}

/** The figures of one benchmark as a markdown table. */
export function figuresTable(r: BenchResult): string {
  const lines = ["| figure | median | p99 | n | target | |", "|---|---|---|---|---|---|"];
  for (const f of r.figures) {
    const c = figureCells(f);
    lines.push(`| ${f.label} | ${c.median} | ${c.p99} | ${f.n ?? ""} | ${f.target ?? ""} | ${status(f)} |`);
  }
  return lines.join("\n");
}

export function section(r: BenchResult): string {
  const out = [`## ${r.title}`, ""];
  if (r.status !== "ok") {
    out.push(`${r.status === "skipped" ? "not available" : "FAILED"}: ${r.reason ?? "no reason given"}`, "");
    if (!r.figures.length) return out.join("\n");
  }
  out.push(r.setup, "", figuresTable(r), "");
  if (r.notes.length) out.push(...r.notes.map((n) => `- ${n}`), "");
  out.push(`_Took ${round(r.durationMs / 1000, 1)} s._`, "");
  return out.join("\n");
}

export function machine(): Record<string, string> {
  const cpus = os.cpus();
  return {
    cpu: `${cpus[0]?.model ?? "unknown"} (${cpus.length} cores)`,
    memory: `${round(os.totalmem() / 2 ** 30, 1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
  };
}

/** True when `importMetaUrl` is the script node was asked to run (not an import). */
export function isMain(importMetaUrl: string): boolean {
  const argv1 = process.argv[1];
  if (!argv1) return false;
  return resolve(argv1) === fileURLToPath(importMetaUrl);
}

/**
 * Entry point of a benchmark file: `npx tsx bench/<id>.ts` prints its section; with
 * `--json <file>` (what bench/run.ts passes) the result is also written there.
 * A missed target never makes the exit code non-zero: benchmarks report, they do not gate.
 */
export async function benchMain(importMetaUrl: string, run: () => Promise<BenchResult>): Promise<void> {
  if (!isMain(importMetaUrl)) return;
  const jsonAt = process.argv.indexOf("--json");
  const jsonPath = jsonAt > 0 ? process.argv[jsonAt + 1] : undefined;
  let result: BenchResult;
  try {
    result = await run();
  } catch (err) {
    result = {
      id: "unknown",
      title: "benchmark",
      status: "failed",
      reason: clip(err instanceof Error ? (err.stack ?? err.message) : String(err)),
      setup: "",
      figures: [],
      notes: [],
      durationMs: 0,
    };
  }
  if (jsonPath) writeFileSync(jsonPath, JSON.stringify(result, null, 2));
  process.stdout.write(`\n${section(result)}\n`);
  // Leftover handles (keep-alive sockets, PGlite) must not keep a finished benchmark alive.
  process.exit(result.status === "failed" ? 1 : 0);
}

/** Wraps a benchmark body: timing, and a failure turned into a result instead of a crash. */
export async function measure(
  meta: { id: string; title: string },
  body: (r: BenchResult) => Promise<void>,
): Promise<BenchResult> {
  const r: BenchResult = { ...meta, status: "ok", setup: "", figures: [], notes: [], durationMs: 0 };
  const t0 = performance.now();
  try {
    await body(r);
  } catch (err) {
    r.status = "failed";
    r.reason = clip(err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
  r.durationMs = performance.now() - t0;
  return r;
}

/** An error for a one-line report: the first lines, at most 600 characters. */
export function clip(text: string): string {
  const one = text.split("\n").slice(0, 4).join(" ").replace(/\s+/g, " ");
  return one.length > 600 ? `${one.slice(0, 600)}…` : one;
}
