import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./client.ts";
import { loadTemplate, migrationsHash, TEMPLATE_FILE, templateIsStale, writeTemplate } from "./template.ts";

const MIGRATIONS = new URL("../../migrations", import.meta.url).pathname;
const journal = JSON.parse(readFileSync(join(MIGRATIONS, "meta/_journal.json"), "utf8")) as {
  entries: { tag: string }[];
};

describe("the embedded database's template", () => {
  const dirs: string[] = [];
  const temp = () => {
    const d = mkdtempSync(join(tmpdir(), "hostops-template-"));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("is built from the current migrations (the test setup runs the build when they change)", () => {
    expect(existsSync(TEMPLATE_FILE)).toBe(true);
    expect(templateIsStale()).toBe(false);
    expect(loadTemplate()?.length).toBeGreaterThan(0);
  });

  it("a new data dir starts from it, fully migrated, and a restart keeps the data", async () => {
    const dir = temp();
    const first = await openDatabase({ dataDir: dir });
    try {
      const applied = await first.rows<{ n: number }>(
        sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
      );
      expect(applied[0]?.n).toBe(journal.entries.length);
      await first.rows(sql`create table restart_probe (x int)`);
      await first.rows(sql`insert into restart_probe values (42)`);
    } finally {
      await first.close();
    }
    expect(existsSync(join(dir, "pglite", "PG_VERSION"))).toBe(true);
    const again = await openDatabase({ dataDir: dir });
    try {
      expect(await again.rows(sql`select x from restart_probe`)).toEqual([{ x: 42 }]);
    } finally {
      await again.close();
    }
  });

  it("migrations newer than the template still apply on top of it", async () => {
    // A template made before any migration existed: an empty journal.
    const old = temp();
    mkdirSync(join(old, "migrations/meta"), { recursive: true });
    writeFileSync(
      join(old, "migrations/meta/_journal.json"),
      JSON.stringify({ version: "7", dialect: "postgresql", entries: [] }),
    );
    const file = join(old, "template.tar.gz");
    await writeTemplate(file, join(old, "migrations"));
    expect(migrationsHash(join(old, "migrations"))).not.toBe(migrationsHash());
    for (const dataDir of [join(old, "data"), "memory://"]) {
      const db = await openDatabase({ dataDir, templateFile: file });
      try {
        const applied = await db.rows<{ n: number }>(
          sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
        );
        expect(applied[0]?.n, dataDir).toBe(journal.entries.length);
        expect(await db.rows(sql`select count(*)::int as n from provider_accounts`)).toEqual([{ n: 0 }]);
      } finally {
        await db.close();
      }
    }
  });
});
