import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import type { Account } from "../../src/core/accounts.ts";
import type { Clock } from "../../src/core/context.ts";
import { runReports } from "../../src/core/reports.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { type FakeSlack, signedPost, slashCommand, startFakeSlack } from "../fakes/slack.ts";
import { addBoundAccount } from "../helpers/accounts.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { freshPostgres } from "../helpers/db.ts";

const ADMIN = "UADMIN1";
// Monday 2026-12-07 08:00 UTC.
const START = Date.parse("2026-12-07T08:00:00Z");

class TestClock implements Clock {
  constructor(public t: number) {}
  now() {
    return new Date(this.t);
  }
}

describe("scheduled reports with three replicas on Postgres", () => {
  let slack: FakeSlack;
  let provider: HostBillFake;
  let down: HostBillFake;
  const apps: Hostops[] = [];
  let prod: Account;
  let lab: Account;
  let drop: () => Promise<void>;
  const clock = new TestClock(START);

  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.admins.add(ADMIN);
    provider = await startHostBillFake({ kind: "hostens", now: clock.now() });
    down = await startHostBillFake({ kind: "time4vps", now: clock.now() });
    const pg = await freshPostgres("reports");
    drop = pg.drop;
    for (let i = 0; i < 3; i++)
      apps.push(
        await startHostops({
          config: testConfig({
            SLACK_API_URL: slack.apiUrl,
            DATABASE_URL: pg.url,
            HOSTOPS_PROVIDER_TIMEOUT_MS: "1500",
          }),
          clock,
          log: createLogger({ level: "silent" }),
          overrides: { providerRetries: 0, slackProcessBeforeResponse: true, noTimers: true },
        }),
      );
    const core = apps[0]?.core;
    if (!core) throw new Error("no replica");
    prod = await addBoundAccount(core, { label: "prod", fake: provider, channel: "C0PROD", by: ADMIN });
    lab = await addBoundAccount(core, { label: "lab", fake: down, channel: "C0LAB", by: ADMIN });
    // The second account's provider goes away after it was added: its channel cannot be checked.
    await down.close();
  });

  afterAll(async () => {
    for (const a of apps) await a.stop();
    await provider?.close();
    await slack?.close();
    await drop?.();
  });

  const command = async (text: string, channel: string) => {
    const responseUrl = slack.responseUrl();
    await signedPost(events(), slashCommand(text, { user: ADMIN, channel, responseUrl }), {
      secret: SIGNING_SECRET,
    });
    return slack.waitFor((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
  };
  const events = () => `http://127.0.0.1:${apps[0]?.port}/slack/events`;
  const uploads = (channel: string) =>
    slack.calls.filter((c) => c.method === "files.completeUploadExternal" && c.body.channel_id === channel);
  const posts = (channel: string) =>
    slack.calls.filter((c) => c.method === "chat.postMessage" && c.body.channel === channel);
  const runAll = () => Promise.all(apps.map((a) => runReports(a.core)));

  /**
   * A channel of the test's own with `account` bound and a weekly report on Monday 09:00, set on
   * Monday 2026-12-07 08:00 (each test starts its own timeline there; the replicas run every
   * channel's report, which concerns the other channels no more than it did before).
   */
  async function reportIn(channel: string, account: Account) {
    clock.t = START;
    await apps[0]?.core.accounts.bind(account, channel, ADMIN);
    return command("report weekly mon 09:00", channel);
  }

  it("an admin sets a weekly report; the command says when the next one comes", async () => {
    const set = await reportIn("C_SET", prod);
    expect(JSON.stringify(set.body)).toContain("every MON at 09:00 (UTC)");
    expect(JSON.stringify(set.body)).toContain("Next: 2026-12-07 09:00 UTC");
    const shown = await command("report show", "C_SET");
    expect(JSON.stringify(shown.body)).toContain("every MON at 09:00");
  });

  it("posts nothing before the time, then exactly once for the week across three replicas", async () => {
    const channel = "C_ONCE";
    await reportIn(channel, prod);
    await runAll();
    expect(uploads(channel)).toHaveLength(0);
    clock.t = Date.parse("2026-12-07T09:00:30Z");
    await runAll();
    await runAll();
    expect(uploads(channel)).toHaveLength(1);
    const report = uploads(channel)[0];
    const comment = String(report?.body.initial_comment);
    expect(comment).toContain("Weekly report: 2026-12-07");
    expect(comment).toContain("Renewals in the next 30 days");
    expect(comment).toContain("Unpaid invoices");
    // Later the same week: nothing more. The next week: the next report.
    clock.t = Date.parse("2026-12-10T12:00:00Z");
    await runAll();
    expect(uploads(channel)).toHaveLength(1);
    clock.t = Date.parse("2026-12-14T09:05:00Z");
    await runAll();
    expect(uploads(channel)).toHaveLength(2);
  });

  it("waits, with one notice per period, while an account cannot be checked", async () => {
    const channel = "C_WAIT";
    await reportIn(channel, lab);
    for (const t of ["2026-12-07T09:00:30Z", "2026-12-14T09:05:00Z", "2026-12-14T10:00:00Z"]) {
      clock.t = Date.parse(t);
      await runAll();
      await runAll();
    }
    expect(uploads(channel)).toHaveLength(0);
    const notices = posts(channel).filter((c) => JSON.stringify(c.body).includes("Weekly report is waiting"));
    // One for the week of 2026-12-07, one for the week of 2026-12-14, however many runs.
    expect(notices).toHaveLength(2);
    expect(JSON.stringify(notices[0]?.body)).toContain("lab");
  });

  it("report off stops it; the report's claims never show as alerts", async () => {
    const channel = "C_OFF";
    await reportIn(channel, prod);
    clock.t = Date.parse("2026-12-07T09:00:30Z");
    await runAll();
    expect(uploads(channel)).toHaveLength(1);
    const alerts = await command("alerts", channel);
    expect(JSON.stringify(alerts.body)).not.toContain("report:");
    await command("report off", channel);
    clock.t = Date.parse("2026-12-14T09:05:00Z");
    await runAll();
    expect(uploads(channel)).toHaveLength(1);
  });
});
