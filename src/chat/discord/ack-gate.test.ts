import { describe, expect, it } from "vitest";
import type { Core } from "../../core/context.ts";
import { createGate, gatedCore, runGated } from "./ack-gate.ts";
import { filter } from "./autocomplete.ts";

/** A Core whose only driver records the order of events. */
function fakeCore(events: string[]): Core {
  const driver = {
    kind: "time4vps",
    capabilities: new Set(["listServices"]),
    async listServices() {
      events.push("provider");
      return [];
    },
  };
  const accounts = {
    driverFor: () => driver,
    marker: 42,
  };
  return { accounts } as unknown as Core;
}

describe("the ack gate", () => {
  it("makes a provider call inside an interaction wait for the defer, once", async () => {
    const events: string[] = [];
    const core = gatedCore(fakeCore(events));
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
    const work = runGated(gate, async () => {
      const d = core.accounts.driverFor({} as never);
      await Promise.all([d.listServices?.(), d.listServices?.()]);
    });
    await Promise.resolve();
    expect(gate.started).toBe(true);
    expect(events).toEqual(["defer sent"]);
    release();
    await work;
    expect(events).toEqual(["defer sent", "defer accepted", "provider", "provider"]);
  });

  it("passes provider calls straight through outside an interaction and after close", async () => {
    const events: string[] = [];
    const core = gatedCore(fakeCore(events));
    await core.accounts.driverFor({} as never).listServices?.();
    const gate = createGate(
      async () => events.push("defer"),
      () => {},
    );
    gate.close();
    await runGated(gate, async () => core.accounts.driverFor({} as never).listServices?.());
    expect(events).toEqual(["provider", "provider"]);
    expect((core.accounts as unknown as { marker: number }).marker).toBe(42);
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

describe("autocomplete filter", () => {
  const choices = [
    { name: "prod (time4vps) · bound here", value: "prod" },
    { name: "staging (hostens)", value: "staging" },
    { name: "preprod (hostens)", value: "preprod" },
  ];
  it("puts prefix matches first, then substring matches", () => {
    expect(filter(choices, "pr").map((c) => c.value)).toEqual(["prod", "preprod"]);
    expect(filter(choices, "host").map((c) => c.value)).toEqual(["staging", "preprod"]);
    expect(filter(choices, "").map((c) => c.value)).toEqual(["prod", "staging", "preprod"]);
  });
  it("answers at most 25 choices with values Discord accepts", () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ name: `s${i}`, value: `s${i}` })).concat({
      name: "long",
      value: "x".repeat(101),
    });
    const out = filter(many, "");
    expect(out).toHaveLength(25);
    expect(out.every((c) => c.value.length <= 100)).toBe(true);
  });
});
