import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { type FakeDiscord, startFakeDiscord } from "../fakes/discord.ts";

/** Interactions from an unknown application or from a guild outside DISCORD_GUILD_ID are ignored. */
describe("Discord interaction authenticity", () => {
  let discord: FakeDiscord;
  let app: Hostops;

  beforeAll(async () => {
    discord = await startFakeDiscord();
    app = await startHostops({
      config: loadConfig({
        PORT: "0",
        HOSTOPS_SECRET_KEY: Buffer.alloc(32, 5).toString("base64"),
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
  });

  it.each([
    ["another application", { application_id: "999999999999999999" }],
    [
      "another guild",
      {
        guild_id: "888888888888888888",
        channel: { id: "1", type: 0, guild_id: "888888888888888888", name: "x" },
      },
    ],
  ])("ignores an interaction for %s: no answer, nothing run", async (_name, extra) => {
    const i = discord.slash(
      ["grant"],
      [
        { name: "user", type: 6, value: "123456789012345678" },
        { name: "role", type: 3, value: "admin" },
      ],
      { extra },
    );
    // A genuine interaction sent after it is answered; by then the foreign one would have been too.
    const ok = discord.slash(["help"]);
    await discord.waitForCall((c) => c.path.includes(ok.token));
    expect(discord.callsFor(i)).toEqual([]);
    const grants = await app.db.db.query.roleGrants.findMany();
    expect(grants).toEqual([]);
  });
});
