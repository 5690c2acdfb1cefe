import { deflateRawSync, inflateRawSync } from "node:zlib";
import { TtlMap } from "./ttl-map.ts";

/**
 * Encoding of core's button (actionId, value) and modal (modalId, state) pairs into Discord
 * custom_ids (at most 100 characters, no private metadata anywhere).
 *
 *   `${id}|${payload}`   the payload as is (the common case: uuids, provider kinds)
 *   `${id}~${b64url}`    the payload deflated, when that fits and the plain one does not
 *   `${id}#${key}`       the payload kept in a short-lived in-process map under a random key
 *
 * Core ids are restricted to `[A-Za-z0-9_:.-]`, so the first `|`, `~` or `#` is the separator and
 * the payload may contain anything. The in-process map is the last resort: with the gateway,
 * every interaction of a guild arrives at the shard (process) that owns the guild, so a form shown
 * by one process is submitted to the same process unless it restarted in between; then the person
 * is told to run the command again. Ids starting with `!` are reserved for the adapter itself.
 */

export const CUSTOM_ID_MAX = 100;
const ID_PATTERN = /^[A-Za-z0-9_:.-]{1,60}$/;

export interface PayloadStore {
  put(payload: string): string;
  get(key: string): string | undefined;
}

/** The in-process store of payloads too long for a custom_id. */
export class MemoryPayloadStore extends TtlMap<string> implements PayloadStore {}

export function isCoreId(id: string): boolean {
  return ID_PATTERN.test(id);
}

export function encodeCustomId(id: string, payload: string, store: PayloadStore): string {
  if (!isCoreId(id)) throw new Error(`id "${id.slice(0, 80)}" cannot be used in a Discord custom_id`);
  const plain = `${id}|${payload}`;
  if (plain.length <= CUSTOM_ID_MAX) return plain;
  const packed = `${id}~${deflateRawSync(Buffer.from(payload, "utf8")).toString("base64url")}`;
  if (packed.length <= CUSTOM_ID_MAX) return packed;
  return `${id}#${store.put(payload)}`;
}

export type Decoded = { id: string; payload: string } | { id: string; expired: true } | undefined;

/** Undefined when the custom_id is not one of ours (or reserved for the adapter). */
export function decodeCustomId(customId: string, store: PayloadStore): Decoded {
  const m = /^([A-Za-z0-9_:.-]{1,60})([|~#])/.exec(customId);
  if (!m?.[1] || !m[2]) return undefined;
  const id = m[1];
  const rest = customId.slice(m[0].length);
  switch (m[2]) {
    case "|":
      return { id, payload: rest };
    case "~":
      try {
        return { id, payload: inflateRawSync(Buffer.from(rest, "base64url")).toString("utf8") };
      } catch {
        return undefined;
      }
    default: {
      const payload = store.get(rest);
      return payload === undefined ? { id, expired: true } : { id, payload };
    }
  }
}

/** Adapter-owned custom_ids (e.g. "open this form again"): `!name|key`; core ids never start with `!`. */
export function adapterCustomId(name: string, key: string): string {
  return `!${name}|${key}`.slice(0, CUSTOM_ID_MAX);
}

export function parseAdapterCustomId(customId: string): { name: string; key: string } | undefined {
  const m = /^!([a-z-]{1,20})\|(.*)$/.exec(customId);
  return m?.[1] && m[2] !== undefined ? { name: m[1], key: m[2] } : undefined;
}
