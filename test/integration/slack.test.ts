import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { auditLog, providerAccounts } from "../../src/db/schema.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
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
import { once } from "../helpers/once.ts";

const ADMIN = "UADMIN1";
const VIEWER = "UVIEW1";
const CHANNEL = "C0PROD";

/** Text of everything a Slack message carries (fallback text and blocks). */
const textOf = (c: SlackCall) => JSON.stringify(c.body);

for (const dbKind of ["pglite", "postgres"] as const) {
  describe(`Slack end to end on ${dbKind}`, () => {
    let slack: FakeSlack;
    let provider: HostBillFake;
    let app: Hostops;
    let events: string;
    let dropDb: (() => Promise<void>) | undefined;
    const logLines: string[] = [];

    beforeAll(async () => {
      slack = await startFakeSlack();
      slack.admins.add(ADMIN);
      provider = await startHostBillFake({ kind: "time4vps" });
      let databaseUrl: string | undefined;
      if (dbKind === "postgres") {
        const pg = await freshPostgres("slack");
        databaseUrl = pg.url;
        dropDb = pg.drop;
      }
      app = await startHostops({
        config: testConfig({ SLACK_API_URL: slack.apiUrl, DATABASE_URL: databaseUrl }),
        log: createLogger({ level: "debug", sink: { write: (l) => logLines.push(l) } }),
        overrides: {
          memoryDb: dbKind === "pglite",
          providerRetries: 0,
          slackProcessBeforeResponse: true,
          baseUrlOverrides: { time4vps: provider.baseUrl },
        },
      });
      events = `http://127.0.0.1:${app.port}/slack/events`;
    });

    afterAll(async () => {
      await app?.stop();
      await provider?.close();
      await slack?.close();
      await dropDb?.();
    });

    const command = async (text: string, user = ADMIN, channel = CHANNEL) => {
      const responseUrl = slack.responseUrl();
      const res = await signedPost(events, slashCommand(text, { user, channel, responseUrl }), {
        secret: SIGNING_SECRET,
      });
      expect(res.status).toBe(200);
      return slack.waitFor((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
    };

    /** The account form's flow: the command opens the modal, the submit adds the account. */
    const addProd = once(async () => {
      const before = slack.calls.length;
      const responseUrl = slack.responseUrl();
      await signedPost(
        events,
        slashCommand("accounts add time4vps", { user: ADMIN, channel: CHANNEL, responseUrl }),
        {
          secret: SIGNING_SECRET,
        },
      );
      const open = await slack.waitFor(
        (c, i = slack.calls.indexOf(c)) => c.method === "views.open" && i >= before,
      );
      const view = open.body.view as {
        callback_id: string;
        private_metadata: string;
        blocks: { block_id?: string }[];
      };
      const res = await signedPost(
        events,
        viewSubmission(
          view,
          {
            label: "prod",
            cred_username: provider.credentials.username!,
            cred_password: provider.credentials.password!,
          },
          { user: ADMIN },
        ),
        { secret: SIGNING_SECRET },
      );
      const ack = (await res.json()) as { response_action: string; view: unknown };
      return { view, status: res.status, ack, rows: await app.db.db.select().from(providerAccounts) };
    });
    const refuseWrong = once(async () => {
      const res = await signedPost(
        events,
        viewSubmission(
          {
            callback_id: "accounts:add",
            private_metadata: JSON.stringify({ c: CHANNEL, s: '{"kind":"time4vps"}', x: [] }),
          },
          { label: "wrong", cred_username: "someone@example.com", cred_password: "definitely-wrong-pass" },
          { user: ADMIN },
        ),
        { secret: SIGNING_SECRET },
      );
      return (await res.json()) as { response_action: string; errors: Record<string, string> };
    });
    const bindProd = once(async () => {
      await addProd();
      return command("bind prod");
    });

    it("adds an account from the modal, after checking the credentials with the provider", async () => {
      const { view, status, ack, rows } = await addProd();
      expect(view.callback_id).toBe("accounts:add");
      expect(view.blocks.map((b) => b.block_id)).toEqual(
        expect.arrayContaining(["label", "cred_username", "cred_password"]),
      );
      expect(status).toBe(200);
      expect(ack.response_action).toBe("update");
      expect(JSON.stringify(ack.view)).toContain("Added Time4VPS account");
      expect(rows.map((r) => r.label)).toEqual(["prod"]);
      expect(rows[0]!.credentialsEnc).not.toContain(provider.credentials.password!);
      expect(rows[0]!.credentialsEnc).toMatch(/^v1\./);
    });

    it("refuses wrong credentials in the form with a clear message and stores nothing", async () => {
      const ack = await refuseWrong();
      expect(ack.response_action).toBe("errors");
      expect(Object.values(ack.errors).join(" ")).toContain("Time4VPS rejected the credentials");
      expect(JSON.stringify(ack)).not.toContain("definitely-wrong-pass");
      const labels = (await app.db.db.select().from(providerAccounts)).map((r) => r.label);
      expect(labels).not.toContain("wrong");
    });

    it("binds the account and lists services with expiry, balance, invoices", async () => {
      const bound = await bindProd();
      expect(bound.body.response_type).toBe("in_channel");
      expect(textOf(bound)).toContain("Bound Time4VPS account");

      const services = await command("services");
      expect(services.body.response_type).toBe("in_channel");
      for (const s of provider.state.services) expect(textOf(services)).toContain(String(s.id));
      expect(textOf(services)).toMatch(/\d{4}-\d{2}-\d{2}/);

      const balance = await command("balance");
      expect(textOf(balance)).toContain(`${provider.state.accCredit}`.replace(/(\.\d)$/, "$10"));
      expect(textOf(balance)).toContain(provider.state.currency);

      const unpaid = await command("invoices --unpaid");
      const open = provider.state.invoices.filter((i) => String(i.status) === "Unpaid");
      expect(open.length).toBeGreaterThan(0);
      for (const i of open) expect(textOf(unpaid)).toContain(String(i.id));
      expect(textOf(unpaid)).toMatch(/UNPAID|OVERDUE/);
    });

    it("says which provider cannot list domains", async () => {
      await bindProd();
      const r = await command("domains");
      expect(textOf(r)).toContain("Time4VPS cannot list domains");
    });

    it("refuses an admin command from a viewer and explains the role needed", async () => {
      await bindProd();
      const r = await command("unbind prod", VIEWER);
      expect(r.body.response_type).toBe("ephemeral");
      expect(textOf(r)).toContain("You need the *admin* role");
    });

    it("answers bad input with the expected form", async () => {
      const r = await command("grant someone superuser");
      expect(r.body.response_type).toBe("ephemeral");
      expect(textOf(r)).toMatch(/Usage: .*\/hosting grant/);
    });

    it("opens the provider choice with one button per provider, and a click opens that form", async () => {
      const r = await command("accounts add");
      const blocks = r.body.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
      const buttons = blocks.find((b) => b.type === "actions")?.elements ?? [];
      expect(buttons.map((b) => b.value)).toEqual([
        "host4coins",
        "hostens",
        "time4vps",
        "hostkey",
        "thehost",
        "hostbill",
      ]);
      const hostkey = buttons.find((b) => b.value === "hostkey")!;
      const before = slack.calls.length;
      await signedPost(
        events,
        buttonClick(hostkey.action_id, "hostkey", {
          user: ADMIN,
          channel: CHANNEL,
          responseUrl: slack.responseUrl(),
        }),
        { secret: SIGNING_SECRET },
      );
      const open = await slack.waitFor((c) => c.method === "views.open" && slack.calls.indexOf(c) >= before);
      expect(JSON.stringify(open.body.view)).toContain("HOSTKEY");
    });

    it("looks a user's admin status up once for concurrent commands", async () => {
      const user = "UBURST1";
      await Promise.all(Array.from({ length: 6 }, () => command("help", user)));
      expect(slack.calls.filter((c) => c.method === "users.info" && c.body.user === user)).toHaveLength(1);
    });

    it("rejects a bad or stale signature and runs nothing", async () => {
      const before = slack.calls.length;
      const auditBefore = (
        await app.db.rows<{ n: number }>(sql`select count(*)::int as n from ${auditLog}`)
      )[0]?.n;
      const body = slashCommand("services", {
        user: ADMIN,
        channel: CHANNEL,
        responseUrl: slack.responseUrl(),
      });
      const bad = await signedPost(events, body, { secret: SIGNING_SECRET, signature: "v0=deadbeef" });
      expect(bad.status).toBe(401);
      const stale = await signedPost(events, body, {
        secret: SIGNING_SECRET,
        timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
      });
      expect(stale.status).toBe(401);
      const wrongSecret = await signedPost(events, body, { secret: "not-the-secret" });
      expect(wrongSecret.status).toBe(401);
      expect(slack.calls.length).toBe(before);
      const auditAfter = (
        await app.db.rows<{ n: number }>(sql`select count(*)::int as n from ${auditLog}`)
      )[0]?.n;
      expect(auditAfter).toBe(auditBefore);
    });

    it("writes one audit row per command and never a secret in logs or the database", async () => {
      // The account added, the wrong credentials refused, the account bound: secrets went by.
      await bindProd();
      await refuseWrong();
      const count = async () =>
        (await app.db.rows<{ n: number }>(sql`select count(*)::int as n from ${auditLog}`))[0]?.n ?? 0;
      const before = await count();
      await command("services");
      await expect.poll(count).toBe(before + 1);
      const rows = await app.db.db.select().from(auditLog);
      const dump = JSON.stringify(rows) + logLines.join("\n");
      for (const s of [provider.credentials.password!, BOT_TOKEN, SIGNING_SECRET, "definitely-wrong-pass"])
        expect(dump).not.toContain(s);
    });
  });
}
