/**
 * The Slack admin cache is bounded: at most ADMIN_CACHE_MAX users, each answer trusted for
 * adminCacheMs, a failed lookup never kept, and a workspace's answers dropped when it leaves.
 */
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../observability/logger.ts";
import { ADMIN_CACHE_MAX, createSlackActors, type UsersInfoClient } from "./actors.ts";

/** A users.info stand-in that counts its calls per user; `failing` users make it throw. */
function fakeClient(admins: Set<string> = new Set(), failing: Set<string> = new Set()) {
  const calls = new Map<string, number>();
  const client = {
    users: {
      info: async ({ user }: { user: string }) => {
        calls.set(user, (calls.get(user) ?? 0) + 1);
        if (failing.has(user)) throw new Error("users.info failed");
        return { ok: true, user: { id: user, is_admin: admins.has(user) } };
      },
    },
  } as unknown as UsersInfoClient;
  return { client, calls: (user: string) => calls.get(user) ?? 0 };
}

describe("Slack admin cache", () => {
  it("keeps at most ADMIN_CACHE_MAX users; one more evicts the least recently used", async () => {
    const { client, calls } = fakeClient(new Set(["U0"]));
    const actors = createSlackActors({ log: silentLogger });
    for (let i = 0; i <= ADMIN_CACHE_MAX; i++) await actors.actorOf(client, "T1", "C1", `U${i}`);
    // U0 was the oldest: it was evicted and is looked up again; the newest is still cached.
    const again = await actors.actorOf(client, "T1", "C1", "U0");
    expect(again.userIsPlatformAdmin).toBe(true);
    expect(calls("U0")).toBe(2);
    await actors.actorOf(client, "T1", "C1", `U${ADMIN_CACHE_MAX}`);
    expect(calls(`U${ADMIN_CACHE_MAX}`)).toBe(1);
  });

  it("trusts an answer for adminCacheMs, then asks again", async () => {
    let now = 1_000;
    const { client, calls } = fakeClient();
    const actors = createSlackActors({ log: silentLogger, adminCacheMs: 60_000, now: () => now });
    await actors.actorOf(client, "T1", "C1", "U1");
    now += 59_000;
    await actors.actorOf(client, "T1", "C1", "U1");
    expect(calls("U1")).toBe(1);
    now += 2_000;
    await actors.actorOf(client, "T1", "C1", "U1");
    expect(calls("U1")).toBe(2);
  });

  it("shares one lookup between concurrent requests and never keeps a failed one", async () => {
    const { client, calls } = fakeClient(new Set(), new Set(["U2"]));
    const actors = createSlackActors({ log: silentLogger });
    const [a, b] = await Promise.all([
      actors.actorOf(client, "T1", "C1", "U2"),
      actors.actorOf(client, "T1", "C1", "U2"),
    ]);
    expect([a.userIsPlatformAdmin, b.userIsPlatformAdmin]).toEqual([false, false]);
    expect(calls("U2")).toBe(1);
    await actors.actorOf(client, "T1", "C1", "U2");
    expect(calls("U2")).toBe(2);
  });

  it("forgets one workspace's answers and keeps the others'", async () => {
    const { client, calls } = fakeClient();
    const actors = createSlackActors({ log: silentLogger });
    await actors.actorOf(client, "T1", "C1", "U1");
    await actors.actorOf(client, "T2", "C2", "U9");
    actors.forgetTeam("T1");
    await actors.actorOf(client, "T1", "C1", "U1");
    await actors.actorOf(client, "T2", "C2", "U9");
    expect(calls("U1")).toBe(2);
    expect(calls("U9")).toBe(1);
  });

  it("caches nothing when adminCacheMs is 0", async () => {
    const { client, calls } = fakeClient();
    const actors = createSlackActors({ log: silentLogger, adminCacheMs: 0 });
    await actors.actorOf(client, "T1", "C1", "U1");
    await actors.actorOf(client, "T1", "C1", "U1");
    expect(calls("U1")).toBe(2);
  });
});
