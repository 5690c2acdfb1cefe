import { describe, expect, it } from "vitest";
import { nextPollMs } from "./task-follower.ts";

describe("task poll backoff", () => {
  it("grows by half each poll from 10 s and stays at the 60 s cap", () => {
    const waits = [10_000];
    for (let i = 0; i < 7; i++) waits.push(nextPollMs(waits.at(-1)!, 60_000));
    expect(waits).toEqual([10_000, 15_000, 22_500, 33_750, 50_625, 60_000, 60_000, 60_000]);
  });

  it("polls a 15-minute task about 20 times instead of 90", () => {
    let t = 0;
    let wait = 10_000;
    let polls = 1;
    while (t < 15 * 60_000) {
      t += wait;
      wait = nextPollMs(wait, 60_000);
      polls++;
    }
    expect(polls).toBeLessThanOrEqual(20);
  });
});
