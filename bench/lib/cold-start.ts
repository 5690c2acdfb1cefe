/**
 * What `npm start` (src/main.ts) does, serving on loopback only: configuration from the
 * environment, the JSON logger on stdout, startHostops. footprint.ts spawns it with `tsx`, cold,
 * and waits for the "hostops is ready" line. SIGTERM stops it.
 */
import { startHostops } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/observability/logger.ts";

const config = loadConfig();
const log = createLogger({ level: config.LOG_LEVEL });
const app = await startHostops({ config, log, overrides: { listenHost: "127.0.0.1" } });
process.once("SIGTERM", () => {
  void app.stop().finally(() => process.exit(0));
});
