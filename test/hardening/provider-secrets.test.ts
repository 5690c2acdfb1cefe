import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { host4coinsTaskRef } from "../../src/providers/host4coins/index.ts";
import { PROVIDER_KINDS, type ProviderKind } from "../../src/providers/types.ts";
import { type Host4CoinsFake, startHost4coinsFake } from "../fakes/providers/host4coins.ts";
import { type HostBillFake, reinstallResults, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { HOSTKEY_FAKE_PIN, type HostkeyFake, startHostkeyFake } from "../fakes/providers/hostkey.ts";
import { startTheHostFake, type TheHostFake } from "../fakes/providers/thehost.ts";
import type { ProviderFake } from "../fakes/providers/types.ts";
import {
  buttonClick,
  type FakeSlack,
  type SlackCall,
  signedPost,
  slashCommand,
  startFakeSlack,
  viewSubmission,
} from "../fakes/slack.ts";
import { BOT_TOKEN, SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { freshPostgres } from "../helpers/db.ts";

const ADMIN = "UADMIN1";
const ADMIN2 = "UADMIN2";
const CHANNEL = "C0PLANT";

/**
 * Passwords and tokens planted in every provider answer that can carry one. Each is distinct,
 * so a leak names its source. Long and alphanumeric, so no redaction can cut them in half.
 */
const PLANTED = {
  // HostBill: the new root password in task results, plain and in Time4VPS' HTML, in the
  // `last_tasks` of server details, the service password field, a label, and an error text.
  hostensReinstall: "PlantHostensReinstall7Q2",
  hostensReboot: "PlantHostensReboot8W3",
  hostensLastTask: "PlantHostensLastTask9E4",
  hostensServicePw: "PlantHostensServicePw1R5",
  hostensLabel: "PlantHostensLabel2T6",
  hostensError: "PlantHostensError3Y7",
  t4vReinstall: "PlantT4vReinstall4U8",
  t4vReboot: "PlantT4vReboot5I9",
  t4vLastTask: "PlantT4vLastTask6O1",
  t4vError: "PlantT4vError7P2",
  // HostBill (other host): the same places as Hostens', under the name the admin gave.
  hostbillReinstall: "PlantHostbillReinstall8Z3",
  hostbillReboot: "PlantHostbillReboot9X4",
  hostbillLastTask: "PlantHostbillLastTask1C5",
  // Host4Coins: a secret-named service field, a description, a task text in markup, an error.
  h4cRootPw: "PlantH4cRootPw8A3",
  h4cDescription: "PlantH4cDescription9S4",
  h4cTask: "PlantH4cTask1D5",
  h4cError: "PlantH4cError2F6",
  // TheHost: a secret-named domain field and an error text.
  thehostAuthcode: "PlantTheHostAuthcode3G7",
  thehostError: "PlantTheHostError4H8",
  // HOSTKEY: the root password tag of eq/show and an error text; its login tokens and the
  // generated reinstall password are collected from the fake after the flow.
  hostkeyShowPw: "PlantHostkeyShowPw5J9",
  hostkeyError: "PlantHostkeyError6K1",
  hostkeyCallback: "PlantHostkeyCallback7L2",
} as const;

/**
 * One flow through the Slack adapter with every kind bound, every read command, approved
 * reinstalls and reboots followed to their end, provider errors carrying secrets, and the audit
 * log. Then every chat message, every log line at trace level, every database row (audit,
 * confirmation params and results, alert payloads...) is searched for the planted values.
 */
describe("no password or token from a provider answer leaks (planted in every answer)", () => {
  let slack: FakeSlack;
  let app: Hostops;
  let drop: () => Promise<void>;
  const logs: string[] = [];
  const fakes = new Map<ProviderKind, ProviderFake>();
  const hostens = () => fakes.get("hostens") as HostBillFake;
  const time4vps = () => fakes.get("time4vps") as HostBillFake;
  const h4c = () => fakes.get("host4coins") as Host4CoinsFake;
  const hostkey = () => fakes.get("hostkey") as HostkeyFake;
  const thehost = () => fakes.get("thehost") as TheHostFake;

  beforeAll(async () => {
    const pg = await freshPostgres("provider_secrets");
    drop = pg.drop;
    slack = await startFakeSlack();
    slack.admins.add(ADMIN).add(ADMIN2);

    for (const kind of ["hostens", "time4vps", "hostbill"] as const) {
      const plant: [reinstall: string, reboot: string, lastTask: string] = {
        hostens: [PLANTED.hostensReinstall, PLANTED.hostensReboot, PLANTED.hostensLastTask],
        time4vps: [PLANTED.t4vReinstall, PLANTED.t4vReboot, PLANTED.t4vLastTask],
        hostbill: [PLANTED.hostbillReinstall, PLANTED.hostbillReboot, PLANTED.hostbillLastTask],
      }[kind] as [string, string, string];
      const fake = await startHostBillFake({
        kind,
        taskResults: {
          // Hostens (and the other host): plain text; Time4VPS: the password inside an HTML link,
          // as it really answers.
          server_recreate:
            kind === "time4vps"
              ? reinstallResults(plant[0])
              : `VM recreated successfully.\nRoot password:  ${plant[0]}`,
          // A reboot's results are shown (sanitized): a password there must be cut out too.
          server_reboot: `VM rebooted. New password: ${plant[1]}`,
        },
      });
      const last = plant[2];
      fake.state.servers["302"]!.last_tasks = [
        {
          name: "server_reset_password",
          activated: "2026-11-30 10:00:00",
          assigned: "2026-11-30 10:00:05",
          completed: "2026-11-30 10:01:00",
          results: `Password: \t<a onclick='this.innerHTML = "${last}"'>Click here to show password</a>`,
        },
      ];
      if (kind === "hostens") {
        const svc = fake.state.services.find((s) => s.id === "302")!;
        svc.password = PLANTED.hostensServicePw;
        svc.label = `vps1 (root password: ${PLANTED.hostensLabel})`;
      }
      fakes.set(kind, fake);
    }

    const h4cFake = await startHost4coinsFake();
    const row = h4cFake.state.services[0]! as unknown as Record<string, unknown>;
    row.root_password = PLANTED.h4cRootPw;
    row.description = `VPS Small, initial root password: ${PLANTED.h4cDescription}`;
    h4cFake.state.tasks[0]!.status_extended =
      `done. Password: \t<a onclick='this.innerHTML = "${PLANTED.h4cTask}"'>Show</a>`;
    fakes.set("host4coins", h4cFake);

    const hk = await startHostkeyFake();
    for (const server of hk.data.servers) {
      const tag = (server.show.tags as Record<string, unknown>[]).find((t) => t.tag === "password");
      if (tag) tag.value = PLANTED.hostkeyShowPw;
    }
    fakes.set("hostkey", hk);

    const th = await startTheHostFake();
    for (const d of th.domains) (d as unknown as Record<string, unknown>).authcode = PLANTED.thehostAuthcode;
    fakes.set("thehost", th);

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

  const events = () => `http://127.0.0.1:${app.port}/slack/events`;
  const post = (body: string) => signedPost(events(), body, { secret: SIGNING_SECRET });
  const command = async (text: string, user = ADMIN) => {
    const responseUrl = slack.responseUrl();
    await post(slashCommand(text, { user, channel: CHANNEL, responseUrl }));
    return slack.waitFor((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
  };
  const lastCard = (): SlackCall =>
    [...slack.calls].reverse().find((c) => c.method === "chat.postMessage" && !c.body.thread_ts)!;
  const approveButton = (card: SlackCall) => {
    const actions = (
      card.body.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]
    ).find((b) => b.type === "actions");
    return actions!.elements!.find((e) => e.action_id.startsWith("confirm:approve"))!;
  };

  /** Requests an action, has the second admin approve it (with the PIN when asked), and waits for its end. */
  async function approved(text: string): Promise<void> {
    const answer = JSON.stringify((await command(text)).body);
    expect(answer, text).not.toMatch(/cannot|No service|error/i);
    const approve = approveButton(lastCard());
    // HOSTKEY's PIN is optional: a first approval may go without it, and when HOSTKEY refuses
    // for want of it the same request asks for the PIN on the next click.
    for (let attempt = 0; attempt < 2; attempt++) {
      const before = slack.calls.length;
      const responseUrl = slack.responseUrl();
      await post(
        buttonClick(approve.action_id, approve.value, { user: ADMIN2, channel: CHANNEL, responseUrl }),
      );
      const pinView = slack.calls.slice(before).find((c) => c.method === "views.open");
      if (pinView) {
        const view = pinView.body.view as { callback_id: string; private_metadata: string };
        await post(viewSubmission(view, { pin: HOSTKEY_FAKE_PIN }, { user: ADMIN2 }));
        break;
      }
      const answer = slack.calls
        .slice(before)
        .find((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
      if (!JSON.stringify(answer?.body ?? "").includes("rejected the PIN")) break;
    }
    await app.core.background.idle();
  }

  it("shows, logs and stores none of them", async () => {
    // Accounts of all five kinds, added through the Slack form and bound to the channel.
    for (const kind of PROVIDER_KINDS) {
      const fake = fakes.get(kind)!;
      const fields = Object.fromEntries(Object.entries(fake.credentials).map(([k, v]) => [`cred_${k}`, v]));
      const meta = JSON.stringify({ c: CHANNEL, s: JSON.stringify({ kind }), x: [] });
      const ok = await post(
        viewSubmission(
          { callback_id: "accounts:add", private_metadata: meta },
          { label: kind, ...fields, base_url: fake.baseUrl, display_name: "Acme Hosting" },
          { user: ADMIN },
        ),
      );
      expect(JSON.stringify(await ok.json()), kind).toContain("Added");
      await command(`bind ${kind}`);
    }

    // Every read, with the planted fields in the answers.
    for (const c of ["services", "balance", "invoices", "domains", "invoices --unpaid"]) await command(c);
    const h4cService = h4c().state.services[0]!.id;
    for (const c of ["service 302 hostens", "service 302 time4vps", `service ${h4cService} host4coins`])
      await command(c);

    // Provider errors whose text carries a secret, one read per kind.
    hostens().fault(
      { kind: "json", json: { error: [`Root password: ${PLANTED.hostensError}`] } },
      { times: 1 },
    );
    time4vps().fault(
      { kind: "status", status: 500, json: { error: [`password=${PLANTED.t4vError}`] } },
      { times: 1 },
    );
    h4c().fault(
      { kind: "status", status: 409, json: { error: `conflict, token: ${PLANTED.h4cError}` } },
      { times: 1 },
    );
    thehost().fault(
      {
        kind: "json",
        json: {
          doc: {
            error: {
              $type: "value",
              $object: "x",
              msg: { $: `Invalid value, password: ${PLANTED.thehostError}` },
            },
          },
        },
      },
      { times: 1 },
    );
    hostkey().fault(
      {
        kind: "status",
        status: 500,
        json: { result: -1, message: `root password: ${PLANTED.hostkeyError}` },
      },
      { times: 1 },
    );
    await command("services");
    await command("domains");

    // Approved reinstalls (the new root password comes back in the task results) and reboots
    // (whose results are shown), followed to their end by the task follower.
    await approved("reinstall 302 debian-12-x86_64 --account hostens");
    await approved("reinstall 302 debian-12-x86_64 --account time4vps");
    await approved("reboot 302 hostens");
    await approved("reboot 302 time4vps");
    await approved("reinstall 302 debian-12-x86_64 --account hostbill");
    await approved("reboot 302 hostbill");
    const hkDriver = app.core.accounts.driverFor(
      (await app.core.accounts.findByLabel("slack", "T1", "hostkey"))!,
    );
    const [hkServer] = await hkDriver.listServices!();
    const [hkOs] = await hkDriver.listOperatingSystems!(hkServer!.id);
    // One poll of the reinstall's task answers with the new password in it (still not ready).
    hostkey().fault(
      {
        kind: "json",
        json: {
          result: "Not ready",
          root_pass: PLANTED.hostkeyCallback,
          context: { action: "reinstall", password: PLANTED.hostkeyCallback },
        },
      },
      { times: 1, match: (r) => r.path === "/eq_callback.php" },
    );
    await approved(`reinstall ${hkServer!.id} ${hkOs!.id} --account hostkey`);
    expect(hostkey().count((r) => r.path === "/eq_callback.php")).toBeGreaterThan(1);

    // Host4Coins' own actions return no task; its task text is read the way the follower would.
    const h4cDriver = app.core.accounts.driverFor(
      (await app.core.accounts.findByLabel("slack", "T1", "host4coins"))!,
    );
    const h4cTask = await h4cDriver.getTask!(host4coinsTaskRef(h4c().state.tasks[0]!));
    expect(h4cTask.summary).toContain("[redacted]");

    await command("audit 50");

    // The plants were served, so the test would see a leak (the answers reached the drivers).
    for (const f of [hostens(), time4vps(), fakes.get("hostbill") as HostBillFake]) {
      const tasks = [...f.tasks.values()];
      expect(tasks.map((t) => t.name).sort()).toEqual(["server_reboot", "server_recreate"]);
      expect(tasks.every((t) => t.completed !== "")).toBe(true);
      expect(f.count((r) => r.method === "GET" && r.path === "/api/server/302")).toBeGreaterThan(0);
    }
    expect(h4c().count((r) => r.method === "GET" && /\/service\/\w+$/.test(r.path))).toBeGreaterThan(0);
    const hkRootPass = hostkey()
      .data.servers.map((s) => s.lastRootPass)
      .filter((p): p is string => !!p);
    expect(hkRootPass.length, "the HOSTKEY reinstall reached HOSTKEY").toBe(1);
    const hkTokens = [...hostkey().tokens.keys()];
    expect(hkTokens.length).toBeGreaterThan(0);

    // What the chat saw: the reinstall outcomes point to the panel instead.
    const outbound = JSON.stringify(
      slack.calls.map((c) => ({ method: c.method, body: { ...c.body, token: undefined } })),
    );
    expect(outbound).toContain("The new root password is not posted here");
    expect(outbound).toContain("[redacted]");

    let database = "";
    const tables = await app.db.rows<{ table_name: string }>(
      sql.raw("select table_name from information_schema.tables where table_schema = 'public'"),
    );
    expect(tables.length).toBeGreaterThan(5);
    for (const { table_name } of tables) {
      const rows = await app.db.rows<Record<string, unknown>>(sql.raw(`select * from "${table_name}"`));
      database += JSON.stringify(rows.map((r) => ({ ...r, credentials_enc: undefined })));
    }
    expect(database).toContain("reinstall");
    const logText = logs.join("\n");
    expect(logs.length).toBeGreaterThan(50);

    const secrets: [string, string][] = [
      ...Object.entries(PLANTED),
      ...hkRootPass.map((p): [string, string] => ["hostkey reinstall root_pass", p]),
      ...hkTokens.map((t): [string, string] => ["hostkey session token", t]),
      ["bot token", BOT_TOKEN],
      ["signing secret", SIGNING_SECRET],
    ];
    for (const [where, value] of secrets) {
      expect(logText, `${where} in the log`).not.toContain(value);
      expect(outbound, `${where} in a chat message`).not.toContain(value);
      expect(database, `${where} in the database`).not.toContain(value);
    }
  }, 120_000);
});
