import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { roleGrants } from "../../src/db/schema.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import {
  appHomeOpened,
  type FakeSlack,
  homeButtonClick,
  type SlackCall,
  signedPost,
  slashCommand,
  startFakeSlack,
} from "../fakes/slack.ts";
import { addBoundAccount } from "../helpers/accounts.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { freshPostgres } from "../helpers/db.ts";

const ADMIN = "UADMIN1";
const OPERATOR = "UOPER1";
const STRANGER = "USTRANGE";
const CHANNEL = "C0HOME";

interface HomeBlock {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { action_id?: string; value?: string; text?: { text: string } }[];
}
const homeBlocks = (c: SlackCall) => (c.body.view as { type: string; blocks: HomeBlock[] }).blocks;
const homeText = (c: SlackCall) => JSON.stringify(homeBlocks(c));

describe("Slack App Home on Postgres (real Bolt app, fake Web API)", () => {
  let slack: FakeSlack;
  let provider: HostBillFake;
  let app: Hostops;
  let events: string;
  let dropDb: () => Promise<void>;

  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.admins.add(ADMIN);
    provider = await startHostBillFake({ kind: "hostens" });
    const pg = await freshPostgres("app_home");
    dropDb = pg.drop;
    app = await startHostops({
      config: testConfig({ SLACK_API_URL: slack.apiUrl, DATABASE_URL: pg.url, HOSTOPS_DEFAULT_ROLE: "none" }),
      log: createLogger({ level: "silent" }),
      overrides: { providerRetries: 0, slackProcessBeforeResponse: true },
    });
    events = `http://127.0.0.1:${app.port}/slack/events`;
    await addBoundAccount(app.core, { label: "prod", fake: provider, channel: CHANNEL, by: ADMIN });
  });

  afterAll(async () => {
    await app?.stop();
    await provider?.close();
    await slack?.close();
    await dropDb?.();
  });

  const openHome = async (user: string) => {
    const before = slack.calls.length;
    const res = await signedPost(events, appHomeOpened({ user }), {
      secret: SIGNING_SECRET,
      contentType: "application/json",
    });
    expect(res.status).toBe(200);
    return slack.waitFor(
      (c) => c.method === "views.publish" && c.body.user_id === user && slack.calls.indexOf(c) >= before,
      15_000,
    );
  };

  it("publishes the overview: next expiries, alerting accounts, balances, requests waiting", async () => {
    const home = await openHome(ADMIN);
    expect((home.body.view as { type: string }).type).toBe("home");
    const text = homeText(home);
    for (const section of ["Next 10 expiries", "Alerting", "Balances", "Waiting for your approval"])
      expect(text).toContain(section);
    // The demo services expire within days; the balance is the fake's.
    expect(text).toContain(provider.state.services[0]?.domain ?? "");
    expect(text).toMatch(/prod\*\\n[\d.]+ [A-Z]{3}/);
    expect(text).toContain("Nothing is waiting for you.");
  });

  it("shows a member only the channels they may read", async () => {
    const home = await openHome(STRANGER);
    expect(homeText(home)).toContain("No account is bound to a channel you can read yet.");
  });

  it("approves a pending request from the Home tab through the same exactly-once path", async () => {
    await app.core.db.db.insert(roleGrants).values({
      platform: "slack",
      workspaceId: "T1",
      subject: OPERATOR,
      scope: "channel",
      channelId: CHANNEL,
      role: "operator",
      grantedBy: ADMIN,
    });
    const serviceId = "302"; // the Hostens fake's server (README: reboot 302 demo-hostens)
    const res = await signedPost(
      events,
      slashCommand(`reboot ${serviceId}`, {
        user: OPERATOR,
        channel: CHANNEL,
        responseUrl: slack.responseUrl(),
      }),
      { secret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    await slack.waitFor(
      (c) => c.method === "chat.postMessage" && JSON.stringify(c.body).includes("confirm:approve"),
    );

    const home = await openHome(ADMIN);
    const approve = homeBlocks(home)
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id?.startsWith("confirm:approve"));
    expect(approve?.value).toBeTruthy();
    const tasksBefore = provider.tasks.size;

    const before = slack.calls.length;
    await signedPost(events, homeButtonClick("confirm:approve#0", approve?.value ?? "", { user: ADMIN }), {
      secret: SIGNING_SECRET,
    });
    const after = await slack.waitFor(
      (c) => c.method === "views.publish" && slack.calls.indexOf(c) >= before,
      15_000,
    );
    expect(homeText(after)).toMatch(/Approved\. Reboot of server 302/);
    expect(homeText(after)).toContain("Nothing is waiting for you.");
    // The card in the channel was updated too.
    expect(slack.calls.some((c, i) => i >= before && c.method === "chat.update")).toBe(true);

    // A second click changes nothing at the provider.
    const again = slack.calls.length;
    await signedPost(events, homeButtonClick("confirm:approve#0", approve?.value ?? "", { user: ADMIN }), {
      secret: SIGNING_SECRET,
    });
    const second = await slack.waitFor(
      (c) => c.method === "views.publish" && slack.calls.indexOf(c) >= again,
      15_000,
    );
    expect(homeText(second)).toContain("Already approved");
    expect(provider.tasks.size).toBe(tasksBefore + 1);
  });
});
