import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { createDriver } from "../../src/providers/registry.ts";
import { PROVIDER_NAMES, type ProviderKind } from "../../src/providers/types.ts";
import { startHost4coinsFake } from "../fakes/providers/host4coins.ts";
import { startHostBillFake } from "../fakes/providers/hostbill.ts";
import { startHostkeyFake } from "../fakes/providers/hostkey.ts";
import { startTheHostFake } from "../fakes/providers/thehost.ts";
import type { ProviderFake } from "../fakes/providers/types.ts";
import { type FakeSlack, signedPost, slashCommand, startFakeSlack } from "../fakes/slack.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";

const ADMIN = "UADMIN1";
const CHANNEL = "C0ALL";

/**
 * One account of every provider kind bound to one channel: the read commands cover all five
 * concurrently, show each provider's data, and say plainly what a provider's API cannot do.
 */
describe("every provider kind from one Slack channel", () => {
  let slack: FakeSlack;
  let app: Hostops;
  let events: string;
  const fakes = new Map<ProviderKind, ProviderFake>();

  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.admins.add(ADMIN);
    fakes.set("host4coins", await startHost4coinsFake());
    fakes.set("hostens", await startHostBillFake({ kind: "hostens" }));
    fakes.set("time4vps", await startHostBillFake({ kind: "time4vps" }));
    fakes.set("hostkey", await startHostkeyFake());
    fakes.set("thehost", await startTheHostFake());
    app = await startHostops({
      config: testConfig({ SLACK_API_URL: slack.apiUrl }),
      overrides: { memoryDb: true, providerRetries: 0, slackProcessBeforeResponse: true, noTimers: true },
    });
    events = `http://127.0.0.1:${app.port}/slack/events`;
    for (const [kind, fake] of fakes) {
      const account = await app.core.accounts.add({
        platform: "slack",
        workspaceId: "T1",
        label: `${kind}-main`,
        kind,
        baseUrl: fake.baseUrl,
        credentials: fake.credentials,
        createdBy: ADMIN,
      });
      await app.core.accounts.bind(account, CHANNEL, ADMIN);
    }
  });
  afterAll(async () => {
    await app?.stop();
    for (const f of fakes.values()) await f.close();
    await slack?.close();
  });

  const command = async (text: string) => {
    const responseUrl = slack.responseUrl();
    await signedPost(events, slashCommand(text, { user: ADMIN, channel: CHANNEL, responseUrl }), {
      secret: SIGNING_SECRET,
    });
    const call = await slack.waitFor((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
    return JSON.stringify(call.body);
  };

  /** What each fake's own driver returns, to compare with the chat output. */
  const direct = (kind: ProviderKind) => {
    const fake = fakes.get(kind)!;
    return createDriver(kind, { credentials: fake.credentials, baseUrl: fake.baseUrl, retries: 0 });
  };

  it("services: every account with services is listed; TheHost says it cannot", async () => {
    const out = await command("services");
    for (const kind of ["host4coins", "hostens", "time4vps", "hostkey"] as const) {
      expect(out).toContain(`${kind}-main (${PROVIDER_NAMES[kind]})`);
      for (const s of await direct(kind).listServices!()) expect(out).toContain(s.id);
    }
    expect(out).toContain("TheHost cannot list services from the API");
  });

  it("balance: prepaid credit of each provider that has one", async () => {
    const out = await command("balance");
    for (const kind of ["host4coins", "hostens", "time4vps", "hostkey"] as const) {
      const b = await direct(kind).getBalance!();
      expect(out).toContain(`${b.amount} ${b.currency}`);
    }
    expect(out).toContain("TheHost cannot show the balance from the API");
  });

  it("invoices: unpaid ones are flagged for each provider that lists invoices", async () => {
    const out = await command("invoices --unpaid");
    for (const kind of ["host4coins", "hostens", "time4vps", "hostkey"] as const) {
      const open = (await direct(kind).listInvoices!()).filter(
        (i) => i.status === "unpaid" || i.status === "overdue",
      );
      for (const i of open) expect(out).toContain(i.id);
    }
    expect(out).toMatch(/UNPAID/);
  });

  it("domains: Host4Coins, Hostens and TheHost list theirs; the others say they cannot", async () => {
    const out = await command("domains");
    for (const kind of ["host4coins", "hostens", "thehost"] as const)
      for (const d of await direct(kind).listDomains!()) expect(out).toContain(d.name);
    expect(out).toContain("Time4VPS cannot list domains");
    expect(out).toContain("HOSTKEY cannot list domains");
  });

  it("one failing provider does not hide the others", async () => {
    fakes.get("hostkey")!.fault({ kind: "status", status: 503 });
    try {
      const out = await command("services");
      expect(out).toContain("HOSTKEY had an internal error");
      for (const s of await direct("hostens").listServices!()) expect(out).toContain(s.id);
    } finally {
      fakes.get("hostkey")!.clearFaults();
    }
  });

  it("a request for an action the provider lacks names the provider", async () => {
    const [service] = await direct("time4vps").listServices!();
    const out = await command(`renew ${service!.id} time4vps-main`);
    expect(out).toContain("Time4VPS cannot renew services from the API");
  });
});
