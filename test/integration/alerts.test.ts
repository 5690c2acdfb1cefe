import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { type DiscordHandle, startDiscord } from "../../src/chat/discord/index.ts";
import { loadConfig } from "../../src/config.ts";
import type { Account, Binding } from "../../src/core/accounts.ts";
import { runAlertScan, type ScanSummary } from "../../src/core/alerts/scan.ts";
import type { Clock } from "../../src/core/context.ts";
import { grantRole } from "../../src/core/permissions.ts";
import { alertDeliveries, confirmationRequests, cronRuns } from "../../src/db/schema.ts";
import { ALERT_TASK_NAME, startAlertScheduler } from "../../src/scheduler/alerts.ts";
import { type FakeDiscord, type RestCall, startFakeDiscord, type WireComponent } from "../fakes/discord.ts";
import {
  type FakeService,
  fakeDay,
  type HostBillFake,
  type HostBillFakeData,
  type HostBillFakeKind,
  hostbillDemoData,
  startHostBillFake,
} from "../fakes/providers/hostbill.ts";
import {
  buttonClick,
  type FakeSlack,
  type SlackCall,
  signedPost,
  slashCommand,
  startFakeSlack,
  viewSubmission,
} from "../fakes/slack.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { freshPostgres } from "../helpers/db.ts";

