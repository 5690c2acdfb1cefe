import { type REST, Routes } from "discord.js";
import type { Logger } from "../../observability/logger.ts";
import type { CommandJson, OptionJson } from "./commands-json.ts";

/**
 * Registers `/hosting` with a bulk overwrite (PUT), only when what Discord has differs from what
 * the command tree generates: a restart or a second replica with the same tree sends one GET and
 * nothing else (Discord rate-limits command registration at 200 creates a day per guild).
 */

export interface SyncOptions {
  applicationId: string;
  /** Register in one guild (instant, for development) instead of globally. */
  guildId?: string;
  commands: CommandJson[];
  force?: boolean;
  log?: Logger;
}

export interface SyncResult {
  changed: boolean;
  scope: "guild" | "global";
}

export async function syncCommands(rest: REST, opts: SyncOptions): Promise<SyncResult> {
  const route = opts.guildId
    ? Routes.applicationGuildCommands(opts.applicationId, opts.guildId)
    : Routes.applicationCommands(opts.applicationId);
  const scope = opts.guildId ? "guild" : "global";
  if (!opts.force) {
    const existing = (await rest.get(route)) as unknown;
    if (Array.isArray(existing) && sameCommands(existing, opts.commands)) {
      opts.log?.info({ scope }, "discord commands up to date");
      return { changed: false, scope };
    }
  }
  await rest.put(route, { body: opts.commands });
  opts.log?.info({ scope, commands: opts.commands.map((c) => c.name) }, "discord commands registered");
  return { changed: true, scope };
}

/** Compares the fields hostops sets, with Discord's defaults filled in on both sides. */
export function sameCommands(existing: readonly unknown[], wanted: readonly CommandJson[]): boolean {
  const a = existing.map((c) => canonicalCommand(c as Partial<CommandJson>)).sort(byName);
  const b = wanted.map((c) => canonicalCommand(c)).sort(byName);
  return JSON.stringify(a) === JSON.stringify(b);
}

const byName = (x: { name: string }, y: { name: string }) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);

function canonicalCommand(c: Partial<CommandJson>) {
  return {
    name: c.name ?? "",
    type: c.type ?? 1,
    description: c.description ?? "",
    default_member_permissions: c.default_member_permissions ?? null,
    contexts: c.contexts ? [...c.contexts].sort() : null,
    integration_types: c.integration_types ? [...c.integration_types].sort() : [0],
    options: (c.options ?? []).map(canonicalOption),
  };
}

type Canonical = ReturnType<typeof canonicalOptionShape>;
function canonicalOptionShape(o: OptionJson) {
  return {
    type: o.type,
    name: o.name,
    description: o.description,
    required: Boolean(o.required),
    autocomplete: Boolean(o.autocomplete),
    choices: (o.choices ?? []).map((ch) => ({ name: ch.name, value: ch.value })),
    min_value: o.min_value ?? null,
    max_value: o.max_value ?? null,
    min_length: o.min_length ?? null,
    max_length: o.max_length ?? null,
    options: [] as unknown[],
  };
}

function canonicalOption(o: OptionJson): Canonical {
  const shape = canonicalOptionShape(o);
  shape.options = (o.options ?? []).map(canonicalOption);
  return shape;
}
