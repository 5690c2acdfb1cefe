import { describe, expect, it } from "vitest";
import { z } from "zod";
import { findCommand } from "../../core/commands/grammar.ts";
import { commandTree } from "../../core/commands/index.ts";
import type { CommandDef, Param } from "../../core/context.ts";
import {
  buildCommandSet,
  COMMAND_LIMITS,
  CommandTreeError,
  type OptionJson,
  OptionType,
} from "./commands-json.ts";

const def = (path: string[], params: Param[] = [], summary = "does things"): CommandDef => ({
  path,
  summary,
  params,
  schema: z.object({}),
  role: "viewer",
  run: async () => ({ kind: "none" }),
});

function walk(options: OptionJson[], fn: (o: OptionJson) => void): void {
  for (const o of options) {
    fn(o);
    walk(o.options ?? [], fn);
  }
}

describe("the /hosting command generated from the command tree", () => {
  const { json, routes } = buildCommandSet(commandTree);

  it("has one route per command, mapping back to that command", () => {
    expect(routes.size).toBe(commandTree.length);
    for (const c of commandTree) {
      const hit = [...routes.entries()].find(([, r]) => r.def === c);
      expect(hit, c.path.join(" ")).toBeDefined();
      if (c.compactPath) expect(hit?.[0]).toBe(c.compactPath.join(" "));
      else if (c.path.length === 2) expect(hit?.[0]).toBe(c.path.join(" "));
    }
  });

  it("leaves room on Discord: at most 20 of its 25 top-level entries are used", () => {
    // Discord refuses a command with more than 25 subcommands and groups; new commands go into
    // groups (CommandDef.compactPath), so that this never creeps back to the limit.
    expect(json.options.length).toBeLessThanOrEqual(20);
  });

  it("groups server actions, roles and bindings on Discord; the text grammar takes both forms", () => {
    const names = json.options.map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining(["service", "roles", "channel"]));
    expect(names).not.toContain("reboot");
    const service = json.options.find((o) => o.name === "service");
    expect(service?.options?.map((o) => o.name)).toEqual([
      "show",
      "reboot",
      "poweron",
      "poweroff",
      "reinstall",
      "renew",
      "autorenew",
      "cancel",
    ]);
    for (const words of [
      ["reboot", "302"],
      ["service", "reboot", "302"],
    ])
      expect(findCommand(commandTree, words)).toMatchObject({ command: { path: ["reboot"] }, rest: ["302"] });
    expect(findCommand(commandTree, ["service", "302"])).toMatchObject({
      command: { path: ["service"] },
      rest: ["302"],
    });
    expect(findCommand(commandTree, ["roles", "list"])?.command.path).toEqual(["grants"]);
  });

  it("is within Discord's limits: names, descriptions, option counts, total size, required first", () => {
    expect(json.name).toBe("hosting");
    expect(json.options.length).toBeLessThanOrEqual(COMMAND_LIMITS.options);
    let chars = json.name.length + json.description.length;
    walk(json.options, (o) => {
      expect(o.name).toMatch(/^[-_\p{Ll}\p{N}]{1,32}$/u);
      expect(o.description.length).toBeGreaterThan(0);
      expect(o.description.length).toBeLessThanOrEqual(100);
      expect((o.options ?? []).length).toBeLessThanOrEqual(25);
      expect((o.choices ?? []).length).toBeLessThanOrEqual(25);
      if (o.choices && o.autocomplete) throw new Error(`${o.name}: choices and autocomplete together`);
      const req = (o.options ?? []).map((x) => Boolean(x.required));
      expect(req).toEqual([...req].sort((a, b) => Number(b) - Number(a)));
      chars += o.name.length + o.description.length;
      for (const c of o.choices ?? []) chars += c.name.length + c.value.length;
    });
    expect(chars).toBeLessThanOrEqual(COMMAND_LIMITS.totalChars);
    expect(json.contexts).toEqual([0]);
  });

  it("maps 1-word paths to subcommands and 2-word paths to groups", () => {
    const services = json.options.find((o) => o.name === "services");
    expect(services?.type).toBe(OptionType.Subcommand);
    const accounts = json.options.find((o) => o.name === "accounts");
    expect(accounts?.type).toBe(OptionType.SubcommandGroup);
    expect(accounts?.options?.find((o) => o.name === "add")?.type).toBe(OptionType.Subcommand);
    expect(routes.get("accounts add")?.def.path).toEqual(["accounts", "add"]);
    expect(routes.get("services")?.def.path).toEqual(["services"]);
  });

  it("types options from the params: choices, users, booleans, autocomplete", () => {
    const sub = (path: string[]) => {
      const [a, b] = path;
      const top = json.options.find((o) => o.name === a);
      return b ? top?.options?.find((o) => o.name === b) : top;
    };
    const provider = sub(["accounts", "add"])?.options?.find((o) => o.name === "provider");
    expect(provider).toMatchObject({ type: OptionType.String });
    expect(provider?.choices?.map((c) => c.value)).toContain("time4vps");
    const grant = sub(["roles", "grant"])?.options ?? [];
    expect(grant.find((o) => o.name === "user")).toMatchObject({ type: OptionType.User, required: true });
    expect(grant.find((o) => o.name === "workspace")).toMatchObject({ type: OptionType.Boolean });
    expect(sub(["services"])?.options?.find((o) => o.name === "account")).toMatchObject({
      autocomplete: true,
    });
    expect(sub(["service", "show"])?.options?.find((o) => o.name === "id")).toMatchObject({
      autocomplete: true,
      required: true,
    });
  });

  it("is deterministic (registration compares it with what Discord has)", () => {
    expect(JSON.stringify(buildCommandSet(commandTree).json)).toBe(JSON.stringify(json));
  });
});

