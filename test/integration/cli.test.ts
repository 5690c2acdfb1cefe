import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostops } from "../../src/app.ts";
import { runCli } from "../../src/cli.ts";
import { auditLog, providerAccounts, roleGrants } from "../../src/db/schema.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { startHostkeyFake } from "../fakes/providers/hostkey.ts";
import { signedPost, slashCommand, startFakeSlack } from "../fakes/slack.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { once } from "../helpers/once.ts";
import { cleanEnv, memoryIo, REPO, run } from "../helpers/process.ts";

const SECRET_KEY = Buffer.alloc(32, 5).toString("base64");
const ADMIN = "UADMIN1";
const OPERATOR = "UOPER9";
const CHANNEL = "C0CLI";

/**
 * The admin CLI on an embedded database in a temp folder: an account added from the CLI (with
 * the credentials on stdin, checked against a provider fake) is the same account the Slack flow
 * then binds and uses; the CLI's grants and audit entries are those of chat.
 */
describe("hostops admin CLI", () => {
  let dir: string;
  let provider: HostBillFake;
  let env: NodeJS.ProcessEnv;
  const cli = async (argv: string[], input = "", extra: Record<string, string> = {}) => {
    const io = memoryIo(input);
    const code = await runCli(argv, {
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      env: { ...env, ...extra },
    });
    return { code, ...io.out };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hostops-cli-"));
    provider = await startHostBillFake({ kind: "time4vps" });
    env = cleanEnv({ HOSTOPS_DATA_DIR: dir, HOSTOPS_SECRET_KEY: SECRET_KEY });
  });
  afterAll(async () => {
    await provider?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // The steps of the admin's session that later tests build on; each runs once, for whichever test
  // needs it first (test/helpers/once.ts).
  const addProd = once(() =>
    run(
      process.execPath,
      [
        join(REPO, "bin/hostops.js"),
        "accounts",
        "add",
        "--provider",
        "time4vps",
        "--label",
        "prod",
        "--base-url",
        provider.baseUrl,
        "--workspace",
        "slack:T1",
      ],
      { env, input: JSON.stringify(provider.credentials) },
    ),
  );
  const refuseWrong = once(() =>
    cli(
      ["accounts", "add", "--provider", "time4vps", "--label", "wrong", "--base-url", provider.baseUrl],
      "",
      { HOSTOPS_CRED_USERNAME: "someone@example.com", HOSTOPS_CRED_PASSWORD: "not-the-password-314" },
    ),
  );
  const addBackup = once(() =>
    cli(
      ["accounts", "add", "--provider", "time4vps", "--label", "backup", "--base-url", provider.baseUrl],
      "",
      {
        HOSTOPS_CRED_USERNAME: provider.credentials.username!,
        HOSTOPS_CRED_PASSWORD: provider.credentials.password!,
      },
    ),
  );
  const grantOperator = once(() =>
    cli(["grant", "--user", OPERATOR, "--role", "operator", "--workspace", "slack:T1"]),
  );
  const listed = once(async () => {
    await addProd();
    await addBackup();
    return {
      workspace: await cli(["accounts", "list", "--workspace", "slack:T1"]),
      local: await cli(["accounts", "list"]),
    };
  });

  it("`hostops accounts add` (the bin shim, credentials as JSON on stdin) checks them with the provider and stores the account", async () => {
    const r = await addProd();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Added Time4VPS account prod");
    expect(r.stdout + r.stderr).not.toContain(provider.credentials.password!);
    // The provider was asked: credentials are verified before anything is stored.
    expect(provider.count((q) => q.headers.authorization?.startsWith("Basic ") ?? false)).toBeGreaterThan(0);
  }, 120_000);

  it("refuses credentials the provider rejects, and stores nothing", async () => {
    const r = await refuseWrong();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Time4VPS rejected the credentials");
    expect(r.stdout + r.stderr).not.toContain("not-the-password-314");
    expect((await cli(["accounts", "list", "--all"])).stdout).not.toContain("wrong");
  }, 60_000);

  it("takes credentials from HOSTOPS_CRED_* variables too (in the console's workspace by default)", async () => {
    const r = await addBackup();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Added Time4VPS account backup");
  }, 60_000);

  it("offers HOSTKEY's per-account PIN setting: optional, checked, stored with the credentials", async () => {
    const hostkey = await startHostkeyFake({ data: { pin: null } });
    // Its own data dir: the accounts of this test stay out of the other tests' listings.
    const own = mkdtempSync(join(tmpdir(), "hostops-cli-pin-"));
    try {
      const add = (label: string, extra: Record<string, string>) =>
        cli(
          ["accounts", "add", "--provider", "hostkey", "--label", label, "--base-url", hostkey.baseUrl],
          "",
          {
            HOSTOPS_DATA_DIR: own,
            HOSTOPS_CRED_API_KEY: hostkey.credentials.apiKey!,
            ...extra,
          },
        );
      const without = await add("hk-auto", {});
      expect(without.stderr).toBe("");
      expect(without.code).toBe(0);
      const ask = await add("hk-ask", { HOSTOPS_CRED_PIN_MODE: "ask" });
      expect(ask.code).toBe(0);
      const bad = await add("hk-bad", { HOSTOPS_CRED_PIN_MODE: "sometimes" });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("auto, ask, never");
      const json = await cli(
        ["accounts", "add", "--provider", "hostkey", "--label", "hk-never", "--base-url", hostkey.baseUrl],
        JSON.stringify({ apiKey: hostkey.credentials.apiKey, pinMode: "never" }),
        { HOSTOPS_DATA_DIR: own },
      );
      expect(json.code).toBe(0);
    } finally {
      await hostkey.close();
      rmSync(own, { recursive: true, force: true });
    }
  }, 60_000);

  it("never reads credentials from the command line", async () => {
    const r = await cli([
      "accounts",
      "add",
      "--provider",
      "time4vps",
      "--label",
      "x",
      "--password",
      "hunter22",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("credentials are never read from the command line");
    const bad = await cli(
      ["accounts", "add", "--provider", "time4vps", "--label", "x"],
      '{"username":"a","pin":"1"}',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`Unknown credential key(s) "pin"`);
  }, 60_000);

  it("grants a role and lists accounts in a workspace", async () => {
    const g = await grantOperator();
    expect(g.stderr).toBe("");
    expect(g.code).toBe(0);
    expect(g.stdout).toContain("is now operator in every channel of this workspace");
    const { workspace: list, local } = await listed();
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/prod\s+Time4VPS/);
    expect(list.stdout).not.toContain("backup");
    // Without --workspace the CLI acts in the console's workspace, where "backup" was added.
    expect(local.stdout).toMatch(/backup\s+Time4VPS/);
    expect(local.stdout).not.toContain("prod");
  }, 120_000);

  it("then Slack binds and uses the account the CLI added (same database); the CLI lists the binding and previews its alerts", async () => {
    // Everything the CLI did first (the app and the CLI never hold the embedded database at once).
    for (const step of [addProd, refuseWrong, addBackup, grantOperator, listed]) await step();
    const slack = await startFakeSlack();
    slack.admins.add(ADMIN);
    const app = await startHostops({
      config: testConfig({
        SLACK_API_URL: slack.apiUrl,
        HOSTOPS_DATA_DIR: dir,
        HOSTOPS_SECRET_KEY: SECRET_KEY,
      }),
      overrides: { providerRetries: 0, slackProcessBeforeResponse: true, noTimers: true },
    });
    try {
      const command = async (text: string, user = ADMIN) => {
        const responseUrl = slack.responseUrl();
        await signedPost(
          `http://127.0.0.1:${app.port}/slack/events`,
          slashCommand(text, { user, channel: CHANNEL, responseUrl }),
          { secret: SIGNING_SECRET },
        );
        const call = await slack.waitFor(
          (c) => c.method === `response:${responseUrl.split("/response/")[1]}`,
        );
        return JSON.stringify(call.body);
      };

      // Slack binds it and lists its services with the stored credentials.
      expect(await command("bind prod")).toContain("Bound Time4VPS account *prod*");
      const services = await command("services");
      for (const s of provider.state.services) expect(services).toContain(String(s.id));
      // The grant made from the CLI holds in Slack: an operator may list the accounts.
      expect(await command("accounts list", OPERATOR)).toContain("prod");

      // The CLI's actions are in the same audit log, as the CLI user of the Slack workspace.
      const rows = await app.db.db.select().from(auditLog);
      const fromCli = rows.filter((r) => r.userId.startsWith("cli:"));
      expect(fromCli.map((r) => `${r.platform}:${r.workspaceId} ${r.command} ${r.outcome}`)).toEqual(
        expect.arrayContaining([
          "slack:T1 accounts add ok",
          "console:local accounts add rejected",
          "console:local accounts add ok",
          "slack:T1 grant ok",
          "slack:T1 accounts list ok",
        ]),
      );
      expect(JSON.stringify(rows)).not.toContain(provider.credentials.password!);
      const grants = await app.db.db.select().from(roleGrants);
      expect(grants.find((g) => g.subject === OPERATOR)).toMatchObject({
        platform: "slack",
        workspaceId: "T1",
        subject: OPERATOR,
        role: "operator",
      });
      const stored = await app.db.db.select().from(providerAccounts);
      expect(stored.map((a) => a.label).sort()).toEqual(["backup", "prod"]);
      expect(JSON.stringify(stored)).not.toContain(provider.credentials.password!);
    } finally {
      await app.stop();
      await slack.close();
    }

    // The CLI lists every binding, and previews the alert scan without posting or recording anything.
    const b = await cli(["bindings", "--all"]);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/slack:T1\s+C0CLI\s+prod\s+time4vps\s+on/);
    const dry = await cli(["alerts", "run", "--dry-run"]);
    expect(dry.stderr).toBe("");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("Dry run: nothing was posted or recorded. Checked 1 account(s)");
    expect(dry.stdout).toMatch(/would post\s+\w+\s+Service web/);
    expect(dry.stdout).toMatch(/would post\s+\w+\s+Invoice 308978/);
    // Nothing was recorded: a second preview plans the same alerts as new.
    const again = await cli(["alerts", "run", "--dry-run", "--workspace", "slack:T1"]);
    expect(again.stdout).not.toContain("already posted");
    const refused = await cli(["alerts", "run"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--dry-run");
  }, 180_000);

  it("applies migrations and explains usage errors", async () => {
    const m = await cli(["migrate"]);
    expect(m.code).toBe(0);
    expect(m.stdout).toContain("up to date");
    const u = await cli(["frobnicate"]);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('Unknown command "frobnicate"');
    expect(u.stderr).toContain("Usage: hostops");
    expect((await cli(["acounts", "list"])).stderr).toContain(
      'Unknown command "acounts". Did you mean "accounts"?',
    );
    expect((await cli(["accounts", "lst"])).stderr).toContain('Did you mean "accounts list"?');
  }, 60_000);

  it("speaks CLI in its errors and takes user ids as a shell user types them", async () => {
    // Lower case, @-prefixed or a pasted mention: the same Slack member.
    for (const typed of ["uoper7", "@UOPER7", "<@UOPER7>"]) {
      const g = await cli(["grant", "--user", typed, "--role", "Viewer", "--workspace", "slack:T1"]);
      expect(g.stderr, typed).toBe("");
      expect(g.stdout).toContain("@UOPER7 is now viewer in every channel of this workspace");
    }
    const bad = await cli(["grant", "--user", "not a user!", "--role", "viewer"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--user not a user!: expected a Slack user id such as U0456EFGH");
    expect(bad.stderr).toContain("Usage: hostops grant --user <id> --role <viewer|operator|admin>");
    expect(bad.stderr).not.toContain("/hosting");
    expect(bad.stderr).not.toContain("mention");
    const role = await cli(["grant", "--user", "UOPER7", "--role", "boss"]);
    expect(role.stderr).toContain("--role boss: expected viewer, operator, admin.");
    // A refusal worded by core for chat gets the CLI's usage and option name.
    const provider = await cli(["accounts", "add", "--provider", "nope", "--label", "x"], "{}");
    expect(provider.code).toBe(1);
    expect(provider.stderr).toContain("--provider must be one of host4coins");
    expect(provider.stderr).toContain("Usage: hostops accounts add --provider <kind>");
    expect(provider.stderr).not.toContain("/hosting");
  }, 60_000);
});
