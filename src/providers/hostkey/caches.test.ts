/**
 * The HOSTKEY driver's long-lived state is bounded: finished task results (an lru-cache with a
 * maximum and an age limit) and the PIN, which is held in the secret registry only while calls that
 * carry it run, however many run at once.
 */
import { describe, expect, it } from "vitest";
import { scrub, secretCount } from "../../observability/secrets.ts";
import { withPinSecret } from "./pin.ts";
import { createFinishedTasks, MAX_REMEMBERED_TASKS, REMEMBERED_TASK_TTL_MS } from "./tasks.ts";

describe("HOSTKEY finished tasks", () => {
  it("keeps at most MAX_REMEMBERED_TASKS results; one more evicts the oldest", () => {
    const finished = createFinishedTasks();
    for (let i = 0; i <= MAX_REMEMBERED_TASKS; i++)
      finished.set(`key-${i}`, { state: "succeeded", summary: `task ${i}` });
    expect(finished.size).toBe(MAX_REMEMBERED_TASKS);
    expect(finished.get("key-0")).toBeUndefined();
    expect(finished.get("key-1")?.summary).toBe("task 1");
    expect(finished.get(`key-${MAX_REMEMBERED_TASKS}`)?.summary).toBe(`task ${MAX_REMEMBERED_TASKS}`);
  });

  it("forgets a result after REMEMBERED_TASK_TTL_MS", () => {
    let now = 1_000;
    const finished = createFinishedTasks(() => now);
    finished.set("old", { state: "failed", summary: "failed" });
    now += REMEMBERED_TASK_TTL_MS - 1_000;
    expect(finished.get("old")?.state).toBe("failed");
    now += 2_000;
    expect(finished.get("old")).toBeUndefined();
  });
});

describe("HOSTKEY PIN as a secret", () => {
  it("is scrubbed while calls carrying it run, and gone from the registry when the last one ends", async () => {
    const pin = "73915";
    const before = secretCount();
    let releaseFirst = () => {};
    const first = withPinSecret(pin, () => new Promise<void>((r) => (releaseFirst = r)));
    const second = withPinSecret(pin, async () => scrub(`PIN ${pin}`));
    expect(await second).toBe("PIN [redacted]");
    // The first call still runs: the PIN stays a secret.
    expect(scrub(`PIN ${pin}`)).toBe("PIN [redacted]");
    releaseFirst();
    await first;
    expect(secretCount()).toBe(before);
    expect(scrub(`PIN ${pin}`)).toBe(`PIN ${pin}`);
  });

  it("leaves the registry as it was after a failed call", async () => {
    const before = secretCount();
    await expect(
      withPinSecret("48213", async () => {
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(secretCount()).toBe(before);
  });
});
