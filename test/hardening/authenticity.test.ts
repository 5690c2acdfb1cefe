import { createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import {
  buttonClick,
  type FakeSlack,
  signedPost,
  slashCommand,
  startFakeSlack,
  viewSubmission,
} from "../fakes/slack.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";

describe("Slack request authenticity", () => {
  let slack: FakeSlack;
  let app: Hostops;
  let events: string;
  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.admins.add("UADMIN");
    app = await startHostops({
      config: testConfig({ SLACK_API_URL: slack.apiUrl }),
      overrides: { memoryDb: true, noTimers: true, slackProcessBeforeResponse: true },
    });
    events = `http://127.0.0.1:${app.port}/slack/events`;
  });
  afterAll(async () => {
    await app?.stop();
    await slack?.close();
  });

  const count = async () => {
    const rows = await app.db.rows<{ a: number; b: number; g: number }>(
      sql`select (select count(*) from audit_log)::int as a, (select count(*) from channel_bindings)::int as b, (select count(*) from role_grants)::int as g`,
    );
    return rows[0];
  };

  const sign = (ts: string, body: string, secret = SIGNING_SECRET) =>
    `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;

  it.each([
    [
      "no signature headers",
      (body: string) =>
        fetch(events, {
          method: "POST",
          body,
          headers: { "content-type": "application/x-www-form-urlencoded" },
        }),
    ],
    [
      "a timestamp but no signature",
      (body: string) =>
        fetch(events, {
          method: "POST",
          body,
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": String(Math.floor(Date.now() / 1000)),
          },
        }),
    ],
    ["a wrong secret", (body: string) => signedPost(events, body, { secret: "someone-elses-secret" })],
    [
      "a replay older than 5 minutes",
      (body: string) =>
        signedPost(events, body, { secret: SIGNING_SECRET, timestamp: Math.floor(Date.now() / 1000) - 301 }),
    ],
    [
      "a body changed after signing",
      (body: string) => {
        const ts = String(Math.floor(Date.now() / 1000));
        return fetch(events, {
          method: "POST",
          body: `${body}&text=grant+%3C%40UEVIL%3E+admin`,
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": ts,
            "x-slack-signature": sign(ts, body),
          },
        });
      },
    ],
  ])("refuses %s and runs nothing", async (_name, send) => {
    const before = await count();
    const calls = slack.calls.filter((c) => c.method !== "auth.test").length;
    for (const body of [
      slashCommand("help", { user: "UADMIN", channel: "C1", responseUrl: slack.responseUrl() }),
      buttonClick("confirm:approve#0", "00000000-0000-0000-0000-000000000000", {
        user: "UADMIN",
        channel: "C1",
        responseUrl: slack.responseUrl(),
      }),
      viewSubmission(
        { callback_id: "accounts:add", private_metadata: "{}" },
        { label: "x" },
        { user: "UADMIN" },
      ),
    ]) {
      const res = await send(body);
      expect(res.status).toBe(401);
    }
    expect(await count()).toEqual(before);
    expect(slack.calls.filter((c) => c.method !== "auth.test").length).toBe(calls);
  });

  it("accepts the same request correctly signed (the refusals above are not an accident)", async () => {
    const res = await signedPost(
      events,
      slashCommand("help", { user: "UADMIN", channel: "C1", responseUrl: slack.responseUrl("ok") }),
      {
        secret: SIGNING_SECRET,
      },
    );
    expect(res.status).toBe(200);
    await slack.waitFor((c) => c.method === "response:ok");
  });
});
