import net from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import type { Actor } from "../../src/core/context.ts";
import { confirmationRequests } from "../../src/db/schema.ts";
import type { FakeRequest } from "../fakes/providers/fake-server.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { buttonClick, type FakeSlack, signedPost, slashCommand, startFakeSlack } from "../fakes/slack.ts";
import { BOT_TOKEN, SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { freshPostgres } from "../helpers/db.ts";
import { isReady, type Spawned, spawnHostops } from "./spawn.ts";

const ADMIN = "UADMIN1";
const CHANNEL = "C0SHUT";
const KEY = Buffer.alloc(32, 7).toString("base64"); // testConfig's key
const isPoll = (r: FakeRequest) => r.method === "GET" && /\/server\/\d+\/task\/\d+$/.test(r.path);
const isReboot = (r: FakeRequest) => r.method === "POST" && /\/server\/\d+\/reboot$/.test(r.path);
const actor = (userId: string): Actor => ({
  platform: "slack",
  workspaceId: "T1",
  channelId: CHANNEL,
  userId,
  userIsPlatformAdmin: true,
});

/** The real entry point (node src/main.ts) in Slack HTTP mode on Postgres, stopped with SIGTERM. */
describe("graceful shutdown of the real process (Postgres)", () => {
  let slack: FakeSlack;
  let provider: HostBillFake;
  let url: string;
  let drop: () => Promise<void>;
  let seed: Hostops;
  let proc: Spawned | undefined;

  const env = (extra: Record<string, string> = {}) => ({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: url,
    HOSTOPS_SECRET_KEY: KEY,
    PORT: "0",
    LOG_LEVEL: "info",
    ...extra,
  });
  const startProcess = async (extra: Record<string, string> = {}) => {
    proc = spawnHostops(env(extra));
    const ready = await proc.waitForLog(isReady, 30_000);
    return { proc, events: `http://127.0.0.1:${ready.port as number}/slack/events` };
  };
  const row = async (id: string) =>
    (await seed.db.db.select().from(confirmationRequests).where(eq(confirmationRequests.id, id)))[0]!;

  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.admins.add(ADMIN);
    provider = await startHostBillFake({ kind: "hostens", taskPollsBeforeDone: 1_000_000 });
    const pg = await freshPostgres("shutdown");
    url = pg.url;
    drop = pg.drop;
    // The data the process finds: an account bound to the channel (same database and key).
    seed = await startHostops({
      config: testConfig({ DATABASE_URL: url, SLACK_BOT_TOKEN: undefined, SLACK_SIGNING_SECRET: undefined }),
      overrides: { providerRetries: 0, noTimers: true, noHttpServer: true, followerId: "seed" },
    });
    const account = await seed.core.accounts.add({
      platform: "slack",
      workspaceId: "T1",
      label: "eu",
      kind: "hostens",
      baseUrl: provider.baseUrl,
      credentials: provider.credentials,
      createdBy: ADMIN,
    });
    await seed.core.accounts.bind(account, CHANNEL, ADMIN);
  });
  afterEach(() => {
    if (process.env.DEBUG_LIFECYCLE) console.log(proc?.stdout, proc?.stderr);
    proc?.kill();
    proc = undefined;
    provider.clearFaults();
  });
  afterAll(async () => {
    await seed?.stop({ graceMs: 0 });
    await provider?.close();
    await slack?.close();
    await drop?.();
  });

  it("SIGTERM while a command waits on a slow provider: the reply is still delivered, exit 0", async () => {
    const { proc, events } = await startProcess();
    // The provider holds its answers until the process has begun to stop.
    let answerNow: () => void = () => {};
    provider.fault({
      kind: "held",
      until: new Promise<void>((resolve) => {
        answerNow = resolve;
      }),
    });
    try {
      const before = provider.count();
      const responseUrl = slack.responseUrl();
      const isReply = (c: { method: string }) =>
        c.method === `response:${responseUrl.split("/response/")[1]}`;
      const res = await signedPost(
        events,
        slashCommand("services", { user: ADMIN, channel: CHANNEL, responseUrl }),
        {
          secret: SIGNING_SECRET,
        },
      );
      expect(res.status).toBe(200); // acked
      await expect.poll(() => provider.count(), { timeout: 10_000 }).toBeGreaterThan(before);
      const heldSince = Date.now();
      proc.child.kill("SIGTERM");
      await proc.waitForLog((l) => l.msg === "stopping");
      // Stopping, with the command still waiting on the provider: now it answers.
      expect(slack.responses().some(isReply)).toBe(false);
      const heldFor = Date.now() - heldSince;
      answerNow();
      expect(await proc.exitWithin(8_000 + 2_000)).toEqual({ code: 0, signal: null });
      const reply = slack.responses().find(isReply);
      expect(JSON.stringify(reply?.body)).toContain("eu");
      // The command's log line carries Slack's trigger id and its duration (the wait included).
      const line = proc.logs().find((l) => l.msg === "command handled" && l.command === "services");
      expect(line?.requestId).toMatch(/^trig-/);
      expect(line?.ms).toBeGreaterThanOrEqual(heldFor);
      expect(proc.logs().some((l) => l.msg === "stopped" && l.drained === true)).toBe(true);
    } finally {
      answerNow();
    }
  });

  it("SIGTERM while a task is being followed: exit 0 within the grace + 2 s, lease released, state kept", async () => {
    await seed.dispatcher.command({ ...actor("UOPER"), path: ["reboot"], args: { service: "302" } });
    const [req] = await seed.db.db
      .select()
      .from(confirmationRequests)
      .where(eq(confirmationRequests.status, "pending"));
    await seed.dispatcher.action(actor(ADMIN), "confirm:approve", req!.id);
    await seed.tasks.stop(5_000); // the seed replica goes away; the process takes the task on
    const polled = provider.count(isPoll);
    const { proc } = await startProcess();
    await expect.poll(() => provider.count(isPoll), { timeout: 10_000 }).toBeGreaterThan(polled);
    await expect.poll(async () => (await row(req!.id)).followOwner).not.toBeNull();
    proc.child.kill("SIGTERM");
    expect(await proc.exitWithin(8_000 + 2_000)).toEqual({ code: 0, signal: null });
    const after = await row(req!.id);
    expect(after.status).toBe("executing");
    expect(after.followOwner).toBeNull();
  });

  it("an action still executing at the deadline keeps 'executing' (recovered later, never re-run)", async () => {
    await seed.dispatcher.command({ ...actor("UOPER"), path: ["reboot"], args: { service: "304" } });
    const [req] = await seed.db.db
      .select()
      .from(confirmationRequests)
      .where(eq(confirmationRequests.status, "pending"));
    const { proc, events } = await startProcess({ HOSTOPS_SHUTDOWN_GRACE_MS: "500" });
    provider.fault({ kind: "hang" }, { match: isReboot });
    const reboots = provider.count(isReboot);
    const res = await signedPost(
      events,
      buttonClick("confirm:approve", req!.id, {
        user: ADMIN,
        channel: CHANNEL,
        responseUrl: slack.responseUrl(),
      }),
      { secret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    await expect.poll(() => provider.count(isReboot), { timeout: 10_000 }).toBe(reboots + 1);
    proc.child.kill("SIGTERM");
    expect(await proc.exitWithin(500 + 2_000)).toEqual({ code: 0, signal: null });
    expect((await row(req!.id)).status).toBe("executing");
    expect(provider.count(isReboot)).toBe(reboots + 1);
    expect(proc.logs().some((l) => l.msg === "stopped" && l.drained === false)).toBe(true);
  });

  it("a signal while the database is still connecting ends the start at once (exit 0, nothing served)", async () => {
    // A "database" that accepts the connection and never answers.
    const held: net.Socket[] = [];
    const silent = net.createServer((s) => held.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      proc = spawnHostops(
        env({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/x`, HOSTOPS_SHUTDOWN_GRACE_MS: "1000" }),
      );
      await expect.poll(() => held.length, { timeout: 20_000 }).toBeGreaterThan(0);
      proc.child.kill("SIGTERM");
      expect(await proc.exitWithin(1_000 + 2_000)).toEqual({ code: 0, signal: null });
      expect(proc.logs().some(isReady)).toBe(false);
    } finally {
      for (const s of held) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