describe("buildCommandSet on made-up trees", () => {
  it("turns integer min/max into min_value/max_value and string min/max into lengths", () => {
    const { json } = buildCommandSet([
      def(
        ["audit"],
        [
          { name: "n", description: "how many", type: "integer", min: 1, max: 50 },
          { name: "q", description: "query", type: "string", min: 2, max: 20 },
        ],
      ),
    ]);
    expect(json.options[0]?.options).toEqual([
      { type: OptionType.Integer, name: "n", description: "how many", min_value: 1, max_value: 50 },
      { type: OptionType.String, name: "q", description: "query", min_length: 2, max_length: 20 },
    ]);
  });

  it("offers more than 25 fixed choices through autocomplete", () => {
    const choices = Array.from({ length: 30 }, (_, i) => `c${i}`);
    const { json } = buildCommandSet([
      def(["pick"], [{ name: "x", description: "x", type: "choice", choices }]),
    ]);
    expect(json.options[0]?.options?.[0]).toMatchObject({ autocomplete: true });
    expect(json.options[0]?.options?.[0]?.choices).toBeUndefined();
  });

  it("puts a 1-word command that is also a group into the group as 'show'", () => {
    const { json, routes } = buildCommandSet([def(["alerts"]), def(["alerts", "set"])]);
    expect(json.options).toHaveLength(1);
    expect(json.options[0]?.options?.map((o) => o.name)).toEqual(["show", "set"]);
    expect(routes.get("alerts show")?.def.path).toEqual(["alerts"]);
  });

  it("clips long descriptions visibly", () => {
    const { json } = buildCommandSet([def(["x"], [], "a".repeat(150))]);
    expect(json.options[0]?.description).toHaveLength(100);
    expect(json.options[0]?.description.endsWith("…")).toBe(true);
  });

  it.each([
    ["an invalid name", [def(["Services"])]],
    ["a path deeper than two words", [def(["a", "b", "c"])]],
    ["more than 25 subcommands", Array.from({ length: 26 }, (_, i) => def([`c${i}`]))],
    ["two commands on one Discord name", [def(["x"]), def(["x"])]],
  ])("refuses %s", (_what, tree) => {
    expect(() => buildCommandSet(tree)).toThrow(CommandTreeError);
  });
});
