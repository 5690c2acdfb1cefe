import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { providers } from "../../src/providers/registry.ts";
import type { ProviderKind } from "../../src/providers/types.ts";
import { startHost4coinsFake } from "../fakes/providers/host4coins.ts";
import { startHostBillFake } from "../fakes/providers/hostbill.ts";
import { HOSTKEY_FAKE_PIN, startHostkeyFake } from "../fakes/providers/hostkey.ts";
import { startTheHostFake } from "../fakes/providers/thehost.ts";
import type { ProviderFake } from "../fakes/providers/types.ts";
import {
  buttonClick,
  type FakeSlack,
  signedPost,
  slashCommand,
  startFakeSlack,
  viewSubmission,
} from "../fakes/slack.ts";
import { BOT_TOKEN, SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { freshPostgres } from "../helpers/db.ts";

const ADMIN = "UADMIN1";
const ADMIN2 = "UADMIN2";
const CHANNEL = "C0SEC";

/**
 * A full flow with known secret values: accounts of all five providers added through the Slack
 * form, read commands, a failed login, provider errors, and an approved HOSTKEY action with its
 * PIN. Then every log line, every message sent to Slack, and every table outside the encrypted
 * column are searched for the secrets.
 */
describe("secrets never leak", () => {
  let slack: FakeSlack;
  let app: Hostops;
  let drop: () => Promise<void>;
  const logs: string[] = [];
  const fakes = new Map<ProviderKind, ProviderFake>();

  beforeAll(async () => {
    const pg = await freshPostgres("secrets");
    drop = pg.drop;
    slack = await startFakeSlack();
    slack.admins.add(ADMIN).add(ADMIN2);
    fakes.set("host4coins", await startHost4coinsFake());
    fakes.set("hostens", await startHostBillFake({ kind: "hostens" }));
    fakes.set("time4vps", await startHostBillFake({ kind: "time4vps" }));
    fakes.set("hostkey", await startHostkeyFake());
    fakes.set("thehost", await startTheHostFake());
    app = await startHostops({
      config: testConfig({ DATABASE_URL: pg.url, SLACK_API_URL: slack.apiUrl, LOG_LEVEL: "trace" }),
      log: createLogger({ level: "trace", sink: { write: (l) => logs.push(l) } }),
      overrides: { providerRetries: 0, slackProcessBeforeResponse: true, noTimers: true, taskPollMs: 1 },
    });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    for (const f of fakes.values()) await f.close();
    await slack?.close();
    await drop?.();
  });

  it("in logs, replies, errors, the audit log and the database", async () => {
    const events = `http://127.0.0.1:${app.port}/slack/events`;
    const post = (body: string) => signedPost(events, body, { secret: SIGNING_SECRET });
    const command = async (text: string, user = ADMIN) => {
      const responseUrl = slack.responseUrl();
      await post(slashCommand(text, { user, channel: CHANNEL, responseUrl }));
      return slack.waitFor((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
    };

    for (const [kind, fake] of fakes) {
      const fields = Object.fromEntries(
        providers[kind].credentialFields.map((f) => [`cred_${f.key}`, fake.credentials[f.key]!]),
      );
      // A wrong attempt first (the fake's rejected credentials), then the right one.
      const wrong = Object.fromEntries(
        providers[kind].credentialFields.map((f) => [`cred_${f.key}`, fake.wrongCredentials[f.key]!]),
      );
      const meta = JSON.stringify({ c: CHANNEL, s: JSON.stringify({ kind }), x: [] });
      await post(
        viewSubmission(
          { callback_id: "accounts:add", private_metadata: meta },
          { label: `${kind}-x`, ...wrong, base_url: fake.baseUrl },
          { user: ADMIN },
        ),
      );
      const ok = await post(
        viewSubmission(
          { callback_id: "accounts:add", private_metadata: meta },
          { label: kind, ...fields, base_url: fake.baseUrl },
          { user: ADMIN },
        ),
      );
      expect(JSON.stringify(await ok.json())).toContain("Added");
      await command(`bind ${kind}`);
    }
    for (const c of ["services", "balance", "invoices", "domains", "invoices --unpaid"]) await command(c);
    fakes.get("hostens")!.fault({ kind: "status", status: 500, json: { error: ["internal"] } }, { times: 2 });
    await command("services");

    const [server] = await app.core.accounts.driverFor(
      (await app.core.accounts.findByLabel("slack", "T1", "hostkey"))!,
    ).listServices!();
    await command(`reboot ${server!.id} hostkey`);
    const card = [...slack.calls].reverse().find((c) => c.method === "chat.postMessage")!;
    const requestId = JSON.stringify(card.body).match(/"value":"([0-9a-f-]{36})"/)![1]!;
    // HOSTKEY's PIN is optional: the first approval goes without it and HOSTKEY (which has one
    // here) refuses; the same request then asks for the PIN in a form.
    const firstUrl = slack.responseUrl();
    await post(
      buttonClick("confirm:approve#0", requestId, { user: ADMIN2, channel: CHANNEL, responseUrl: firstUrl }),
    );
    await slack.waitFor((c) => c.method === `response:${firstUrl.split("/response/")[1]}`);
    const before = slack.calls.length;
    await post(
      buttonClick("confirm:approve#0", requestId, {
        user: ADMIN2,
        channel: CHANNEL,
        responseUrl: slack.responseUrl(),
      }),
    );
    const open = await slack.waitFor((c) => c.method === "views.open" && slack.calls.indexOf(c) >= before);
    const view = open.body.view as { callback_id: string; private_metadata: string };
    await post(viewSubmission(view, { pin: HOSTKEY_FAKE_PIN }, { user: ADMIN2 }));
    await app.core.background.idle();
    await command("audit 50");

    // The 4-digit PIN is checked below as a field value (as a bare substring it could match a timestamp).
    const secrets = [BOT_TOKEN, SIGNING_SECRET];
    for (const f of fakes.values())
      for (const v of [...Object.values(f.credentials), ...Object.values(f.wrongCredentials)])
        if (v.length >= 6) secrets.push(v);

    // What hostops says to Slack (the bot token legitimately authenticates auth.test, so that field is left out).
    const outbound = JSON.stringify(
      slack.calls.map((c) => ({ method: c.method, body: { ...c.body, token: undefined } })),
    );
    const tables = [
      "provider_accounts",
      "channel_bindings",
      "role_grants",
      "confirmation_requests",
      "alert_deliveries",
      "audit_log",
      "cron_runs",
    ];
    let database = "";
    for (const t of tables) {
      const rows = await app.db.rows<Record<string, unknown>>(sql.raw(`select * from ${t}`));
      database += JSON.stringify(rows.map((r) => ({ ...r, credentials_enc: undefined })));
    }
    const logText = logs.join("\n");
    expect(logs.length).toBeGreaterThan(20);
    for (const s of secrets) {
      expect(logText, "log output").not.toContain(s);
      expect(outbound, "messages sent to Slack").not.toContain(s);
      expect(database, "database outside the encrypted column").not.toContain(s);
    }
    // The PIN must not appear as a whole field value anywhere (it is short, so also check quoted forms).
    expect(logText + outbound + database).not.toMatch(
      new RegExp(`"${HOSTKEY_FAKE_PIN}"|=${HOSTKEY_FAKE_PIN}(&|\\s|$)`),
    );
  }, 120_000);
});