const ADMIN = "UADMIN1";
const OPERATOR = "UOPER1";
const VIEWER = "UVIEW1";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A clock the test moves; it starts at noon UTC today so that hours added stay on the same date. */
class TestClock implements Clock {
  t: number;
  constructor() {
    const n = new Date();
    this.t = Date.UTC(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate(), 12);
  }
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

const hhmm = (d: Date) => d.toISOString().slice(11, 16);
const textOf = (c: SlackCall) => JSON.stringify(c.body);

interface Bound {
  fake: HostBillFake;
  account: Account;
  binding: Binding;
  channel: string;
}

interface Env {
  slack: FakeSlack;
  clock: TestClock;
  apps: Hostops[];
  fakes: HostBillFake[];
  drop?: () => Promise<void>;
}

async function startEnv(dbKind: "pglite" | "postgres", replicas = 1): Promise<Env> {
  const slack = await startFakeSlack();
  slack.admins.add(ADMIN);
  const clock = new TestClock();
  let databaseUrl: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  if (dbKind === "postgres") {
    const pg = await freshPostgres("alerts");
    databaseUrl = pg.url;
    drop = pg.drop;
  }
  const apps: Hostops[] = [];
  for (let i = 0; i < replicas; i++)
    apps.push(
      await startHostops({
        config: testConfig({
          SLACK_API_URL: slack.apiUrl,
          DATABASE_URL: databaseUrl,
          HOSTOPS_PROVIDER_TIMEOUT_MS: "1500",
        }),
        clock,
        overrides: {
          memoryDb: dbKind === "pglite",
          providerRetries: 0,
          slackProcessBeforeResponse: true,
          noTimers: true,
        },
      }),
    );
  await grantRole(apps[0]!.db, {
    actor: { platform: "slack", workspaceId: "T1", channelId: "", userId: ADMIN, userIsPlatformAdmin: true },
    subject: OPERATOR,
    role: "operator",
    scope: "workspace",
  });
  return { slack, clock, apps, fakes: [], drop };
}

async function stopEnv(env: Env | undefined): Promise<void> {
  if (!env) return;
  for (const a of env.apps) await a.stop();
  for (const f of env.fakes) await f.close();
  await env.slack.close();
  await env.drop?.();
}

/** A HostBill fake with demo data (dates relative to the test clock), an account on it, bound to `channel`. */
async function addAccount(
  env: Env,
  label: string,
  channel: string,
  opts: { kind?: HostBillFakeKind; data?: (demo: HostBillFakeData) => Partial<HostBillFakeData> } = {},
): Promise<Bound> {
  const kind = opts.kind ?? "time4vps";
  const demo = hostbillDemoData(kind, env.clock.now());
  const fake = await startHostBillFake({ kind, now: env.clock.now(), data: opts.data?.(demo) });
  env.fakes.push(fake);
  const app = env.apps[0]!;
  const account = await app.core.accounts.add({
    platform: "slack",
    workspaceId: "T1",
    label,
    kind,
    baseUrl: fake.baseUrl,
    credentials: fake.credentials,
    createdBy: ADMIN,
  });
  await app.core.accounts.bind(account, channel, ADMIN);
  const binding = (await app.core.accounts.channelAccounts("slack", "T1", channel)).find(
    (b) => b.account.id === account.id,
  )!.binding;
  return { fake, account, binding, channel };
}

/** One service of the demo data, due `days` from the clock's today. */
function serviceDue(
  env: Env,
  demo: HostBillFakeData,
  days: number,
  over: Partial<FakeService> = {},
): FakeService {
  return { ...demo.services[1]!, next_due: fakeDay(env.clock.now(), days), ...over };
}

const postsIn = (env: Env, channel: string) =>
  env.slack.calls.filter((c) => c.method === "chat.postMessage" && c.body.channel === channel);

function buttonsOf(c: SlackCall): { action_id: string; value: string; text: { text: string } }[] {
  const blocks = c.body.blocks as {
    type: string;
    elements?: { action_id: string; value: string; text: { text: string } }[];
  }[];
  return blocks.filter((b) => b.type === "actions").flatMap((b) => b.elements ?? []);
}

for (const dbKind of ["pglite", "postgres"] as const) {
  describe(`alerts on ${dbKind}`, () => {
    let env: Env;
    let app: Hostops;
    let events: string;
    beforeAll(async () => {
      env = await startEnv(dbKind);
      app = env.apps[0]!;
      events = `http://127.0.0.1:${app.port}/slack/events`;
    });
    afterAll(() => stopEnv(env));

    const scan = (bound: Bound[], opts: { dryRun?: boolean } = {}) =>
      runAlertScan(app.core, { bindingIds: bound.map((b) => b.binding.id), ...opts });
    const responseOf = (url: string) =>
      env.slack.waitFor((c) => c.method === `response:${url.split("/response/")[1]}`);
    const command = async (text: string, user: string, channel: string) => {
      const responseUrl = env.slack.responseUrl();
      const res = await signedPost(events, slashCommand(text, { user, channel, responseUrl }), {
        secret: SIGNING_SECRET,
      });
      expect(res.status).toBe(200);
      return responseOf(responseUrl);
    };
    const click = async (button: { action_id: string; value: string }, user: string, channel: string) => {
      const responseUrl = env.slack.responseUrl();
      await signedPost(events, buttonClick(button.action_id, button.value, { user, channel, responseUrl }), {
        secret: SIGNING_SECRET,
      });
      return responseOf(responseUrl);
    };

    it("posts every alert of a binding as one digest, with what to do, and never posts it again", async () => {
      const b = await addAccount(env, "digest", "C_DIGEST");
      const first = await scan([b]);
      // Demo data: 302 due in 3 days, 303 due today, 304 expired 12 days ago, one unpaid and one overdue invoice.
      expect(first).toMatchObject({ posted: 5, messages: 1, deduplicated: 0, failures: 0 });
      const posts = postsIn(env, "C_DIGEST");
      expect(posts).toHaveLength(1);
      const text = textOf(posts[0]!);
      expect(text).toContain("5 alerts for digest (Time4VPS)");
      expect(text).toContain("Service web (Linux 4) expires in 3 days");
      expect(text).toContain("vps2.example.com (Linux 4) expires today");
      expect(text).toContain("old.example.com (Linux 4) expired 12 days ago");
      expect(text).toContain("Invoice 308977 (4.99 EUR) is unpaid");
      expect(text).toContain("Invoice 308978 (9.99 EUR) is overdue");
      expect(text).toContain("What to do:");
      expect(text).toContain("does not cover the renewal (47.88 EUR)");
      // Time4VPS cannot renew services from the API: no Renew button, the advice says where to renew.
      expect(buttonsOf(posts[0]!).filter((x) => x.action_id.startsWith("alerts:renew"))).toEqual([]);
      expect(text).toContain("Renew it in the Time4VPS client area");

      const again = await scan([b]);
      expect(again).toMatchObject({ posted: 0, messages: 0, deduplicated: 5 });
      env.clock.advance(HOUR);
      expect((await scan([b])).posted).toBe(0);
      expect(postsIn(env, "C_DIGEST")).toHaveLength(1);
      const rows = await app.db.db
        .select()
        .from(alertDeliveries)
        .where(eq(alertDeliveries.bindingId, b.binding.id));
      expect(rows.map((r) => r.status)).toEqual(Array(5).fill("sent"));
      expect(rows.every((r) => r.messageRef?.platform === "slack")).toBe(true);
    });

    it("a dry run says what would be posted and writes nothing", async () => {
      const b = await addAccount(env, "dry", "C_DRY");
      const s = await scan([b], { dryRun: true });
      expect(s.posted).toBe(5);
      expect(s.reports[0]!.planned!.map((p) => p.action)).toEqual(Array(5).fill("post"));
      expect(postsIn(env, "C_DRY")).toHaveLength(0);
      expect(
        await app.db.db.select().from(alertDeliveries).where(eq(alertDeliveries.bindingId, b.binding.id)),
      ).toHaveLength(0);
    });

    it("crosses each threshold exactly once across repeated scans, and a renewal resets the key", async () => {
      const b = await addAccount(env, "thresholds", "C_THRESH", {
        data: (demo) => ({ services: [serviceDue(env, demo, 15)], invoices: [] }),
      });
      const postedOn: number[] = [];
      for (let d = 0; d <= 17; d++) {
        if (d > 0) env.clock.advance(DAY);
        const before = postsIn(env, "C_THRESH").length;
        await scan([b]);
        env.clock.advance(HOUR);
        await scan([b]); // the next hourly scan finds nothing new
        env.clock.advance(-HOUR);
        if (postsIn(env, "C_THRESH").length > before) postedOn.push(d);
        expect(postsIn(env, "C_THRESH").length - before).toBeLessThanOrEqual(1);
      }
      // 14, 7, 3 and 1 days left, then expired.
      expect(postedOn).toEqual([1, 8, 12, 14, 16]);
      const texts = postsIn(env, "C_THRESH").map(textOf);
      expect(texts[0]).toContain("expires in 14 days");
      expect(texts[4]).toContain("expired yesterday");

      // Renewed: a new due date 20 days out. The old keys no longer hold and are deleted.
      const oldDate = b.fake.state.services[0]!.next_due;
      b.fake.state.services[0]!.next_due = fakeDay(env.clock.now(), 20);
      const renewed = await scan([b]);
      expect(renewed.posted).toBe(0);
      expect(renewed.reset).toBe(1);
      const rows = await app.db.db
        .select()
        .from(alertDeliveries)
        .where(eq(alertDeliveries.bindingId, b.binding.id));
      expect(rows.filter((r) => r.alertKey.includes(oldDate))).toEqual([]);
      env.clock.advance(6 * DAY);
      const next = await scan([b]);
      expect(next.posted).toBe(1);
      expect(textOf(postsIn(env, "C_THRESH").at(-1)!)).toContain("expires in 14 days");
    });

    it("an account bound to two channels is fetched once per scan and alerts in both", async () => {
      const b1 = await addAccount(env, "shared", "C_SHARED1", {
        data: (demo) => ({ services: [serviceDue(env, demo, 2)], invoices: [] }),
      });
      await app.core.accounts.bind(b1.account, "C_SHARED2", ADMIN);
      const b2 = {
        ...b1,
        channel: "C_SHARED2",
        binding: (await app.core.accounts.channelAccounts("slack", "T1", "C_SHARED2"))[0]!.binding,
      };
      const listCalls = () => b1.fake.count((r) => r.path === "/api/service");
      const before = listCalls();
      const s = await scan([b1, b2]);
      expect(listCalls() - before).toBe(1);
      expect(s).toMatchObject({ bindings: 2, accounts: 1, posted: 2, messages: 2 });
      expect(postsIn(env, "C_SHARED1")).toHaveLength(1);
      expect(postsIn(env, "C_SHARED2")).toHaveLength(1);
    });

    it("a failing provider gives one notice per outage; the other bindings get their alerts", async () => {
      const ok = await addAccount(env, "okacct", "C_OUT_OK", {
        data: (demo) => ({ services: [serviceDue(env, demo, 5)], invoices: [] }),
      });
      const bad = await addAccount(env, "shop", "C_OUT_BAD", {
        kind: "hostens",
        data: (demo) => ({ services: [serviceDue(env, demo, 5)], invoices: [], domains: [demo.domains[1]!] }),
      });
      // Scan 1: shop hangs until the provider timeout; okacct's digest does not wait for it.
      bad.fake.fault({ kind: "hang" });
      let settled = false;
      const first = scan([ok, bad]).finally(() => {
        settled = true;
      });
      await env.slack.waitFor((c) => c.method === "chat.postMessage" && c.body.channel === "C_OUT_OK");
      expect(settled).toBe(false);
      const s1 = await first;
      expect(s1).toMatchObject({ failures: 1, outageNotices: 1, messages: 2 });
      expect(s1.failedAccounts[0]!.account).toBe("shop");
      const notice = postsIn(env, "C_OUT_BAD");
      expect(notice).toHaveLength(1);
      expect(textOf(notice[0]!)).toMatch(/Could not check account shop since \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      expect(postsIn(env, "C_OUT_OK")).toHaveLength(1);

      // Scan 2, an hour later, a different failure: still the same outage, no second notice.
      bad.fake.clearFaults();
      bad.fake.fault({ kind: "status", status: 500, json: { error: ["Internal error"] } });
      env.clock.advance(HOUR);
      const s2 = await scan([ok, bad]);
      expect(s2).toMatchObject({ failures: 1, posted: 0, messages: 0 });
      expect(postsIn(env, "C_OUT_BAD")).toHaveLength(1);

      // Back: one "answers again" with the alerts that were waiting behind the outage.
      bad.fake.clearFaults();
      env.clock.advance(HOUR);
      const s3 = await scan([ok, bad]);
      expect(s3).toMatchObject({ failures: 0, recoveries: 1 });
      const back = postsIn(env, "C_OUT_BAD");
      expect(back).toHaveLength(2);
      expect(textOf(back[1]!)).toContain("shop (Hostens) answers again");
      expect(textOf(back[1]!)).toContain("example-shop.com expires in 6 days");
      // A new outage later is a new notice.
      bad.fake.fault({ kind: "status", status: 500 });
      env.clock.advance(HOUR);
      expect((await scan([ok, bad])).outageNotices).toBe(1);
      bad.fake.clearFaults();
    });

    it("quiet hours hold alerts (critical ones break through) and the first scan after delivers them", async () => {
      const b = await addAccount(env, "quiet", "C_QUIET", {
        data: (demo) => ({
          services: [
            serviceDue(env, demo, 10),
            serviceDue(env, demo, 1, { id: "303", domain: "vps2.example.com" }),
          ],
          invoices: [],
        }),
      });
      const now = env.clock.now();
      await app.core.accounts.updateBinding(b.binding.id, {
        alertSettings: {
          ...b.binding.alertSettings,
          quietStart: hhmm(new Date(now.getTime() - HOUR)),
          quietEnd: hhmm(new Date(now.getTime() + 2 * HOUR)),
        },
      });
      const s1 = await scan([b]);
      expect(s1).toMatchObject({ posted: 1, deferred: 1 });
      expect(postsIn(env, "C_QUIET")).toHaveLength(1);
      expect(textOf(postsIn(env, "C_QUIET")[0]!)).toContain("vps2.example.com (Linux 4) expires tomorrow");
      env.clock.advance(HOUR);
      expect(await scan([b])).toMatchObject({ posted: 0, deferred: 1 });
      env.clock.advance(HOUR + 60_000);
      const after = await scan([b]);
      expect(after).toMatchObject({ posted: 1, deferred: 0 });
      const delivered = textOf(postsIn(env, "C_QUIET")[1]!);
      expect(delivered).toContain("Service web (Linux 4) expires in 10 days");
      expect(delivered).toContain("during the quiet hours");
      expect((await scan([b])).posted).toBe(0);

      // Without the override, a critical alert waits too.
      const strict = await addAccount(env, "strict", "C_STRICT", {
        data: (demo) => ({ services: [serviceDue(env, demo, 0)], invoices: [] }),
      });
      const t = env.clock.now();
      await app.core.accounts.updateBinding(strict.binding.id, {
        alertSettings: {
          ...strict.binding.alertSettings,
          quietStart: hhmm(new Date(t.getTime() - HOUR)),
          quietEnd: hhmm(new Date(t.getTime() + HOUR)),
          criticalOverridesQuiet: false,
        },
      });
      expect(await scan([strict])).toMatchObject({ posted: 0, deferred: 1 });
    });

    it("snooze holds an alert and reminds when the snooze ends; snooze-all holds the binding", async () => {
      const b = await addAccount(env, "snooze", "C_SNOOZE", {
        data: (demo) => ({ services: [serviceDue(env, demo, 12)], invoices: [] }),
      });
      await scan([b]);
      const [post] = postsIn(env, "C_SNOOZE");
      const oneDay = buttonsOf(post!).find((x) => x.text.text === "Snooze web 1 day")!;
      const viewerTry = await click(oneDay, VIEWER, "C_SNOOZE");
      expect(textOf(viewerTry)).toContain("You need the *operator* role");
      const ok = await click(oneDay, OPERATOR, "C_SNOOZE");
      expect(ok.body.response_type).toBe("in_channel");
      expect(textOf(ok)).toMatch(/snoozed .*expires in 12 days.* for 1 day/);
      // A button of this channel cannot snooze from another channel.
      const elsewhere = await click(oneDay, OPERATOR, "C_OTHER");
      expect(textOf(elsewhere)).toContain("no longer applies");

      env.clock.advance(HOUR);
      expect((await scan([b])).posted).toBe(0);
      env.clock.advance(DAY);
      const reminder = await scan([b]);
      expect(reminder.posted).toBe(1);
      expect(textOf(postsIn(env, "C_SNOOZE")[1]!)).toContain("Reminder: this was snoozed until");
      expect((await scan([b])).posted).toBe(0);

      // Snoozed for 7 days: the 7-day crossing waits; after the snooze the current crossing is posted once.
      const sevenDays = buttonsOf(postsIn(env, "C_SNOOZE")[1]!).find(
        (x) => x.text.text === "Snooze web 7 days",
      )!;
      await click(sevenDays, OPERATOR, "C_SNOOZE");
      env.clock.advance(4 * DAY); // 7 days left: crosses 7
      expect(await scan([b])).toMatchObject({ posted: 0, deferred: 1 });
      env.clock.advance(4 * DAY); // snooze over, 3 days left: crosses 3
      expect((await scan([b])).posted).toBe(1);
      expect(textOf(postsIn(env, "C_SNOOZE")[2]!)).toContain("expires in 3 days");
      expect((await scan([b])).posted).toBe(0);

      // Snooze all: new alerts of the binding wait until it ends (or /hosting alerts on).
      b.fake.state.invoices = [{ ...hostbillDemoData("time4vps", env.clock.now()).invoices[1]! }];
      const all = buttonsOf(postsIn(env, "C_SNOOZE")[2]!).find((x) => x.text.text.startsWith("Snooze all"));
      // A digest with one alert has no "snooze all": use the command that ends it, after snoozing by hand.
      expect(all).toBeUndefined();
      await app.core.accounts.updateBinding(b.binding.id, {
        snoozedUntil: new Date(env.clock.now().getTime() + DAY),
      });
      expect(await scan([b])).toMatchObject({ posted: 0, deferred: 1 });
      const on = await command("alerts on snooze", ADMIN, "C_SNOOZE");
      expect(textOf(on)).toContain("Alerts are on for snooze");
      expect((await scan([b])).posted).toBe(1);
    });

    it("Renew on an alert asks for approval through a confirmation request", async () => {
      const b = await addAccount(env, "renewshop", "C_RENEW", {
        kind: "hostens",
        data: (demo) => ({ services: [], invoices: [], domains: [demo.domains[1]!, demo.domains[0]!] }),
      });
      // Two alerts (6 and 20 days: only 6 crosses 7; the 20-day one is quiet) -> one.
      await scan([b]);
      const [post] = postsIn(env, "C_RENEW");
      expect(textOf(post!)).toContain("Domain example-shop.com expires in 6 days");
      const renew = buttonsOf(post!).find((x) => x.text.text === "Renew example-shop.com")!;
      expect(renew).toBeDefined();
      const denied = await click(renew, VIEWER, "C_RENEW");
      expect(textOf(denied)).toContain("operator");
      const before = postsIn(env, "C_RENEW").length;
      const res = await click(renew, OPERATOR, "C_RENEW");
      expect(textOf(res)).toContain("Request posted");
      const card = postsIn(env, "C_RENEW")[before]!;
      expect(textOf(card)).toContain("Renew domain requested");
      const [req] = await app.db.db
        .select()
        .from(confirmationRequests)
        .where(
          and(eq(confirmationRequests.channelId, "C_RENEW"), eq(confirmationRequests.action, "domain-renew")),
        );
      expect(req).toMatchObject({ status: "pending", requesterId: OPERATOR, accountId: b.account.id });
      expect(req!.params).toMatchObject({ domainId: "48", domainName: "example-shop.com" });
      // Renewed: the alert's key goes away and its button no longer acts.
      b.fake.state.domains[0]!.expires = fakeDay(env.clock.now(), 365);
      expect((await scan([b])).reset).toBe(1);
      expect(textOf(await click(renew, OPERATOR, "C_RENEW"))).toContain("no longer applies");
    });

    it("/hosting alerts shows the settings; config opens a validated form; run posts now", async () => {
      const b = await addAccount(env, "cmds", "C_CMDS", {
        data: (demo) => ({ services: [serviceDue(env, demo, 3)], invoices: [] }),
      });
      const show = await command("alerts", VIEWER, "C_CMDS");
      expect(show.body.response_type).toBe("ephemeral");
      expect(textOf(show)).toContain("Days before expiry");
      expect(textOf(show)).toContain("14, 7, 3, 1");

      expect(textOf(await command("alerts config", VIEWER, "C_CMDS"))).toContain("You need the *admin* role");
      const before = env.slack.calls.length;
      const responseUrl = env.slack.responseUrl();
      await signedPost(
        events,
        slashCommand("alerts config", { user: ADMIN, channel: "C_CMDS", responseUrl }),
        {
          secret: SIGNING_SECRET,
        },
      );
      const open = await env.slack.waitFor(
        (c) => c.method === "views.open" && env.slack.calls.indexOf(c) >= before,
      );
      const view = open.body.view as {
        callback_id: string;
        private_metadata: string;
        blocks: { block_id?: string }[];
      };
      expect(view.callback_id).toBe("alerts:config");
      expect(view.blocks.filter((x) => x.block_id).map((x) => x.block_id)).toEqual([
        "expiry_days",
        "min_balance",
        "unpaid",
        "quiet_hours",
        "critical",
      ]);
      const submit = async (values: Record<string, string>) => {
        const res = await signedPost(events, viewSubmission(view, values, { user: ADMIN }), {
          secret: SIGNING_SECRET,
        });
        return (await res.json().catch(() => ({}))) as {
          response_action?: string;
          errors?: Record<string, string>;
        };
      };
      const bad = await submit({
        expiry_days: "14, soon",
        min_balance: "ten",
        unpaid: "on",
        quiet_hours: "25:00-7",
        critical: "on",
      });
      expect(bad.response_action).toBe("errors");
      expect(Object.keys(bad.errors!).sort()).toEqual(["expiry_days", "min_balance", "quiet_hours"]);
      expect(bad.errors!.min_balance).toContain("an amount such as 10 or 12.50");
      const good = await submit({
        expiry_days: "30, 3",
        min_balance: "100",
        unpaid: "off",
        quiet_hours: "23:00-06:00",
        critical: "on",
      });
      expect(good.response_action).toBe("update");
      const [saved] = (await app.core.accounts.channelAccounts("slack", "T1", "C_CMDS")).map(
        (x) => x.binding,
      );
      expect(saved!.alertSettings).toMatchObject({
        expiryDays: [30, 3],
        minBalance: "100.00",
        unpaidInvoices: false,
        quietStart: "23:00",
        quietEnd: "06:00",
      });

      expect(textOf(await command("alerts run", VIEWER, "C_CMDS"))).toContain("You need the *operator* role");
      const preview = await command("alerts run --preview", OPERATOR, "C_CMDS");
      expect(textOf(preview)).toContain("would be posted");
      expect(postsIn(env, "C_CMDS")).toHaveLength(0);
      const ran = await command("alerts run", OPERATOR, "C_CMDS");
      expect(ran.body.response_type).toBe("ephemeral");
      // The 3-day crossing and the balance below 100.00.
      expect(textOf(ran)).toContain("2 new alerts posted in this channel");
      expect(postsIn(env, "C_CMDS")).toHaveLength(1);
      expect(textOf(postsIn(env, "C_CMDS")[0]!)).toContain("below the minimum of 100.00");
      expect(textOf(await command("alerts run", OPERATOR, "C_CMDS"))).toContain("0 new alerts posted");
      expect(b.binding.id).toBe(saved!.id);
    });
  });
}

describe("three replicas on one Postgres", () => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv("postgres", 3);
  });
  afterAll(() => stopEnv(env));

