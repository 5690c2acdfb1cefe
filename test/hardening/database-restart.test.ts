import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import type { Account } from "../../src/core/accounts.ts";
import { runAlertScan } from "../../src/core/alerts/scan.ts";
import type { Outcome } from "../../src/core/reply.ts";
import { alertDeliveries, confirmationRequests } from "../../src/db/schema.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.ts";
import { testConfig } from "../helpers/config.ts";
import { type PrivatePostgres, startPrivatePostgres } from "../helpers/private-pg.ts";
import { actorFor } from "./helpers.ts";

const text = (o: Outcome) => (o.kind === "reply" ? o.reply.text : o.kind);

describe("Postgres restarted while the bot runs", () => {
  let pg: PrivatePostgres;
  let app: Hostops;
  let fake: HostBillFake;
  let slack: FakeSlack;
  let account: Account;
  const admin = actorFor("UADMIN", { userIsPlatformAdmin: true });

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    fake = await startHostBillFake({ kind: "hostens" });
    slack = await startFakeSlack();
    app = await startHostops({
      config: testConfig({ DATABASE_URL: pg.url, SLACK_API_URL: slack.apiUrl }),
      overrides: { providerRetries: 0, noTimers: true, taskPollMs: 1 },
    });
    account = await app.core.accounts.add({
      platform: "slack",
      workspaceId: "T1",
      label: "eu",
      kind: "hostens",
      baseUrl: fake.baseUrl,
      credentials: fake.credentials,
      createdBy: "UADMIN",
    });
    await app.core.accounts.bind(account, "C1", "UADMIN");
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
    await slack?.close();
    pg?.destroy();
  });

  it("fails commands in flight with a clear message, recovers by itself, loses and duplicates nothing", async () => {
    // Before: a pending request and a delivered alert.
    await app.dispatcher.command({ ...admin, path: ["grant"], args: { user: "UOPER", role: "operator" } });
    const requested = await app.dispatcher.command({
      ...actorFor("UOPER"),
      path: ["reboot"],
      args: { service: "302" },
    });
    expect(text(requested)).toContain("Request posted");
    const first = await runAlertScan(app.core, {});
    const deliveredBefore = await app.db.db.select().from(alertDeliveries);
    expect(deliveredBefore.length).toBeGreaterThan(0);
    expect(first.posted).toBeGreaterThan(0);

    pg.stop();
    const during = await app.dispatcher.command({ ...admin, path: ["services"], args: {} });
    expect(text(during)).toMatch(/cannot reach its database|nothing was changed/);

    pg.start();
    // postgres.js reconnects on the next query: no restart of hostops needed.
    let after: Outcome | undefined;
    for (let i = 0; i < 50; i++) {
      after = await app.dispatcher.command({ ...admin, path: ["services"], args: {} });
      if (!/database/.test(text(after))) break;
    }
    expect(text(after!)).toContain("302");

    const requests = await app.db.db.select().from(confirmationRequests);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.status).toBe("pending");
    const approve = await app.dispatcher.action(admin, "confirm:approve", requests[0]!.id);
    expect(text(approve)).toMatch(/^Approved/);
    const again = await app.dispatcher.action(admin, "confirm:approve", requests[0]!.id);
    expect(text(again)).toContain("Already approved");
    await app.core.background.idle();
    expect(fake.count((r) => r.path.endsWith("/reboot"))).toBe(1);

    const second = await runAlertScan(app.core, {});
    expect(second.posted).toBe(0);
    const deliveredAfter = await app.db.db.select().from(alertDeliveries);
    expect(deliveredAfter.map((d) => d.alertKey).sort()).toEqual(
      deliveredBefore.map((d) => d.alertKey).sort(),
    );
  }, 120_000);
});
