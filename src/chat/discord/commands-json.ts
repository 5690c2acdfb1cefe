import type { CommandDef, Param } from "../../core/context.ts";
import { clip } from "./text.ts";

/**
 * The `/hosting` slash command, generated from core's command tree (the same tree the Slack
 * grammar reads): a 1-word path is a subcommand, a 2-word path a subcommand in a group, each
 * param a typed option. Nothing about a command is written twice.
 */

export const ROOT_COMMAND = "hosting";
const ROOT_DESCRIPTION = "Run the hosting-provider accounts bound to this channel";

/** Discord's numbers (discord-api-types ApplicationCommandOptionType). */
export const OptionType = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
} as const;

/** Discord limits on application commands (docs: application-commands, "Registering a command"). */
export const COMMAND_LIMITS = {
  options: 25,
  choices: 25,
  name: 32,
  description: 100,
  choiceValue: 100,
  /** Names, descriptions and choice names/values of one command together. */
  totalChars: 8000,
} as const;

export interface ChoiceJson {
  name: string;
  value: string;
}

export interface OptionJson {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  choices?: ChoiceJson[];
  autocomplete?: boolean;
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  options?: OptionJson[];
}

export interface CommandJson {
  type: 1;
  name: string;
  description: string;
  options: OptionJson[];
  /** Guild only: accounts, bindings and grants belong to a guild. */
  contexts: number[];
  integration_types: number[];
  /** Visible to everyone; hostops checks roles itself (admins, grants, default role). */
  default_member_permissions: string | null;
}

export interface Route {
  def: CommandDef;
  params: ReadonlyMap<string, Param>;
}

export interface DiscordCommandSet {
  json: CommandJson;
  /** "services" or "accounts add" (the Discord names) -> command and its params by option name. */
  routes: ReadonlyMap<string, Route>;
}

const NAME = /^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$/u;

export class CommandTreeError extends Error {
  override readonly name = "CommandTreeError";
}

export function buildCommandSet(tree: readonly CommandDef[]): DiscordCommandSet {
  const groups = new Set(
    tree.flatMap((c) => (c.compactPath ? [c.compactPath[0]] : c.path.length === 2 ? [c.path[0] ?? ""] : [])),
  );
  const top: OptionJson[] = [];
  const groupJson = new Map<string, OptionJson>();
  const routes = new Map<string, Route>();

  for (const def of tree) {
    const discordPath = discordPathOf(def, groups, routes);
    const sub: OptionJson = {
      type: OptionType.Subcommand,
      name: checkName(discordPath[discordPath.length - 1] ?? "", def),
      description: describe(def.summary),
      options: optionsOf(def),
    };
    const key = discordPath.join(" ");
    if (routes.has(key)) throw new CommandTreeError(`Two commands map to Discord "/${ROOT_COMMAND} ${key}".`);
    routes.set(key, { def, params: new Map(def.params.map((p) => [p.name, p])) });
    if (discordPath.length === 1) top.push(sub);
    else {
      const groupName = checkName(discordPath[0] ?? "", def);
      let g = groupJson.get(groupName);
      if (!g) {
        g = {
          type: OptionType.SubcommandGroup,
          name: groupName,
          description: describe(`${groupName} commands`),
          options: [],
        };
        groupJson.set(groupName, g);
        top.push(g);
      }
      g.options?.push(sub);
      if ((g.options?.length ?? 0) > COMMAND_LIMITS.options)
        throw new CommandTreeError(
          `Group "${groupName}" has more than ${COMMAND_LIMITS.options} subcommands.`,
        );
    }
  }
  if (top.length > COMMAND_LIMITS.options)
    throw new CommandTreeError(
      `/${ROOT_COMMAND} would have ${top.length} subcommands and groups; Discord allows ${COMMAND_LIMITS.options}.`,
    );
  const json: CommandJson = {
    type: 1,
    name: ROOT_COMMAND,
    description: ROOT_DESCRIPTION,
    options: top,
    contexts: [0],
    integration_types: [0],
    default_member_permissions: null,
  };
  const size = countChars(json);
  if (size > COMMAND_LIMITS.totalChars)
    throw new CommandTreeError(
      `/${ROOT_COMMAND} has ${size} characters of names and descriptions; Discord allows ${COMMAND_LIMITS.totalChars}.`,
    );
  return { json, routes };
}

