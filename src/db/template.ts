import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";

/**
 * The embedded database's template: a PGlite data directory that has already been through initdb
 * and every migration, dumped (gzip tar) at build time by `npm run build`. A fresh data dir (or an
 * in-memory database) is loaded from it instead of running initdb, which costs several seconds and
 * ~800 MB that PGlite never gives back. Migrations newer than the template still apply on top.
 *
 * The file lives in `dist/` whether the code runs from `src` (tests, `npm run dev`) or `dist`.
 */
export const TEMPLATE_FILE = fileURLToPath(new URL("../../dist/pglite-template.tar.gz", import.meta.url));
const META_FILE = TEMPLATE_FILE.replace(/\.tar\.gz$/, ".json");
const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations", import.meta.url));

interface TemplateMeta {
  /** PGlite version that wrote the dump: another version may not read it. */
  pglite: string;
  /** Hash of the migration files the template contains. */
  migrations: string;
}

/** The installed PGlite's version. */
export function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  let dir = dirname(entry);
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

/** A hash of the SQL migrations and their journal: changes when a migration is added or edited. */
export function migrationsHash(folder = MIGRATIONS_DIR): string {
  const h = createHash("sha256");
  const files = readdirSync(folder)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  for (const f of [...files, "meta/_journal.json"]) h.update(f).update(readFileSync(join(folder, f)));
  return h.digest("hex").slice(0, 16);
}

function readMeta(file = META_FILE): TemplateMeta | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as TemplateMeta;
  } catch {
    return undefined;
  }
}

let cached: { file: string; bytes: Uint8Array } | undefined;

/**
 * The template's bytes when there is one this PGlite can load; undefined otherwise (then PGlite
 * runs initdb as before). Read once per process: tests start many in-memory databases.
 */
export function loadTemplate(file = TEMPLATE_FILE): Uint8Array | undefined {
  if (cached?.file === file) return cached.bytes;
  const meta = readMeta(file.replace(/\.tar\.gz$/, ".json"));
  if (!meta || meta.pglite !== pgliteVersion() || !existsSync(file)) return undefined;
  cached = { file, bytes: readFileSync(file) };
  return cached.bytes;
}

/** True when the template is missing, or was made by another PGlite or from other migrations. */
export function templateIsStale(file = TEMPLATE_FILE): boolean {
  const meta = readMeta(file.replace(/\.tar\.gz$/, ".json"));
  return (
    !existsSync(file) || !meta || meta.pglite !== pgliteVersion() || meta.migrations !== migrationsHash()
  );
}

/** Runs initdb and every migration in memory, and writes the dump and its description. */
export async function writeTemplate(file = TEMPLATE_FILE, migrationsFolder = MIGRATIONS_DIR): Promise<void> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const client = new PGlite();
  try {
    await migrate(drizzle(client), { migrationsFolder });
    const dump = await client.dumpDataDir("gzip");
    const bytes = Buffer.from(await dump.arrayBuffer());
    mkdirSync(dirname(file), { recursive: true });
    // Written aside and renamed: a reader never sees half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
    const meta: TemplateMeta = { pglite: pgliteVersion(), migrations: migrationsHash(migrationsFolder) };
    const metaFile = file.replace(/\.tar\.gz$/, ".json");
    writeFileSync(`${metaFile}.${process.pid}.tmp`, `${JSON.stringify(meta)}\n`);
    renameSync(`${metaFile}.${process.pid}.tmp`, metaFile);
    cached = undefined;
  } finally {
    await client.close();
  }
}

/** Unpacks the template (gzip tar) into `dir`, which is created. */
export async function extractTemplate(bytes: Uint8Array, dir: string): Promise<void> {
  const { x } = await import("tar");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await pipeline(Readable.from([Buffer.from(bytes)]), x({ cwd: dir }));
  if (!existsSync(join(dir, "PG_VERSION"))) throw new Error("the template holds no PG_VERSION");
}
