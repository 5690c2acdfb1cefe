import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, FILE_SECRETS, loadConfig } from "./config.ts";

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
    [
      { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET_FILE: "/nonexistent/hostops-secret" },
      "SLACK_SIGNING_SECRET_FILE cannot be read",
    ],
  ])("says one thing per variable: %j", (env, only) => {
    const err = (() => {
      try {
        loadConfig(env);
      } catch (e) {
        return e;
      }
      return undefined;
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
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).not.toContain("secret-123");
  });
});

describe("secrets from files (*_FILE, for Docker and Kubernetes secrets)", () => {
  const dir = mkdtempSync(join(tmpdir(), "hostops-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const KEY = Buffer.alloc(32, 9).toString("base64");
  const values: Record<(typeof FILE_SECRETS)[number], string> = {
    SLACK_BOT_TOKEN: "xoxb-from-a-file-1234",
    SLACK_SIGNING_SECRET: "signing-secret-from-file",
    SLACK_APP_TOKEN: "xapp-from-a-file-5678",
    SLACK_CLIENT_SECRET: "client-secret-from-a-file",
    SLACK_STATE_SECRET: "state-secret-from-a-file-0123456789",
    DISCORD_TOKEN: "discord-token-from-a-file",
    HOSTOPS_SECRET_KEY: KEY,
    DATABASE_URL: "postgres://hostops:pw@db:5432/hostops",
  };
  /** What each variable needs beside it to make a valid configuration. */
  const companions: Partial<Record<(typeof FILE_SECRETS)[number], Record<string, string>>> = {
    SLACK_BOT_TOKEN: { SLACK_SIGNING_SECRET: "signing-secret-plain" },
    SLACK_APP_TOKEN: { SLACK_BOT_TOKEN: "xoxb-plain-1234" },
    SLACK_CLIENT_SECRET: {
      SLACK_CLIENT_ID: "1234.5678",
      SLACK_STATE_SECRET: "state-secret-plain-0123456789",
      SLACK_SIGNING_SECRET: "signing-secret-plain",
    },
    SLACK_STATE_SECRET: {
      SLACK_CLIENT_ID: "1234.5678",
      SLACK_CLIENT_SECRET: "client-secret-plain",
      SLACK_SIGNING_SECRET: "signing-secret-plain",
    },
    DISCORD_TOKEN: { DISCORD_APPLICATION_ID: "123456789012" },
    DATABASE_URL: { HOSTOPS_SECRET_KEY: KEY },
  };

  it.each([...FILE_SECRETS])("%s can be read from NAME_FILE (the final newline dropped)", (name) => {
    const c = loadConfig({ ...companions[name], [`${name}_FILE`]: file(name, `${values[name]}\n`) });
    expect(c[name]).toBe(values[name]);
  });

  it("validates a value read from a file like the variable itself", () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN_FILE: file("bad-token", "abc\n") })).toThrowError(
      /SLACK_BOT_TOKEN must be a bot token/,
    );
  });

  it("refuses both forms of one variable, and a file it cannot read, without showing any secret", () => {
    const both = () =>
      loadConfig({ HOSTOPS_SECRET_KEY: KEY, HOSTOPS_SECRET_KEY_FILE: file("key", `${KEY}\n`) });
    expect(both).toThrowError(ConfigError);
    expect(both).toThrowError(/HOSTOPS_SECRET_KEY and HOSTOPS_SECRET_KEY_FILE are both set/);
    const missing = join(dir, "nope");
    let err: unknown;
    try {
      loadConfig({ DATABASE_URL_FILE: missing, HOSTOPS_SECRET_KEY: KEY });
    } catch (e) {
      err = e;
    }
    expect(String(err)).toContain(`DATABASE_URL_FILE cannot be read: ${missing} (ENOENT)`);
    expect(String(err)).not.toContain(KEY);
  });
});
