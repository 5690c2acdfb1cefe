import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { recoverInterrupted } from "../../src/core/confirmations.ts";
import type { Actor, Clock } from "../../src/core/context.ts";
import { confirmationRequests } from "../../src/db/schema.ts";
import type { FakeRequest } from "../fakes/providers/fake-server.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { testConfig } from "../helpers/config.ts";
import { freshPostgres } from "../helpers/db.ts";

const CHANNEL = "C0TASKS";
const isPoll = (r: FakeRequest) => r.method === "GET" && /\/server\/\d+\/task\/\d+$/.test(r.path);

class TestClock implements Clock {
  offsetMs = 0;
  now() {
    return new Date(Date.now() + this.offsetMs);
  }
}

const actor = (userId: string): Actor => ({
  platform: "slack",
  workspaceId: "T1",
  channelId: CHANNEL,
  userId,
  userIsPlatformAdmin: true,
});

/**
 * Two replicas on one Postgres follow a reboot's provider task. The poll interval is long (a
 * minute), so a follower polls exactly once when it takes the task on: every extra poller shows up
 * as an extra poll at the fake provider. Stopping the followers waits for the polls they started.
 */
describe("task following: one poller per provider task across replicas (Postgres)", () => {
  let provider: HostBillFake;
  let a: Hostops;
  let b: Hostops;
  let e: Hostops;
  let drop: () => Promise<void>;
  let url: string;
  const clock = new TestClock();
  const polls = () => provider.count(isPoll);
  const grace = 2 * 15_000 + 60_000;

  const replica = (name: string, url: string) =>
    startHostops({
      config: testConfig({ DATABASE_URL: url, SLACK_BOT_TOKEN: undefined, SLACK_SIGNING_SECRET: undefined }),
      clock,
      overrides: {
        providerRetries: 0,
        noTimers: true,
        noHttpServer: true,
        taskPollMs: 60_000,
        followerId: name,
      },
    });
  const row = async (id: string) =>
    (await a.db.db.select().from(confirmationRequests).where(eq(confirmationRequests.id, id)))[0]!;

  beforeAll(async () => {
    provider = await startHostBillFake({ kind: "hostens", taskPollsBeforeDone: 1_000_000 });
    const pg = await freshPostgres("tasks");
    drop = pg.drop;
    url = pg.url;
    a = await replica("replica-a", url);
    b = await replica("replica-b", url);
    e = await replica("replica-e", url);
    const account = await a.core.accounts.add({
      platform: "slack",
      workspaceId: "T1",
      label: "eu",
      kind: "hostens",
      baseUrl: provider.baseUrl,
      credentials: provider.credentials,
      createdBy: "UADMIN",
    });
    await a.core.accounts.bind(account, CHANNEL, "UADMIN");
  });
  afterAll(async () => {
    await a?.stop({ graceMs: 0 });
    await b?.stop({ graceMs: 0 });
    await e?.stop({ graceMs: 0 });
    await provider?.close();
    await drop?.();
  });

  // One task's lease through its life: the phases follow one another, so they are one test.
  it("one task, one poller: through housekeeping passes, a stopped follower, racing replicas and a dead one", async () => {
    // Two replicas plus three housekeeping passes each: exactly one poller per task.
    await a.dispatcher.command({ ...actor("UOPER"), path: ["reboot"], args: { service: "302" } });
    const [req] = await a.db.db.select().from(confirmationRequests);
    const requestId = req!.id;
    const out = await a.dispatcher.action(actor("UADMIN"), "confirm:approve", requestId);
    expect(out.kind === "reply" && out.reply.text).toMatch(/^Approved/);
    await expect.poll(polls).toBe(1);
    expect((await row(requestId)).followOwner).toBe("replica-a");

    // The old code started one more follower per pass; now the lease says someone follows it.
    for (let pass = 0; pass < 3; pass++) {
      expect(await recoverInterrupted(a.core, grace)).toEqual({ unknown: 0, resumed: 0 });
      expect(await recoverInterrupted(b.core, grace)).toEqual({ unknown: 0, resumed: 0 });
      expect(await recoverInterrupted(e.core, grace)).toEqual({ unknown: 0, resumed: 0 });
      expect(a.tasks.active + b.tasks.active + e.tasks.active).toBe(1);
    }
    await b.tasks.idle(); // b follows nothing
    // Every follower that ran has made its first poll once its loop is stopped.
    await a.tasks.stop(5_000);
    expect(polls()).toBe(1);
    const released = await row(requestId);
    expect(released.status).toBe("executing");
    expect(released.followOwner).toBeNull();

    // A follower that stopped frees its lease: of six passes racing for it, one takes it on.
    {
      const taken = await Promise.all([
        b.tasks.resume(),
        e.tasks.resume(),
        b.tasks.resume(),
        e.tasks.resume(),
        b.tasks.resume(),
        e.tasks.resume(),
      ]);
      expect(taken.reduce((x, y) => x + y, 0)).toBe(1);
      await expect.poll(polls).toBe(2);
      // Whoever won, hand it to b for the next phase.
      await e.tasks.stop(5_000);
      const winner = (await row(requestId)).followOwner;
      if (winner !== "replica-b") expect(await b.tasks.resume()).toBe(1);
      // One more poll when b took over from e.
      await expect.poll(polls).toBe(winner === "replica-b" ? 2 : 3);
    }
    expect(await b.tasks.resume()).toBe(0);
    expect((await row(requestId)).followOwner).toBe("replica-b");

    // A replica that died holds the task only until its lease expires: b "dies": its follower ends without releasing, and the lease names a dead process.
    await a.db.db
      .update(confirmationRequests)
      .set({ followOwner: "dead-replica" })
      .where(eq(confirmationRequests.id, requestId));
    await b.tasks.stop(5_000);
    await a.db.db
      .update(confirmationRequests)
      .set({ followOwner: "dead-replica", followUntil: new Date(Date.now() + 120_000) })
      .where(eq(confirmationRequests.id, requestId));
    const base = polls();
    const c = await replica("replica-c", url);
    const d = await replica("replica-d", url);
    try {
      expect(await c.tasks.resume()).toBe(0);
      clock.offsetMs = 5 * 60_000;
      expect(await c.tasks.resume()).toBe(1);
      expect(await d.tasks.resume()).toBe(0);
      await expect.poll(polls).toBe(base + 1);
      expect((await row(requestId)).followOwner).toBe("replica-c");

      // The provider finishes; c shuts down and d takes over: its first poll settles the request,
      // and the final state is stored with it.
      const task = [...provider.tasks.values()][0]!;
      task.polls = 2_000_000;
      await c.tasks.stop(5_000);
      clock.offsetMs = 0;
      expect(await d.tasks.resume()).toBe(1);
      await d.tasks.idle();
      const done = await row(requestId);
      expect(done.status).toBe("succeeded");
      expect(done.followOwner).toBeNull();
      expect(polls()).toBe(base + 2);
      // Nobody follows a settled task again.
      expect(await recoverInterrupted(d.core, grace)).toEqual({ unknown: 0, resumed: 0 });
      expect(polls()).toBe(base + 2);
    } finally {
      await c.stop({ graceMs: 0 });
      await d.stop({ graceMs: 0 });
    }
  });

  it("stores the lease in the request row (no per-process memo)", async () => {
    const cols = await a.db.rows<{ column_name: string }>(
      sql`select column_name from information_schema.columns where table_name = 'confirmation_requests' and column_name like 'follow_%' order by 1`,
    );
    expect(cols.map((c) => c.column_name)).toEqual(["follow_owner", "follow_until"]);
  });
});