  it("three concurrent scans post each alert exactly once", async () => {
    const a = await addAccount(env, "replica-a", "C_REP1");
    await addAccount(env, "replica-b", "C_REP2", {
      data: (demo) => ({ services: [serviceDue(env, demo, 2), serviceDue(env, demo, 7, { id: "305" })] }),
    });
    await env.apps[0]!.core.accounts.bind(a.account, "C_REP3", ADMIN);
    const runs = await Promise.all(env.apps.map((app) => runAlertScan(app.core)));
    const total = (k: keyof ScanSummary) => runs.reduce((n, r) => n + (r[k] as number), 0);
    // a: 5 alerts in two channels; b: 2 services + 2 invoices.
    expect(total("posted")).toBe(5 + 5 + 4);
    for (const ch of ["C_REP1", "C_REP2", "C_REP3"]) expect(postsIn(env, ch)).toHaveLength(1);
    const rows = await env.apps[0]!.db.db.select().from(alertDeliveries);
    expect(rows).toHaveLength(14);
    expect(rows.every((r) => r.status === "sent")).toBe(true);

    const again = await Promise.all(env.apps.map((app) => runAlertScan(app.core)));
    expect(again.reduce((n, r) => n + r.posted, 0)).toBe(0);
    for (const ch of ["C_REP1", "C_REP2", "C_REP3"]) expect(postsIn(env, ch)).toHaveLength(1);
  });

