import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { type DiscordHandle, startDiscord } from "../../src/chat/discord/index.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { type FakeDiscord, startFakeDiscord } from "../fakes/discord.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { type FakeSlack, signedPost, slashCommand, startFakeSlack } from "../fakes/slack.ts";
import { addBoundAccount } from "../helpers/accounts.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";

const ADMIN = "UADMIN1";
const CHANNEL = "C0FORE";

describe("/hosting forecast on Slack (real Bolt app, fake Web API, PGlite)", () => {
  let slack: FakeSlack;
  let provider: HostBillFake;
  let app: Hostops;
  let events: string;

  beforeAll(async () => {
    slack = await startFakeSlack();
    provider = await startHostBillFake({ kind: "hostens" });
    app = await startHostops({
      config: testConfig({ SLACK_API_URL: slack.apiUrl }),
      log: createLogger({ level: "silent" }),
      overrides: { memoryDb: true, providerRetries: 0, slackProcessBeforeResponse: true },
    });
    events = `http://127.0.0.1:${app.port}/slack/events`;
    await addBoundAccount(app.core, { label: "prod", fake: provider, channel: CHANNEL, by: ADMIN });
  });

  afterAll(async () => {
    await app?.stop();
    await provider?.close();
    await slack?.close();
  });

  it("uploads the chart into the channel with files upload v2, the summary as its comment", async () => {
    const before = slack.calls.length;
    const res = await signedPost(
      events,
      slashCommand("forecast", { user: ADMIN, channel: CHANNEL, responseUrl: slack.responseUrl() }),
      { secret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    const complete = await slack.waitFor(
      (c) => c.method === "files.completeUploadExternal" && slack.calls.indexOf(c) >= before,
      15_000,
    );
    const getUrl = slack.calls.find((c, i) => i >= before && c.method === "files.getUploadURLExternal");
    expect(getUrl?.body.filename).toMatch(/^hostops-forecast-\d{4}-\d{2}-\d{2}\.png$/);
    const fileId = (complete.body.files as { id: string }[])[0]?.id ?? "";
    const upload = slack.calls.find((c) => c.method === `upload:${fileId}`);
    expect(upload?.body.png).toBe(true);
    const png = slack.uploads.get(fileId);
    // A PNG 1200 pixels wide (IHDR).
    expect(png?.readUInt32BE(16)).toBe(1200);
    expect(complete.body.channel_id).toBe(CHANNEL);
    expect(String(complete.body.initial_comment)).toMatch(
      /prod \([A-Z]{3}\): [\d.]+ today; (runs out on|covers every renewal)/,
    );
    expect(String(complete.body.initial_comment)).toContain("renewals due by");
  });
});

describe("/hosting forecast on Discord (real discord.js client, fake REST and gateway)", () => {
  let fake: FakeDiscord;
  let provider: HostBillFake;
  let app: Hostops;
  let discord: DiscordHandle;

  beforeAll(async () => {
    fake = await startFakeDiscord();
    provider = await startHostBillFake({ kind: "time4vps" });
    app = await startHostops({
      config: loadConfig({
        PORT: "0",
        LOG_LEVEL: "silent",
        HOSTOPS_SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
      }),
      log: createLogger({ level: "silent" }),
      overrides: { memoryDb: true, providerRetries: 0 },
    });
    discord = await startDiscord({
      core: app.core,
      dispatcher: app.dispatcher,
      config: {
        DISCORD_TOKEN: "fake-discord-bot-token-5c1e",
        DISCORD_APPLICATION_ID: fake.appId,
        DISCORD_GUILD_ID: fake.guildId,
        DISCORD_API_URL: fake.restBase,
      },
      log: app.core.log,
    });
    await addBoundAccount(app.core, {
      platform: "discord",
      workspaceId: fake.guildId,
      label: "prod",
      fake: provider,
      channel: fake.channelId,
      by: "admin",
    });
  });

  afterAll(async () => {
    await discord?.stop();
    await app?.stop();
    await provider?.close();
    await fake?.close();
  });

  it("attaches the chart to the answer and shows it in the embed, with the summary as text", async () => {
    const i = fake.slash(["forecast"]);
    const answer = await fake.waitForCall(
      (c) =>
        c.files.length > 0 &&
        (c.path === `/webhooks/${fake.appId}/${i.token}/messages/@original` ||
          c.path === `/interactions/${i.id}/${i.token}/callback`),
      { timeoutMs: 15_000 },
    );
    const file = answer.files[0];
    expect(file?.name).toMatch(/^hostops-forecast-\d{4}-\d{2}-\d{2}\.png$/);
    expect(file?.bytes.subarray(1, 4).toString()).toBe("PNG");
    expect(file?.bytes.readUInt32BE(16)).toBe(1200);
    const body = JSON.stringify(answer.json);
    expect(body).toContain(`attachment://${file?.name}`);
    expect(body).toMatch(/prod \(EUR\): [\d.]+ today/);
  });
});
