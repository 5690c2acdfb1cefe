import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { type FakeDiscord, startFakeDiscord } from "../fakes/discord.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.ts";
import { BOT_TOKEN, SIGNING_SECRET } from "../helpers/config.ts";

/** One process serves Slack, Discord or both, depending on what is configured. */
describe("hostops with Slack and Discord configured together", () => {
  let discord: FakeDiscord;
  let slack: FakeSlack;
  let app: Hostops;

  beforeAll(async () => {
    discord = await startFakeDiscord();
    slack = await startFakeSlack();
    app = await startHostops({
      config: loadConfig({
        PORT: "0",
        HOSTOPS_SECRET_KEY: Buffer.alloc(32, 3).toString("base64"),
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        DISCORD_TOKEN: "discord-bot-token-for-tests-0123456789",
        DISCORD_APPLICATION_ID: discord.appId,
        DISCORD_GUILD_ID: discord.guildId,
        DISCORD_API_URL: discord.restBase,
      }),
      overrides: { memoryDb: true, noTimers: true },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await discord?.close();
    await slack?.close();
  });

  it("is ready on both platforms and reports it on /readyz", async () => {
    const res = await fetch(`http://127.0.0.1:${app.port}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "ready",
      database: true,
      platforms: { slack: true, discord: true },
    });
    expect([...app.core.messengers.keys()].sort()).toEqual(["discord", "slack"]);
  });

  it("answers a Discord slash command from the same core", async () => {
    const i = discord.slash(["help"]);
    const call = await discord.waitForCall(
      (c) => c.path.includes(i.token) && (c.method === "PATCH" || c.path.endsWith("/callback")),
    );
    expect(JSON.stringify(call.json ?? call)).toContain("hostops");
  });
});
