#!/usr/bin/env node
// `npx hostops …`: the admin CLI. There is no build step: tsx's ESM hooks load src/cli.ts.
import { register } from "tsx/esm/api";

register();
try {
  const { runCli } = await import("../src/cli.ts");
  process.exit(await runCli(process.argv.slice(2)));
} catch (err) {
  process.stderr.write(`hostops: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
