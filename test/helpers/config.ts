import { type Config, loadConfig } from "../../src/config.ts";

export const SIGNING_SECRET = "test-signing-secret-7f3a9c";
export const BOT_TOKEN = "xoxb-test-bot-token-91ab27";

/** A config for tests: Slack against a local fake, HTTP on a free port. */
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    PORT: "0",
    LOG_LEVEL: "silent",
    HOSTOPS_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
    // The provider fakes listen on loopback.
    HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS: "1",
    ...env,
  });
}
