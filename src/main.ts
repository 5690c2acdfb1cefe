import { installProcessLifecycle } from "./lifecycle/process.ts";

// First: SIGTERM/SIGINT and uncaught errors are handled from here on, also while the rest loads,
// the database connects and the migrations run.
const lifecycle = installProcessLifecycle({ crashHandlers: true });

/**
 * `npm start`: configuration -> database -> chat adapters (or the terminal console when no chat
 * platform is configured). Exits non-zero with a clear message when misconfigured.
 */
const { start } = await import("./start.ts");
start({ argv: process.argv.slice(2), lifecycle }).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`hostops could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