  it("three node-cron schedulers take each fire once (Postgres claim table) and post once", async () => {
    const c = await addAccount(env, "cron-c", "C_CRON", {
      data: (demo) => ({ services: [serviceDue(env, demo, 1)], invoices: [] }),
    });
    // Warm every pool so no connection is opened under fake timers.
    for (const app of env.apps) await app.db.ping();
    const ran: string[] = [];
    const skipped: string[] = [];
    let waiters: (() => void)[] = [];
    const progress = () => {
      for (const w of waiters) w();
    };
    const until = (pred: () => boolean) =>
      new Promise<void>((resolve) => {
        if (pred()) return resolve();
        waiters.push(() => {
          if (pred()) resolve();
        });
      });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const slotBase = Date.UTC(2030, 0, 1, 8, 59, 30);
    vi.setSystemTime(slotBase);
    const schedulers = env.apps.map((app, i) =>
      startAlertScheduler(app.core, {
        cron: "0 * * * *",
        timeZone: "UTC",
        replicaId: `replica-${i}`,
        scan: async () => {
          const s = await runAlertScan(app.core, { bindingIds: [c.binding.id] });
          ran.push(`replica-${i}:${s.posted}`);
          progress();
          return s;
        },
      }),
    );
    for (const s of schedulers)
      s.task.on("execution:skipped", (ctx) => {
        skipped.push(`${ctx.reason}`);
        progress();
      });
    try {
      await vi.advanceTimersByTimeAsync(60_000); // 09:00
      await until(() => ran.length + skipped.length === 3);
      await vi.advanceTimersByTimeAsync(HOUR); // 10:00
      await until(() => ran.length + skipped.length === 6);
    } finally {
      for (const s of schedulers) await s.stop();
      vi.useRealTimers();
      waiters = [];
    }
    expect(ran).toHaveLength(2);
    expect(skipped).toEqual(Array(4).fill("not-elected"));
    // The first fire posted the alert; the second found it posted.
    expect(ran.map((r) => r.split(":")[1])).toEqual(["1", "0"]);
    expect(postsIn(env, "C_CRON")).toHaveLength(1);
    const claims = await env.apps[0]!.db.db.select().from(cronRuns);
    expect(claims.map((r) => r.key).sort()).toEqual([
      `${ALERT_TASK_NAME}:2030-01-01T09:00:00.000Z`,
      `${ALERT_TASK_NAME}:2030-01-01T10:00:00.000Z`,
    ]);
  });
});

