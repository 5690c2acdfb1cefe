import { randomBytes } from "node:crypto";
import { LRUCache } from "lru-cache";

/**
 * A bounded in-memory map whose entries expire (lru-cache with a TTL and a maximum). Keys made by
 * `put` are random, so they cannot be guessed or enumerated from outside. Lives in one process
 * only (see custom-id.ts for why that is acceptable with the gateway).
 */
export class TtlMap<V extends NonNullable<unknown>> {
  readonly #items: LRUCache<string, V>;

  constructor(ttlMs = 60 * 60_000, maxItems = 10_000, now: () => number = Date.now) {
    this.#items = new LRUCache<string, V>({ max: maxItems, ttl: ttlMs, perf: { now }, ttlResolution: 0 });
  }

  set(key: string, value: V): void {
    this.#items.set(key, value);
  }

  /** Stores `value` under a new random key and returns the key (16 characters, base64url). */
  put(value: V): string {
    const key = randomBytes(12).toString("base64url");
    this.set(key, value);
    return key;
  }

  get(key: string): V | undefined {
    return this.#items.get(key);
  }

  get size(): number {
    return this.#items.size;
  }
}
