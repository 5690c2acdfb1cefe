import { EventEmitter } from "node:events";
import type http from "node:http";
import { describe, expect, it } from "vitest";
import { createAckFirst } from "./ack-first.ts";

/** A stand-in for the HTTP server: emits "request" with a response that can be finished. */
function fakeServer() {
  const server = new EventEmitter();
  return {
    server: server as unknown as http.Server,
    request() {
      const res = new EventEmitter();
      server.emit("request", {}, res);
      return { finish: () => res.emit("finish") };
    },
  };
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};

describe("acknowledgements first", () => {
  it("lets a lone request's work go on at once", async () => {
    const gate = createAckFirst(20);
    const s = fakeServer();
    gate.watch(s.server);
    s.request().finish();
    let done = false;
    const waiting = gate.wait().then(() => {
      done = true;
    });
    await turns(3);
    expect(done).toBe(true);
    await waiting;
  });

  it("holds the work while another request of the burst is still being answered", async () => {
    const gate = createAckFirst(5, 10_000);
    const s = fakeServer();
    gate.watch(s.server);
    s.request().finish();
    const second = s.request();
    let done = false;
    const waiting = gate.wait().then(() => {
      done = true;
    });
    await turns(20);
    expect(done).toBe(false);
    second.finish();
    await waiting;
    expect(done).toBe(true);
  });

  it("never holds work longer than its cap", async () => {
    const gate = createAckFirst(5, 30);
    const s = fakeServer();
    gate.watch(s.server);
    s.request();
    s.request(); // never answered
    await expect(gate.wait()).resolves.toBeUndefined();
  });

  it("is off when quietMs is 0 (Socket Mode, processBeforeResponse)", async () => {
    const gate = createAckFirst(0);
    const s = fakeServer();
    gate.watch(s.server);
    s.request();
    await expect(gate.wait()).resolves.toBeUndefined();
  });
});
