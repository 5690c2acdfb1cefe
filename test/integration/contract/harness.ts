import { commandByPath } from "../../../src/core/dispatch.ts";
import type { Platform } from "../../../src/db/schema.ts";
import type { HostBillFake } from "../../fakes/providers/hostbill.ts";

/**
 * One chat platform driven from the outside, as a person uses it: the contract suite
 * (adapter-contract.test.ts) runs the same scenarios through each, and asserts on what a person
 * reads (words), never on the platform's markup.
 */

/** The people of the scenarios: a workspace admin, and a member with the default (viewer) role. */
export type Who = "admin" | "viewer";

export interface Seen {
  /** The words a person reads, markup removed, whitespace collapsed. */
  text: string;
  /** The labels of the buttons offered, in order. */
  buttons: string[];
}

export interface ChatHarness {
  readonly platform: Platform;
  /** hostops on this platform, with the provider fake's account `prod` bound to the channel. */
  start(provider: HostBillFake): Promise<void>;
  stop(): Promise<void>;
  /** Runs a command as `who` would on this platform (slash command text, typed options, a line). */
  command(path: string[], args: Record<string, unknown>, who: Who): Promise<Seen>;
  /** The newest message hostops posted in the channel on its own (a confirmation card). */
  lastPost(): Promise<Seen>;
  /** Presses the button labelled `label` on the newest posted message, as `who`. */
  press(label: string, who: Who): Promise<Seen>;
  /** Waits for work that outlives a request (following a provider task, updating a card). */
  idle(): Promise<void>;
}

/** The provider fake as an account to add. */
export const accountOf = (provider: HostBillFake) => ({
  kind: provider.kind,
  baseUrl: provider.baseUrl,
  credentials: provider.credentials,
});

/** What a person reads: no emphasis, code or quote markers, mentions and links as their words. */
export function words(parts: readonly string[]): string {
  return parts
    .join("\n")
    .replace(/<(?:https?:[^|>]*\|)?([^>]*)>/g, "$1")
    .replace(/[*_`~]|^>\s?/gm, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Every string under the keys that carry text a person reads, anywhere in a payload. */
export function textsOf(payload: unknown, keys = TEXT_KEYS): string[] {
  if (Array.isArray(payload)) return payload.flatMap((p) => textsOf(p, keys));
  if (!payload || typeof payload !== "object") return [];
  return Object.entries(payload).flatMap(([k, v]) =>
    typeof v === "string" ? (keys.has(k) ? [v] : []) : textsOf(v, keys),
  );
}
const TEXT_KEYS = new Set(["text", "content", "title", "description", "name", "value", "label"]);

/** The command as typed after `/hosting` (Slack, the console): positionals in order, then flags. */
export function commandText(path: string[], args: Record<string, unknown>): string {
  const def = commandByPath(path);
  if (!def) throw new Error(`no command ${path.join(" ")}`);
  const quote = (v: unknown) => (/\s/.test(String(v)) ? `"${String(v)}"` : String(v));
  const out = [...def.path];
  for (const p of def.params.filter((x) => !x.flag))
    if (args[p.name] !== undefined) out.push(quote(args[p.name]));
  for (const p of def.params.filter((x) => x.flag)) {
    const v = args[p.name];
    if (v === undefined || v === false) continue;
    out.push(v === true ? `--${p.name}` : `--${p.name} ${quote(v)}`);
  }
  return out.join(" ");
}
