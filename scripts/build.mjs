#!/usr/bin/env node
// `npm run build` (also run by `npm install` through `prepare`): compiles src/ to dist/ with tsc,
// copies the sandbox's JSON fixtures next to the compiled simulators, and makes the embedded
// database's template (dist/pglite-template.tar.gz: initdb + every migration, dumped once).
//   node scripts/build.mjs             build everything
//   node scripts/build.mjs --if-stale  only what is older than its sources (the test suite's setup)
// Plain JavaScript on purpose: it runs with nothing but node and the dev dependencies.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist");
const BUILD_INFO = join(DIST, ".tsbuildinfo");
const ifStale = process.argv.includes("--if-stale");

/** Newest modification time of the files under `dir` (recursively) that `keep` accepts. */
function newest(dir, keep) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, keep));
    else if (keep(p)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function compiledIsStale() {
  if (!existsSync(BUILD_INFO) || !existsSync(join(DIST, "main.js"))) return true;
  const sources = Math.max(
    newest(join(ROOT, "src"), (p) => p.endsWith(".ts") || p.endsWith(".json")),
    statSync(join(ROOT, "tsconfig.json")).mtimeMs,
    statSync(join(ROOT, "tsconfig.build.json")).mtimeMs,
  );
  return sources > statSync(BUILD_INFO).mtimeMs;
}

if (!ifStale || compiledIsStale()) {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
  if (r.status !== 0) {
    // The test suite's setup still runs on what tsc emitted; a type error is the typecheck's to report.
    if (!ifStale || !existsSync(join(DIST, "main.js"))) {
      process.stderr.write("build: tsc failed\n");
      process.exit(r.status ?? 1);
    }
    process.stderr.write("build: dist/ compiled with type errors (see `npm run typecheck`)\n");
  }
  cpSync(join(ROOT, "src/sandbox/providers/fixtures"), join(DIST, "sandbox/providers/fixtures"), {
    recursive: true,
    filter: (src) => statSync(src).isDirectory() || src.endsWith(".json"),
  });
  // tsc leaves its build info untouched when nothing changed: mark dist/ as up to date.
  if (existsSync(BUILD_INFO)) utimesSync(BUILD_INFO, new Date(), new Date());
}

const template = await import(pathToFileURL(join(DIST, "db/template.js")).href);
if (!ifStale || template.templateIsStale()) {
  const started = performance.now();
  await template.writeTemplate();
  process.stderr.write(
    `build: embedded database template written (${Math.round(performance.now() - started)} ms)\n`,
  );
}
