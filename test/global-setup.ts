import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Runs once before the suite. Brings dist/ up to date when the sources are newer (tests run the
 * built entry points as `npm start` and the `hostops` bin do) and makes the embedded database's
 * template, which every PGlite in the suite is cloned from instead of running initdb.
 */
export default function setup(): void {
  process.env.HOSTOPS_TEST = "1";
  // The provider fakes listen on loopback, which the private-address guard refuses by default.
  // Tests of the guard turn it back on themselves (setOutboundPolicy).
  process.env.HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS = "1";
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL("../scripts/build.mjs", import.meta.url)), "--if-stale"],
    {
      stdio: "inherit",
    },
  );
}
