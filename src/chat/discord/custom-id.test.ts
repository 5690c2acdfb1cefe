import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  adapterCustomId,
  CUSTOM_ID_MAX,
  decodeCustomId,
  encodeCustomId,
  MemoryPayloadStore,
  parseAdapterCustomId,
} from "./custom-id.ts";

describe("custom_id encoding of (id, payload)", () => {
  it("keeps short payloads readable: id|payload", () => {
    const store = new MemoryPayloadStore();
    const uuid = "0b7c8f0e-2f4e-4a8e-9a57-0d7b1e6c1a11";
    expect(encodeCustomId("confirm:approve", uuid, store)).toBe(`confirm:approve|${uuid}`);
    expect(decodeCustomId(`confirm:approve|${uuid}`, store)).toEqual({
      id: "confirm:approve",
      payload: uuid,
    });
    // The payload may contain the separators.
    expect(decodeCustomId(encodeCustomId("a:b", "x|y#z~", store), store)).toEqual({
      id: "a:b",
      payload: "x|y#z~",
    });
    expect(store.size).toBe(0);
  });

  it("deflates a long but compressible payload instead of storing it", () => {
    const store = new MemoryPayloadStore();
    const payload = JSON.stringify({ note: "a".repeat(150) });
    const id = encodeCustomId("accounts:edit", payload, store);
    expect(id.length).toBeLessThanOrEqual(CUSTOM_ID_MAX);
    expect(id.startsWith("accounts:edit~")).toBe(true);
    expect(decodeCustomId(id, store)).toEqual({ id: "accounts:edit", payload });
    expect(store.size).toBe(0);
  });

  it("keeps what does not fit in the short-lived store, and says when it expired", () => {
    let now = 1_000;
    const store = new MemoryPayloadStore(60_000, 100, () => now);
    const payload = Array.from({ length: 40 }, (_, i) => `${i * 7919}`).join(",");
    const id = encodeCustomId("reinstall:os", payload, store);
    expect(id).toMatch(/^reinstall:os#[A-Za-z0-9_-]{16}$/);
    expect(decodeCustomId(id, store)).toEqual({ id: "reinstall:os", payload });
    now += 60_001;
    expect(decodeCustomId(id, store)).toEqual({ id: "reinstall:os", expired: true });
  });

  it("always fits in 100 characters and round-trips (any id core may use, any payload)", () => {
    const store = new MemoryPayloadStore();
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_:.-]{1,60}$/),
        fc.string({ maxLength: 600 }),
        (id, payload) => {
          const cid = encodeCustomId(id, payload, store);
          expect(cid.length).toBeLessThanOrEqual(CUSTOM_ID_MAX);
          expect(decodeCustomId(cid, store)).toEqual({ id, payload });
        },
      ),
    );
  });

  it("refuses ids that could not be told apart from the payload", () => {
    const store = new MemoryPayloadStore();
    expect(() => encodeCustomId("a|b", "x", store)).toThrow();
    expect(() => encodeCustomId("!form", "x", store)).toThrow();
    expect(() => encodeCustomId("x".repeat(61), "x", store)).toThrow();
  });

  it("keeps adapter ids (`!name|key`) apart from core ids", () => {
    const store = new MemoryPayloadStore();
    const own = adapterCustomId("form", "abc");
    expect(parseAdapterCustomId(own)).toEqual({ name: "form", key: "abc" });
    expect(decodeCustomId(own, store)).toBeUndefined();
    expect(parseAdapterCustomId("accounts:add-form|time4vps")).toBeUndefined();
    expect(decodeCustomId("garbage", store)).toBeUndefined();
    expect(decodeCustomId("x~%%%not-base64", store)).toEqual(undefined);
  });

  it("bounds the store", () => {
    const store = new MemoryPayloadStore(60_000, 10);
    for (let i = 0; i < 50; i++) store.put(`p${i}`);
    expect(store.size).toBeLessThanOrEqual(10);
  });
});
