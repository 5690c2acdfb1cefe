import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { runCli } from "../../src/cli.ts";
import { runAlertScan } from "../../src/core/alerts/scan.ts";
import { auditLog, channelBindings, providerAccounts, slackInstallations } from "../../src/db/schema.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import {
  type FakeSlack,
  type FakeWorkspace,
  type SlackCall,
  signedPost,
  slashCommand,
  startFakeSlack,
  viewSubmission,
} from "../fakes/slack.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { freshPostgres } from "../helpers/db.ts";
import { once } from "../helpers/once.ts";
import { cleanEnv, memoryIo } from "../helpers/process.ts";

const STATE_SECRET = "state-secret-for-tests-0123456789";
const SECRET_KEY = Buffer.alloc(32, 23).toString("base64");

const A: FakeWorkspace = {
  teamId: "TAAAA1",
  teamName: "Agency A",
  botToken: "xoxb-team-a-1111-aaaa",
  botUserId: "UBOTA",
  botId: "BBOTA",
  installerUserId: "UADMINA",
};
const B: FakeWorkspace = {
  teamId: "TBBBB2",
  teamName: "Client B",
  botToken: "xoxb-team-b-2222-bbbb",
  botUserId: "UBOTB",
  botId: "BBOTB",
  installerUserId: "UADMINB",
};
const CHANNEL_A = "CAPROD";
const CHANNEL_B = "CBPROD";

const bearer = (ws: FakeWorkspace | string) => `Bearer ${typeof ws === "string" ? ws : ws.botToken}`;
const textOf = (c: SlackCall) => JSON.stringify(c.body);

/**
 * Slack distribution: hostops installed in two workspaces through the OAuth v2 flow, on
 * Postgres. Each workspace binds its own accounts and gets its own alerts, each through its own
 * token, with no crossing; state and code are verified; an uninstall stops a workspace's alerts
 * and keeps its data until the admin CLI removes it.
 */
