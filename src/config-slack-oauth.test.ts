import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, slackConfigured, slackOAuthConfigured } from "./config.ts";

const OAUTH = {
  SLACK_CLIENT_ID: "1234567890.1234567890",
  SLACK_CLIENT_SECRET: "client-secret-abcdef",
  SLACK_STATE_SECRET: "state-secret-0123456789abcdef",
  SLACK_SIGNING_SECRET: "signing-secret-123",
};

describe("config: Slack distribution (OAuth)", () => {
  it("turns on with the client id, client secret, state secret and signing secret", () => {
    const c = loadConfig(OAUTH);
    expect(slackOAuthConfigured(c)).toBe(true);
    expect(slackConfigured(c)).toBe(true);
  });

  it("one workspace with a bot token is not distribution mode", () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "signing-secret-123" });
    expect(slackOAuthConfigured(c)).toBe(false);
    expect(slackConfigured(c)).toBe(true);
  });

  it.each([
    [
      { ...OAUTH, SLACK_STATE_SECRET: undefined },
      /SLACK_STATE_SECRET is required to install hostops through OAuth/,
    ],
    [{ ...OAUTH, SLACK_CLIENT_SECRET: undefined }, /SLACK_CLIENT_SECRET is required/],
    [
      { ...OAUTH, SLACK_SIGNING_SECRET: undefined },
      /SLACK_SIGNING_SECRET is required with the OAuth install flow/,
    ],
    [{ ...OAUTH, SLACK_BOT_TOKEN: "xoxb-1" }, /two ways to run on Slack/],
    [
      { ...OAUTH, SLACK_APP_TOKEN: "xapp-1" },
      /SLACK_APP_TOKEN \(Socket Mode\) cannot be used with the OAuth install flow/,
    ],
    [{ ...OAUTH, SLACK_STATE_SECRET: "short" }, /SLACK_STATE_SECRET must be at least 16 characters/],
    [{ ...OAUTH, SLACK_CLIENT_ID: "abc" }, /SLACK_CLIENT_ID must look like/],
  ])("refuses %j naming what is wrong", (env, message) => {
    expect(() => loadConfig(env)).toThrowError(ConfigError);
    expect(() => loadConfig(env)).toThrowError(message);
  });

  it("never echoes the client or state secret", () => {
    let err: unknown;
    try {
      loadConfig({ ...OAUTH, SLACK_BOT_TOKEN: "xoxb-1", SLACK_STATE_SECRET: "short-secret-x" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).not.toContain("client-secret-abcdef");
    expect(String(err)).not.toContain("short-secret-x");
  });
});