/**
 * Discord cannot have "/hosting accounts" both as a subcommand and as a group; a 1-word command
 * whose word is also a group becomes that group's "show" subcommand (the Slack grammar treats a
 * bare group name the same way: its list/show command).
 */
function discordPathOf(
  def: CommandDef,
  groups: ReadonlySet<string>,
  routes: ReadonlyMap<string, Route>,
): string[] {
  if (def.compactPath) return [...def.compactPath];
  if (def.path.length === 1) {
    const word = def.path[0] ?? "";
    if (!groups.has(word)) return [word];
    const alt = ["show", "view", "overview"].find((s) => !routes.has(`${word} ${s}`));
    if (!alt) throw new CommandTreeError(`Command "${word}" clashes with group "${word}".`);
    return [word, alt];
  }
  if (def.path.length === 2) return [def.path[0] ?? "", def.path[1] ?? ""];
  throw new CommandTreeError(`Command "${def.path.join(" ")}" is deeper than Discord's two levels.`);
}

function optionsOf(def: CommandDef): OptionJson[] {
  const opts = def.params.map((p) => optionOf(p, def));
  if (opts.length > COMMAND_LIMITS.options)
    throw new CommandTreeError(`"${def.path.join(" ")}" has more than ${COMMAND_LIMITS.options} params.`);
  // Discord requires the required options first; options are named, so the order is only cosmetic.
  return [...opts.filter((o) => o.required), ...opts.filter((o) => !o.required)];
}

function optionOf(p: Param, def: CommandDef): OptionJson {
  const o: OptionJson = {
    type: OptionType.String,
    name: checkName(p.name, def),
    description: describe(p.description),
  };
  if (p.required) o.required = true;
  switch (p.type) {
    case "integer":
      o.type = OptionType.Integer;
      if (p.min !== undefined) o.min_value = p.min;
      if (p.max !== undefined) o.max_value = p.max;
      break;
    case "boolean":
      o.type = OptionType.Boolean;
      break;
    case "user":
      o.type = OptionType.User;
      break;
    case "choice": {
      const choices = (p.choices ?? []).map((c) => ({ name: clip(c, COMMAND_LIMITS.choiceValue), value: c }));
      if (choices.some((c) => c.value.length > COMMAND_LIMITS.choiceValue))
        throw new CommandTreeError(
          `A choice of "${p.name}" is longer than ${COMMAND_LIMITS.choiceValue} characters.`,
        );
      // More than 25 fixed choices: offered through autocomplete from the same list instead.
      if (choices.length > COMMAND_LIMITS.choices) o.autocomplete = true;
      else o.choices = choices;
      break;
    }
    case "string":
      if (p.min !== undefined) o.min_length = p.min;
      if (p.max !== undefined) o.max_length = p.max;
      if (p.autocomplete) o.autocomplete = true;
      break;
  }
  return o;
}

function checkName(name: string, def: CommandDef): string {
  if (!NAME.test(name))
    throw new CommandTreeError(
      `"${name}" (in "${def.path.join(" ")}") is not a valid Discord option name: 1-32 lowercase letters, digits, - or _.`,
    );
  return name;
}

function describe(text: string): string {
  const t = text.replace(/\s+/g, " ").trim() || "-";
  return clip(t, COMMAND_LIMITS.description);
}

function countChars(o: CommandJson | OptionJson): number {
  let n = o.name.length + o.description.length;
  if ("choices" in o && o.choices) for (const c of o.choices) n += c.name.length + c.value.length;
  for (const child of o.options ?? []) n += countChars(child);
  return n;
}

/** Where an interaction's options point: the route key and the leaf options. */
export function routeKey(group: string | null, sub: string | null): string {
  return [group, sub].filter((s): s is string => Boolean(s)).join(" ");
}