describe("Slack OAuth distribution on Postgres", () => {
  let slack: FakeSlack;
  let providerA: HostBillFake;
  let providerB: HostBillFake;
  let app: Hostops;
  let base: string;
  let events: string;
  let databaseUrl: string;
  let dropDb: () => Promise<void>;
  const logLines: string[] = [];

  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.admins.add(A.installerUserId!);
    slack.admins.add(B.installerUserId!);
    providerA = await startHostBillFake({ kind: "hostens" });
    providerB = await startHostBillFake({ kind: "hostbill", domains: false });
    const pg = await freshPostgres("slack_oauth");
    databaseUrl = pg.url;
    dropDb = pg.drop;
    app = await startHostops({
      config: testConfig({
        SLACK_BOT_TOKEN: undefined,
        SLACK_CLIENT_ID: slack.clientId,
        SLACK_CLIENT_SECRET: slack.clientSecret,
        SLACK_STATE_SECRET: STATE_SECRET,
        SLACK_API_URL: slack.apiUrl,
        DATABASE_URL: databaseUrl,
        HOSTOPS_SECRET_KEY: SECRET_KEY,
      }),
      log: createLogger({ level: "debug", sink: { write: (l) => logLines.push(l) } }),
      overrides: { providerRetries: 0, slackProcessBeforeResponse: true, noTimers: true, taskPollMs: 1 },
    });
    base = `http://127.0.0.1:${app.port}`;
    events = `${base}/slack/events`;
  });

  afterAll(async () => {
    await app?.stop();
    await providerA?.close();
    await providerB?.close();
    await slack?.close();
    await dropDb?.();
  });

  /** GET /slack/install: the page, its state and the browser cookie that carries it. */
  async function startInstall(): Promise<{ status: number; html: string; state: string; cookie: string }> {
    const res = await fetch(`${base}/slack/install`);
    const html = await res.text();
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const state = /[?&;]state=([^&"]+)/.exec(html.replace(/&amp;/g, "&"))?.[1] ?? "";
    return { status: res.status, html, state: decodeURIComponent(state), cookie };
  }

  /** Slack's redirect back after "Allow", with the browser's cookie. */
  async function redirect(code: string, state: string, cookie: string | undefined) {
    const res = await fetch(
      `${base}/slack/oauth_redirect?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`,
      { headers: cookie ? { cookie } : {} },
    );
    return { status: res.status, html: await res.text() };
  }

  async function install(ws: FakeWorkspace) {
    const start = await startInstall();
    const code = slack.issueCode(ws);
    return { code, ...(await redirect(code, start.state, start.cookie)) };
  }

  const installationRow = async (teamId: string) =>
    (
      await app.db.db
        .select()
        .from(slackInstallations)
        .where(eq(slackInstallations.installKey, `T:${teamId}`))
    )[0];

  const command = async (ws: FakeWorkspace, channel: string, text: string, user = ws.installerUserId!) => {
    const responseUrl = slack.responseUrl();
    const res = await signedPost(
      events,
      slashCommand(text, { user, channel, team: ws.teamId, responseUrl }),
      {
        secret: SIGNING_SECRET,
      },
    );
    expect(res.status).toBe(200);
    return slack.waitFor((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
  };

  /** `/hosting accounts add <kind>`: the answer is a form (views.open), not a response_url message. */
  async function openForm(ws: FakeWorkspace, channel: string, kind: string): Promise<SlackCall> {
    const before = slack.calls.length;
    const res = await signedPost(
      events,
      slashCommand(`accounts add ${kind}`, {
        user: ws.installerUserId!,
        channel,
        team: ws.teamId,
        responseUrl: slack.responseUrl(),
      }),
      { secret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    return slack.waitFor((c) => c.method === "views.open" && slack.calls.indexOf(c) >= before);
  }

  async function addAccount(
    ws: FakeWorkspace,
    channel: string,
    kind: string,
    values: Record<string, string>,
  ) {
    const open = await openForm(ws, channel, kind);
    // The form was opened with this workspace's own token.
    expect(open.auth).toBe(bearer(ws));
    const view = open.body.view as { callback_id: string; private_metadata: string };
    const res = await signedPost(
      events,
      viewSubmission(view, values, { user: ws.installerUserId!, team: ws.teamId }),
      { secret: SIGNING_SECRET },
    );
    return (await res.json()) as { response_action: string; view?: unknown; errors?: unknown };
  }

  const event = (ws: FakeWorkspace, ev: Record<string, unknown>) =>
    signedPost(
      events,
      JSON.stringify({
        token: "unused",
        team_id: ws.teamId,
        api_app_id: "A1",
        type: "event_callback",
        event_id: `Ev${Math.random().toString(36).slice(2)}`,
        event_time: Math.floor(Date.now() / 1000),
        event: { ...ev, event_ts: `${Date.now() / 1000}` },
        authorizations: [
          {
            enterprise_id: null,
            team_id: ws.teamId,
            user_id: ws.botUserId,
            is_bot: true,
            is_enterprise_install: false,
          },
        ],
      }),
      { secret: SIGNING_SECRET, contentType: "application/json" },
    );

  it("serves an Add to Slack page at /slack/install with a signed state tied to the browser", async () => {
    const start = await startInstall();
    expect(start.status).toBe(200);
    expect(start.html).toContain("https://slack.com/oauth/v2/authorize");
    expect(start.html).toContain(`client_id=${slack.clientId}`);
    expect(decodeURIComponent(start.html)).toContain(
      "scope=commands,chat:write,chat:write.public,files:write,users:read",
    );
    expect(start.state.length).toBeGreaterThan(20);
    expect(start.cookie).toBe(`slack-app-oauth-state=${start.state}`);
  });

  // Steps several tests build on, run once by whichever test needs them first (test/helpers/once.ts).
  const installBoth = once(async () => {
    const exchanged = slack.calls.filter((c) => c.method === "oauth.v2.access").length;
    const a = await install(A);
    const b = await install(B);
    return { a, b, exchanges: slack.calls.filter((c) => c.method === "oauth.v2.access").slice(exchanged) };
  });
  const accountsOfBoth = once(async () => {
    await installBoth();
    const addA = await addAccount(A, CHANNEL_A, "hostens", {
      label: "prod",
      cred_username: providerA.credentials.username!,
      cred_password: providerA.credentials.password!,
      base_url: providerA.baseUrl,
    });
    // The same label in the other workspace is another account: labels are per workspace.
    const addB = await addAccount(B, CHANNEL_B, "hostbill", {
      label: "prod",
      display_name: "Acme Hosting",
      cred_username: providerB.credentials.username!,
      cred_password: providerB.credentials.password!,
      base_url: providerB.baseUrl,
    });
    const bindA = textOf(await command(A, CHANNEL_A, "bind prod"));
    const bindB = textOf(await command(B, CHANNEL_B, "bind prod"));
    return { addA, addB, bindA, bindB };
  });

  /**
   * A workspace of the test's own, installed, with an account bound in `channel` (the tests that
   * re-install, uninstall or remove a workspace leave A and B to the others).
   */
  async function installedWithAccount(ws: FakeWorkspace, channel: string, provider: HostBillFake) {
    expect((await install(ws)).status).toBe(200);
    const added = await addAccount(ws, channel, "hostbill", {
      label: "own",
      display_name: "Own Hosting",
      cred_username: provider.credentials.username!,
      cred_password: provider.credentials.password!,
      base_url: provider.baseUrl,
    });
    expect(added.response_action).toBe("update");
    expect(textOf(await command(ws, channel, "bind own"))).toContain("Bound Own Hosting account");
    const [binding] = await app.db.db
      .select()
      .from(channelBindings)
      .where(eq(channelBindings.workspaceId, ws.teamId));
    return binding!;
  }

  it("installs two workspaces; each installation keeps its own bot token, encrypted", async () => {
    const { a, b, exchanges } = await installBoth();
    expect(a.status).toBe(200);
    expect(a.html).toContain("hostops is installed in Agency A");
    expect(b.status).toBe(200);
    expect(b.html).toContain("hostops is installed in Client B");

    // The code was exchanged with the app's credentials, and each new token checked (auth.test).
    expect(exchanges).toHaveLength(2);
    expect(exchanges.every((c) => c.body.client_id === slack.clientId)).toBe(true);
    expect(slack.calls.some((c) => c.method === "auth.test" && c.auth === bearer(A))).toBe(true);
    expect(slack.calls.some((c) => c.method === "auth.test" && c.auth === bearer(B))).toBe(true);

    const rows = (await app.db.db.select().from(slackInstallations)).filter((r) =>
      [A.teamId, B.teamId].includes(r.teamId ?? ""),
    );
    expect(rows.map((r) => r.installKey).sort()).toEqual([`T:${A.teamId}`, `T:${B.teamId}`]);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(A.botToken);
    expect(dump).not.toContain(B.botToken);
    for (const r of rows) expect(r.installationEnc).toMatch(/^v1\./);
    expect(rows.find((r) => r.teamId === A.teamId)?.teamName).toBe("Agency A");
  });

  it("refuses a forged state, and a state that is not this browser's, without exchanging the code", async () => {
    const C: FakeWorkspace = {
      ...A,
      teamId: "TCCCC3",
      teamName: "Mallory",
      botToken: "xoxb-team-c-3333-cccc",
    };
    const start = await startInstall();
    const exchanges = () => slack.calls.filter((c) => c.method === "oauth.v2.access").length;
    const before = exchanges();

    // A state whose signature was tampered with, sent with a matching cookie.
    const forged = `${start.state.slice(0, -4)}${start.state.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    const r1 = await redirect(slack.issueCode(C), forged, `slack-app-oauth-state=${forged}`);
    expect(r1.status).toBe(400);
    expect(r1.html).toContain("slack_oauth_invalid_state");
    // A made-up state.
    const r2 = await redirect(slack.issueCode(C), "made-up-state", "slack-app-oauth-state=made-up-state");
    expect(r2.status).toBe(400);
    // A genuine state, but from another browser (no cookie): a link someone else started.
    const r3 = await redirect(slack.issueCode(C), start.state, undefined);
    expect(r3.status).toBe(400);
    expect(r3.html).toContain("slack_oauth_invalid_state");

    expect(exchanges()).toBe(before);
    expect(await installationRow(C.teamId)).toBeUndefined();
  });

  it("refuses a replayed code and keeps the installation as it was", async () => {
    await installBoth();
    const installations = (await app.db.db.select().from(slackInstallations)).length;
    const first = await install({ ...A });
    expect(first.status).toBe(200);
    const row = await installationRow(A.teamId);
    const start = await startInstall();
    const replay = await redirect(first.code, start.state, start.cookie);
    expect(replay.status).toBe(400);
    expect(replay.html).toContain("The installation did not complete");
    expect(replay.html).not.toContain(A.botToken);
    const after = await installationRow(A.teamId);
    expect(after?.installationEnc).toBe(row?.installationEnc);
    expect(await app.db.db.select().from(slackInstallations)).toHaveLength(installations);
  });

  it("each workspace adds and binds its own accounts, and sees nothing of the other's", async () => {
    const { addA, addB, bindA, bindB } = await accountsOfBoth();
    expect(addA.response_action).toBe("update");
    expect(JSON.stringify(addA.view)).toContain("Added Hostens account");
    expect(addB.response_action).toBe("update");
    expect(JSON.stringify(addB.view)).toContain("Added Acme Hosting account");
    expect(bindA).toContain("Bound Hostens account");
    expect(bindB).toContain("Bound Acme Hosting account");

    const servicesA = textOf(await command(A, CHANNEL_A, "services"));
    expect(servicesA).toContain("prod (Hostens)");
    expect(servicesA).not.toContain("Acme Hosting");
    const servicesB = textOf(await command(B, CHANNEL_B, "services"));
    expect(servicesB).toContain("prod (Acme Hosting)");
    expect(servicesB).not.toContain("Hostens");

    // A's channel id used from B's workspace is another channel: nothing is bound there.
    const crossing = textOf(await command(B, CHANNEL_A, "services"));
    expect(crossing).toContain("No provider account is bound to this channel");
    const listB = textOf(await command(B, CHANNEL_B, "accounts list"));
    expect(listB).toContain("Acme Hosting");
    expect(listB).not.toContain("Hostens");

    const accounts = (await app.db.db.select().from(providerAccounts)).filter((a) =>
      [A.teamId, B.teamId].includes(a.workspaceId),
    );
    expect(accounts.map((a) => `${a.workspaceId}:${a.label}:${a.kind}`).sort()).toEqual([
      `${A.teamId}:prod:hostens`,
      `${B.teamId}:prod:hostbill`,
    ]);
    // Every Web API call made for a workspace's request went out with that workspace's token.
    for (const c of slack.calls.filter((x) => x.method === "users.info")) {
      if (c.body.user === A.installerUserId) expect(c.auth).toBe(bearer(A));
      if (c.body.user === B.installerUserId) expect(c.auth).toBe(bearer(B));
    }
  });

  it("grants and approval requests stay in their workspace; cards go out with its token", async () => {
    await accountsOfBoth();
    expect(textOf(await command(A, CHANNEL_A, "grant <@UOPSA> operator --workspace"))).toContain("UOPSA");
    expect(textOf(await command(B, CHANNEL_B, "grants"))).not.toContain("UOPSA");
    expect(textOf(await command(A, CHANNEL_A, "grants"))).toContain("UOPSA");

    const before = slack.calls.length;
    await command(B, CHANNEL_B, "reboot 302 prod");
    const card = await slack.waitFor(
      (c) =>
        c.method === "chat.postMessage" && slack.calls.indexOf(c) >= before && c.body.channel === CHANNEL_B,
    );
    expect(card.auth).toBe(bearer(B));
    expect(textOf(card)).toContain("Acme Hosting");
    // Both workspaces' accounts are labelled "prod": B's pending reboot is B's alone.
    expect(textOf(await command(B, CHANNEL_B, "pending"))).toMatch(
      /Reboot\s+service \S+(?: \([^)]*\))?\s+prod\s+pending\s+UADMINB/,
    );
    expect(textOf(await command(A, CHANNEL_A, "pending"))).not.toContain("Reboot");
  });

  it("posts each workspace's alerts in its own channel with its own token, no crossing", async () => {
    await accountsOfBoth();
    const before = slack.calls.length;
    // (The workspaces of the other tests are uninstalled by the time they end: not scanned.)
    const s = await runAlertScan(app.core);
    expect(s.bindings).toBe(2);
    const posts = slack.calls.slice(before).filter((c) => c.method === "chat.postMessage");
    const toA = posts.filter((c) => c.body.channel === CHANNEL_A);
    const toB = posts.filter((c) => c.body.channel === CHANNEL_B);
    expect(toA.length).toBeGreaterThan(0);
    expect(toB.length).toBeGreaterThan(0);
    expect(toA.length + toB.length).toBe(posts.length);
    for (const c of toA) {
      expect(c.auth).toBe(bearer(A));
      expect(textOf(c)).not.toContain("Acme Hosting");
    }
    for (const c of toB) {
      expect(c.auth).toBe(bearer(B));
      expect(textOf(c)).toContain("Acme Hosting");
      expect(textOf(c)).not.toContain("Hostens");
    }
  });

  it("a re-install replaces the workspace's token; the next requests use the new one", async () => {
    const D: FakeWorkspace = {
      ...A,
      teamId: "TDDDD5",
      teamName: "Client D",
      botToken: "xoxb-team-d-5555-old",
    };
    expect((await install(D)).status).toBe(200);
    const renewed: FakeWorkspace = { ...D, botToken: "xoxb-team-d-5555-new" };
    slack.revokeToken(D.botToken);
    const r = await install(renewed);
    expect(r.status).toBe(200);
    const rows = await app.db.db.select().from(slackInstallations);
    expect(rows.filter((x) => x.teamId === D.teamId)).toHaveLength(1);
    const open = await openForm(renewed, "CDPROD", "hostens");
    expect(open.auth).toBe(bearer(renewed));
  });

  it("app_uninstalled removes the workspace's tokens and stops its alerts; its data stays", async () => {
    const E: FakeWorkspace = {
      ...B,
      teamId: "TEEEE6",
      teamName: "Client E",
      botToken: "xoxb-team-e-6666-eeee",
    };
    const providerE = await startHostBillFake({ kind: "hostbill", domains: false });
    try {
      const binding = await installedWithAccount(E, "CEPROD", providerE);
      const res = await event(E, { type: "app_uninstalled" });
      expect(res.status).toBe(200);
      slack.revokeToken(E.botToken);
      const row = await installationRow(E.teamId);
      expect(row?.installationEnc).toBeNull();
      expect(row?.revokedAt).toBeInstanceOf(Date);

      // E is not scanned: its provider is not asked, nothing is posted there.
      const calls = providerE.count();
      const before = slack.calls.length;
      const s = await runAlertScan(app.core, { bindingIds: [binding.id] });
      expect(s.bindings).toBe(0);
      expect(providerE.count()).toBe(calls);
      const posts = slack.calls.slice(before).filter((c) => c.method === "chat.postMessage");
      expect(posts.some((c) => c.body.channel === "CEPROD" || c.auth === bearer(E))).toBe(false);

      // The accounts and bindings of E stay until an admin removes them.
      const accountsE = await app.db.db
        .select()
        .from(providerAccounts)
        .where(eq(providerAccounts.workspaceId, E.teamId));
      expect(accountsE).toHaveLength(1);
      const audit = await app.db.db.select().from(auditLog).where(eq(auditLog.workspaceId, E.teamId));
      expect(audit.some((a) => a.command === "app uninstalled")).toBe(true);
    } finally {
      await providerE.close();
    }
  });

  it("tokens_revoked for the bot removes the tokens; a user-token-only revocation does not", async () => {
    const C: FakeWorkspace = {
      ...B,
      teamId: "TCCCC4",
      teamName: "Client C",
      botToken: "xoxb-team-c-4444-cccc",
    };
    expect((await install(C)).status).toBe(200);
    await event(C, { type: "tokens_revoked", tokens: { oauth: ["USOMEONE"] } });
    expect((await installationRow(C.teamId))?.installationEnc).not.toBeNull();
    await event(C, { type: "tokens_revoked", tokens: { bot: [C.botUserId] } });
    expect((await installationRow(C.teamId))?.installationEnc).toBeNull();
  });

  it("`hostops workspace remove` removes the uninstalled workspace's data and nothing of the other's", async () => {
    await accountsOfBoth();
    const F: FakeWorkspace = {
      ...B,
      teamId: "TFFFF7",
      teamName: "Client F",
      botToken: "xoxb-team-f-7777-ffff",
    };
    await installedWithAccount(F, "CFPROD", providerB);
    await event(F, { type: "app_uninstalled" });
    slack.revokeToken(F.botToken);
    const env = cleanEnv({ DATABASE_URL: databaseUrl, HOSTOPS_SECRET_KEY: SECRET_KEY });
    const cli = async (argv: string[]) => {
      const io = memoryIo("");
      const code = await runCli(argv, { stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, env });
      return { code, ...io.out };
    };
    const list = await cli(["workspaces"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`slack:${F.teamId}\\s+Client F\\s+uninstalled`));
    expect(list.stdout).toMatch(new RegExp(`slack:${A.teamId}\\s+Agency A\\s+installed`));

    const dry = await cli(["workspace", "remove", "--workspace", `slack:${F.teamId}`]);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain("1 account(s)");
    expect(
      await app.db.db.select().from(providerAccounts).where(eq(providerAccounts.workspaceId, F.teamId)),
    ).toHaveLength(1);

    const done = await cli(["workspace", "remove", "--workspace", `slack:${F.teamId}`, "--yes"]);
    expect(done.code).toBe(0);
    expect(
      await app.db.db.select().from(providerAccounts).where(eq(providerAccounts.workspaceId, F.teamId)),
    ).toHaveLength(0);
    expect(
      await app.db.db.select().from(channelBindings).where(eq(channelBindings.workspaceId, F.teamId)),
    ).toHaveLength(0);
    expect(await installationRow(F.teamId)).toBeUndefined();
    // The other workspaces are untouched.
    for (const ws of [A, B]) {
      expect(
        await app.db.db.select().from(providerAccounts).where(eq(providerAccounts.workspaceId, ws.teamId)),
      ).toHaveLength(1);
      expect((await installationRow(ws.teamId))?.installationEnc).not.toBeNull();
    }
  });

  it("never logs a token or a secret", async () => {
    await accountsOfBoth();
    const all = logLines.join("\n");
    for (const s of [A.botToken, B.botToken, slack.clientSecret, STATE_SECRET]) expect(all).not.toContain(s);
    // (Every token, of every workspace the tests installed.)
    expect(all).not.toMatch(/xoxb-team-/);
  });
});
