#!/usr/bin/env node
// `npx hostops …`: the admin CLI, compiled to dist/ by `npm run build` (run by `npm install`).
let runCli;
try {
  ({ runCli } = await import("../dist/cli.js"));
} catch (err) {
  const missing = err instanceof Error && "code" in err && err.code === "ERR_MODULE_NOT_FOUND";
  process.stderr.write(
    missing && String(err.message).includes("dist/cli.js")
      ? "hostops: dist/ is missing: run `npm run build` first.\n"
      : `hostops: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
}
try {
  process.exit(await runCli(process.argv.slice(2)));
} catch (err) {
  process.stderr.write(`hostops: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
