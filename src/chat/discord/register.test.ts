import { describe, expect, it } from "vitest";
import { commandTree } from "../../core/commands/index.ts";
import { buildCommandSet, type CommandJson, type OptionJson } from "./commands-json.ts";
import { sameCommands } from "./register.ts";

/** What Discord answers to GET: ids and versions added, defaults (required: false) left out. */
function asDiscordEchoes(c: CommandJson): Record<string, unknown> {
  const strip = (o: OptionJson): Record<string, unknown> => {
    const { required, autocomplete, options, ...rest } = o;
    return {
      ...rest,
      ...(required ? { required } : {}),
      ...(autocomplete ? { autocomplete } : {}),
      ...(options?.length ? { options: options.map(strip) } : {}),
      name_localizations: null,
      description_localizations: null,
    };
  };
  return {
    id: "1234567890",
    application_id: "99",
    version: "1300000000000000001",
    guild_id: "42",
    nsfw: false,
    dm_permission: false,
    ...c,
    options: c.options.map(strip),
  };
}

describe("sameCommands (whether a PUT is needed)", () => {
  const { json } = buildCommandSet(commandTree);

  it("sees Discord's echo of the same definition as unchanged", () => {
    expect(sameCommands([asDiscordEchoes(json)], [json])).toBe(true);
  });

  it.each([
    ["nothing registered", []],
    ["a changed description", [{ ...json, description: "other" }]],
    ["a missing subcommand", [{ ...json, options: json.options.slice(1) }]],
    ["an extra command", [json, { ...json, name: "other" }]],
  ])("sees %s as changed", (_what, existing) => {
    expect(sameCommands(existing, [json])).toBe(false);
  });
});
