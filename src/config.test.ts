import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("config", () => {
  it("applies defaults to an empty environment", () => {
    const c = loadConfig({});
    expect(c.HOSTOPS_DATA_DIR).toBe("./data");
    expect(c.PORT).toBe(3000);
    expect(c.HOSTOPS_ALERT_CRON).toBe("0 * * * *");
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: "http" }, /PORT .*HTTP port/],
    [{ SLACK_BOT_TOKEN: "abc" }, /SLACK_BOT_TOKEN must be a bot token/],
    [{ SLACK_BOT_TOKEN: "xoxb-1" }, /SLACK_SIGNING_SECRET is required/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL must start with postgres/],
    [{ DATABASE_URL: "postgres://x/y" }, /HOSTOPS_SECRET_KEY is required with DATABASE_URL/],
    [{ HOSTOPS_SECRET_KEY: "short" }, /HOSTOPS_SECRET_KEY must be 32 bytes/],
    [{ HOSTOPS_ALERT_CRON: "every hour" }, /HOSTOPS_ALERT_CRON is not a valid cron/],
    [{ HOSTOPS_TZ: "Mars/Olympus" }, /HOSTOPS_TZ is not a known time zone/],
    [{ DISCORD_TOKEN: "x".repeat(30) }, /DISCORD_APPLICATION_ID is required/],
  ])("refuses %j naming the variable and its purpose", (env, message) => {
    expect(() => loadConfig(env)).toThrowError(ConfigError);
    expect(() => loadConfig(env)).toThrowError(message);
  });

  it.each([
    [{ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "abc" }, "SLACK_SIGNING_SECRET is too short"],
    [{ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "nope" }, "SLACK_APP_TOKEN must be an app-level token"],
    [{ DISCORD_TOKEN: "x".repeat(30), DISCORD_APPLICATION_ID: "abc" }, "DISCORD_APPLICATION_ID must be"],
    [{ DATABASE_URL: "postgres://x/y", HOSTOPS_SECRET_KEY: "short" }, "HOSTOPS_SECRET_KEY must be"],
  ])("says one thing per variable: %j", (env, only) => {
    const err = (() => {
      try {
        loadConfig(env);
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toContain(only);
  });

  it("never echoes a secret value in its messages", () => {
    const err = (() => {
      try {
        loadConfig({ SLACK_BOT_TOKEN: "not-a-token-but-secret-123" });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).not.toContain("secret-123");
  });
});
