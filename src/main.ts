import { start } from "./start.ts";

/**
 * `npm start`: configuration -> database -> chat adapters (or the terminal console when no chat
 * platform is configured). Exits non-zero with a clear message when misconfigured.
 */
start({ argv: process.argv.slice(2) }).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`hostops could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
