import { randomBytes } from "node:crypto";

/**
 * A bounded in-memory map whose entries expire. Keys made by `put` are random, so they cannot be
 * guessed or enumerated from outside. Lives in one process only (see custom-id.ts for why that
 * is acceptable with the gateway).
 */
export class TtlMap<V> {
  readonly #items = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly ttlMs = 60 * 60_000,
    private readonly maxItems = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  set(key: string, value: V): void {
    this.sweep();
    this.#items.delete(key);
    this.#items.set(key, { value, expires: this.now() + this.ttlMs });
  }

  /** Stores `value` under a new random key and returns the key (16 characters, base64url). */
  put(value: V): string {
    const key = randomBytes(12).toString("base64url");
    this.set(key, value);
    return key;
  }

  get(key: string): V | undefined {
    const hit = this.#items.get(key);
    if (!hit) return undefined;
    if (hit.expires < this.now()) {
      this.#items.delete(key);
      return undefined;
    }
    return hit.value;
  }

  get size(): number {
    return this.#items.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, v] of this.#items) if (v.expires < now) this.#items.delete(k);
    // Map keeps insertion order: the oldest entries go first.
    while (this.#items.size >= this.maxItems) {
      const first = this.#items.keys().next().value;
      if (first === undefined) break;
      this.#items.delete(first);
    }
  }
}
