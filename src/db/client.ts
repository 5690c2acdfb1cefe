import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema.ts";
import { extractTemplate, loadTemplate } from "./template.ts";

/** One Drizzle database type for both drivers (postgres.js and PGlite). */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  driver: "postgres" | "pglite";
  /** Runs a raw statement and returns its rows, whichever driver answers. */
  rows<T = Record<string, unknown>>(query: import("drizzle-orm").SQL): Promise<T[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = new URL("../../migrations", import.meta.url).pathname;

export interface OpenOptions {
  databaseUrl?: string;
  /** PGlite data directory; "memory://" or undefined for an in-memory database. */
  dataDir?: string;
  /** Pool size for postgres.js. */
  max?: number;
  migrate?: boolean;
  /** The embedded database's template (tests); default: the one `npm run build` made. */
  templateFile?: string;
}

/** Opens the database and applies pending migrations (under an advisory lock on Postgres). */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const database = opts.databaseUrl
    ? await openPostgres(opts.databaseUrl, opts)
    : await openPglite(opts.dataDir, opts.templateFile);
  return database;
}

async function openPostgres(url: string, opts: OpenOptions): Promise<Database> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  if (opts.migrate !== false) await migratePostgres(url);
  const client = postgres(url, { max: opts.max ?? 10, onnotice: () => {}, connect_timeout: 10 });
  const db = drizzle(client, { schema });
  return {
    db: db as unknown as Db,
    driver: "postgres",
    rows: async <T>(q: import("drizzle-orm").SQL) => (await db.execute(q)) as unknown as T[],
    ping: async () => {
      await client`select 1`;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * drizzle's migrator takes no lock: replicas starting together would race. One dedicated
 * single-connection client holds a session advisory lock around it.
 */
export async function migratePostgres(url: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(hashtext('hostops:migrations'))`;
    try {
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client`select pg_advisory_unlock(hashtext('hostops:migrations'))`;
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

async function openPglite(dataDir: string | undefined, templateFile?: string): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const inMemory = !dataDir || dataDir === "memory://";
  let releaseLock = () => {};
  if (!inMemory) {
    mkdirSync(dataDir, { recursive: true });
    releaseLock = takeDirLock(dataDir);
  }
  const pgDir = inMemory ? undefined : join(dataDir, "pglite");
  // A new database starts from the migrated template made at build time (no initdb), when there is one.
  const template = pgDir && existsSync(join(pgDir, "PG_VERSION")) ? undefined : loadTemplate(templateFile);
  let client: InstanceType<typeof PGlite>;
  if (pgDir) {
    if (template) {
      // Unpacked natively into a new directory, then opened like an existing one (a restart):
      // PGlite's own loading writes the 40 MB file by file through its WASM file system.
      const staging = `${pgDir}.new-${process.pid}`;
      try {
        rmSync(staging, { recursive: true, force: true });
        await extractTemplate(template, staging);
        rmSync(pgDir, { recursive: true, force: true }); // no PG_VERSION: nothing was ever stored there
        renameSync(staging, pgDir);
      } catch {
        // An unreadable template: PGlite runs initdb in the empty directory instead.
        rmSync(staging, { recursive: true, force: true });
      }
    }
    client = new PGlite(pgDir);
  } else {
    client = new PGlite(template ? { loadDataDir: new Blob([template]) } : {});
    if (template)
      try {
        await client.waitReady;
      } catch {
        // An unreadable template: an empty in-memory database with initdb.
        await client.close().catch(() => {});
        client = new PGlite();
      }
  }
  const db = drizzle(client, { schema });
  try {
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (err) {
    await client.close();
    releaseLock();
    throw err;
  }
  return {
    db: db as unknown as Db,
    driver: "pglite",
    rows: async <T>(q: import("drizzle-orm").SQL) => ((await db.execute(q)) as unknown as { rows: T[] }).rows,
    ping: async () => {
      await client.query("select 1");
    },
    close: async () => {
      await client.close();
      releaseLock();
    },
  };
}

/**
 * PGlite has no file lock: two processes on one data dir would both write and corrupt it.
 * A pid file refuses the second process; a stale one (dead pid) is taken over.
 */
function takeDirLock(dir: string): () => void {
  const file = join(dir, "hostops.pid");
  try {
    const pid = Number(readFileSync(file, "utf8"));
    if (pid && pid !== process.pid && isAlive(pid))
      throw new Error(
        `The embedded database in ${dir} is in use by process ${pid}. Run one hostops process per data dir, or set DATABASE_URL to share Postgres between replicas.`,
      );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
