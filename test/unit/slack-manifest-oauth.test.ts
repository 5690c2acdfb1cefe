import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SLACK_BOT_SCOPES } from "../../src/chat/slack/app.ts";

const manifest = readFileSync(new URL("../../slack/manifest.yml", import.meta.url), "utf8");

describe("Slack app manifest for distribution", () => {
  it("declares the OAuth redirect URL hostops serves", () => {
    expect(manifest).toMatch(/redirect_urls:\n\s+- https:\/\/YOUR-HOST\/slack\/oauth_redirect\n/);
  });

  it("subscribes to the uninstall and revocation events at /slack/events", () => {
    expect(manifest).toMatch(
      /event_subscriptions:\n\s+request_url: https:\/\/YOUR-HOST\/slack\/events\n\s+bot_events:\n/,
    );
    const events = manifest
      .slice(manifest.indexOf("bot_events:"))
      .split("\n")
      .slice(1)
      .map((l) => l.match(/^\s+- ([\w.]+)/)?.[1]);
    const listed = events.slice(0, events.indexOf(undefined));
    expect(listed).toEqual(expect.arrayContaining(["app_uninstalled", "tokens_revoked"]));
  });

  it("asks for the scopes the install flow requests", () => {
    const scopes = manifest
      .slice(manifest.indexOf("    bot:"))
      .split("\n")
      .slice(1)
      .map((l) => l.match(/^\s+- ([\w:.]+)/)?.[1])
      .filter(Boolean);
    expect(scopes.slice(0, SLACK_BOT_SCOPES.length)).toEqual(SLACK_BOT_SCOPES);
  });
});
