import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { type FakeSlack, signedPost, slashCommand, startFakeSlack } from "../fakes/slack.ts";
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
    const account = await app.core.accounts.add({
      platform: "slack",
      workspaceId: "T1",
      label: "prod",
      kind: "hostens",
      baseUrl: provider.baseUrl,
      credentials: provider.credentials,
      createdBy: ADMIN,
    });
    await app.core.accounts.bind(account, CHANNEL, ADMIN);
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
