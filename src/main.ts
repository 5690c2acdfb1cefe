import { startHostops } from "./app.ts";
import { ConfigError, describeChatSetup, discordConfigured, loadConfig, slackConfigured } from "./config.ts";
import { createLogger } from "./observability/logger.ts";

/** `npm start`: configuration -> database -> chat adapters. Exits non-zero with a clear message when misconfigured. */
async function main(): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const log = createLogger({ level: config.LOG_LEVEL, pretty: process.stdout.isTTY });
  if (!slackConfigured(config) && !discordConfigured(config)) {
    process.stderr.write(`${describeChatSetup()}\n`);
    return 2;
  }
  const app = await startHostops({ config, log });
  const shutdown = async (signal: string) => {
    log.info({ signal }, "shutting down");
    await app.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`hostops could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