describe("alerts through the Discord messenger (real discord.js client against a fake Discord)", () => {
  let fake: FakeDiscord;
  let provider: HostBillFake;
  let app: Hostops;
  let discord: DiscordHandle;
  const clock = new TestClock();

  beforeAll(async () => {
    fake = await startFakeDiscord();
    provider = await startHostBillFake({
      kind: "time4vps",
      now: clock.now(),
      data: { invoices: [] },
    });
    app = await startHostops({
      config: loadConfig({
        PORT: "0",
        LOG_LEVEL: "silent",
        HOSTOPS_SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
      }),
      clock,
      overrides: { memoryDb: true, providerRetries: 0, noTimers: true },
    });
    discord = await startDiscord({
      core: app.core,
      dispatcher: app.dispatcher,
      config: {
        DISCORD_TOKEN: "fake-discord-bot-token-alerts",
        DISCORD_APPLICATION_ID: fake.appId,
        DISCORD_GUILD_ID: fake.guildId,
        DISCORD_API_URL: fake.restBase,
      },
      log: app.core.log,
    });
  });
  afterAll(async () => {
    await discord?.stop();
    await app?.stop();
    await provider?.close();
    await fake?.close();
  });

  const controls = (c: RestCall | undefined): WireComponent[] =>
    (c?.body.components ?? []).flatMap((x) => x.components ?? (x.component ? [x.component] : [x]));
  const callback = (i: { id: string; token: string }) =>
    fake.waitForCall((c) => c.path === `/interactions/${i.id}/${i.token}/callback`);

  it("posts one digest as a channel message within Discord's limits, and its Snooze button works", async () => {
    const account = await app.core.accounts.add({
      platform: "discord",
      workspaceId: fake.guildId,
      label: "dprod",
      kind: "time4vps",
      baseUrl: provider.baseUrl,
      credentials: provider.credentials,
      createdBy: fake.members.admin.id,
    });
    await app.core.accounts.bind(account, fake.channelId, fake.members.admin.id);
    const s = await runAlertScan(app.core);
    // 302 in 3 days, 303 today, 304 expired.
    expect(s).toMatchObject({ posted: 3, messages: 1 });
    const posts = fake.calls.filter(
      (c) => c.method === "POST" && c.path === `/channels/${fake.channelId}/messages`,
    );
    expect(posts).toHaveLength(1);
    const text = JSON.stringify(posts[0]!.body);
    expect(text).toContain("3 alerts for dprod (Time4VPS)");
    expect(text).toContain("expires today");
    expect(fake.violations).toEqual([]);
    const snooze = controls(posts[0]).find((b) => b.label === "Snooze web 7 days");
    expect(snooze?.custom_id).toBeDefined();

    const click = fake.button(snooze!.custom_id!, { message: posts[0]!.body });
    const answered = await fake.waitForCall(
      (c) => c.seq > posts[0]!.seq && /snoozed/.test(JSON.stringify(c.body)) && c.path.includes(click.token),
    );
    expect(JSON.stringify(answered.body)).toContain("for 7 days");
    const rows = await app.db.db.select().from(alertDeliveries);
    expect(rows.filter((r) => r.snoozedUntil)).toHaveLength(1);
    expect(fake.violations).toEqual([]);

    // Nothing new on the next scan.
    expect((await runAlertScan(app.core)).posted).toBe(0);
  });

  it("/hosting alerts config opens a five-field form on Discord", async () => {
    const i = fake.slash(["alerts", "config"]);
    const opened = await callback(i);
    expect(opened.body.type).toBe(9);
    expect(controls({ body: opened.body.data ?? {} } as RestCall).map((c) => c.custom_id)).toEqual([
      "expiry_days",
      "min_balance",
      "unpaid",
      "quiet_hours",
      "critical",
    ]);
    expect(fake.violations).toEqual([]);
  });
});
