import { describe, expect, it } from "vitest";
import { createGate } from "./ack-gate.ts";

describe("the ack gate", () => {
  it("defers once however often core acknowledges, and resolves when Discord accepted the defer", async () => {
    const events: string[] = [];
    let release: () => void = () => {};
    const gate = createGate(
      () =>
        new Promise<void>((resolve) => {
          events.push("defer sent");
          release = () => {
            events.push("defer accepted");
            resolve();
          };
        }),
      () => {},
    );
    expect(gate.started).toBe(false);
    const both = Promise.all([gate.ack(), gate.ack()]).then(() => events.push("provider"));
    await Promise.resolve();
    expect(gate.started).toBe(true);
    expect(events).toEqual(["defer sent"]);
    release();
    await both;
    expect(events).toEqual(["defer sent", "defer accepted", "provider"]);
  });

  it("after close, acknowledging (background work) defers nothing", async () => {
    const events: string[] = [];
    const gate = createGate(
      async () => events.push("defer"),
      () => {},
    );
    gate.close();
    await gate.ack();
    expect(events).toEqual([]);
    expect(gate.started).toBe(false);
  });

  it("never rejects: a failed defer is reported and the call goes on", async () => {
    const errors: unknown[] = [];
    const gate = createGate(
      () => Promise.reject(new Error("10062 Unknown interaction")),
      (e) => errors.push(e),
    );
    await expect(gate.ack()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
