import postgres from "postgres";

/** The real Postgres the integration tests use (CI starts it; see .ci/run). */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Creates an empty database for one test file and returns its URL; `drop` removes it. */
export async function freshPostgres(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const db = `hostops_${name.replace(/\W/g, "_")}_${process.pid}_${Date.now().toString(36)}`.toLowerCase();
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${db}"`);
    await admin.unsafe(`create database "${db}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${db}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists "${db}" with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
