/**
 * A reader for our Dockerfile: its instructions (continuation lines joined, comments dropped),
 * grouped into stages, with the exec-form JSON arrays, ENV pairs and COPY flags decoded. Tests
 * ask it what the image does (which user, which command, which files) instead of matching the
 * file's text. It covers the syntax our Dockerfile uses; an instruction it cannot decode throws.
 */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string | undefined;
  base: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARG defaults declared before the first FROM. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending: { parts: string[]; line: number } | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    // Comment lines (and parser directives) and blank lines are dropped, also inside a continued
    // instruction.
    if (line.startsWith("#") || !line) return;
    const continued = line.endsWith("\\");
    const part = continued ? line.slice(0, -1).trim() : line;
    pending = pending ? { ...pending, parts: [...pending.parts, part] } : { parts: [part], line: i + 1 };
    if (continued) return;
    const joined = pending.parts.filter(Boolean).join(" ");
    const m = /^(\w+)\s+(.*)$/.exec(joined);
    if (!m) throw new Error(`Dockerfile line ${pending.line}: cannot read ${joined}`);
    instructions.push({ keyword: (m[1] ?? "").toUpperCase(), args: m[2] ?? "", line: pending.line });
    pending = undefined;
  });

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`Dockerfile line ${ins.line}: cannot read FROM ${ins.args}`);
      stages.push({ base: m[1] ?? "", name: m[2], instructions: [] });
    } else if (stages.length) stages.at(-1)?.instructions.push(ins);
    else if (ins.keyword === "ARG") {
      const [name, value = ""] = ins.args.split("=", 2);
      globalArgs[name ?? ""] = value;
    } else throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} before the first FROM`);
  }
  return { globalArgs, stages };
}

export function stage(file: Dockerfile, name: string): Stage {
  const found = file.stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage named ${name}`);
  return found;
}

export const all = (s: Stage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword);

/** The last `keyword` instruction of the stage (the one in effect for USER, WORKDIR, CMD, HEALTHCHECK). */
export function last(s: Stage, keyword: string): Instruction | undefined {
  return all(s, keyword).at(-1);
}

/** `["node", "dist/main.js"]`: the exec form, decoded; throws on the shell form. */
export function execForm(args: string): string[] {
  const argv = JSON.parse(args) as unknown;
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === "string"))
    throw new Error(`not an exec-form array: ${args}`);
  return argv;
}

/** The variables every ENV instruction of the stage sets (`ENV A=1 B=2`, unquoted values). */
export function env(s: Stage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ins of all(s, "ENV"))
    for (const pair of ins.args.split(/\s+/)) {
      const m = /^([A-Za-z_]\w*)=([^"'\s]*)$/.exec(pair);
      if (!m) throw new Error(`Dockerfile line ${ins.line}: cannot read ENV ${pair}`);
      out[m[1] ?? ""] = m[2] ?? "";
    }
  return out;
}

export interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
}

export function copies(s: Stage): Copy[] {
  return all(s, "COPY").map((ins) => {
    const words = ins.args.split(/\s+/);
    const flags = words.filter((w) => w.startsWith("--"));
    const paths = words.filter((w) => !w.startsWith("--"));
    const unknown = flags.filter((f) => !f.startsWith("--from="));
    if (unknown.length || paths.length < 2)
      throw new Error(`Dockerfile line ${ins.line}: cannot read COPY ${ins.args}`);
    return {
      from: flags.find((f) => f.startsWith("--from="))?.slice("--from=".length),
      sources: paths.slice(0, -1),
      dest: paths.at(-1) ?? "",
    };
  });
}

/** The `&&`-separated commands of every RUN of the stage, in order. */
export function runCommands(s: Stage): string[] {
  return all(s, "RUN").flatMap((ins) => ins.args.split("&&").map((c) => c.trim()));
}

/** HEALTHCHECK [options] CMD [...]: its options and the exec-form command. */
export function healthcheck(s: Stage): { options: Record<string, string>; cmd: string[] } | undefined {
  const ins = last(s, "HEALTHCHECK");
  if (!ins) return undefined;
  const m = /^((?:--[\w-]+=\S+\s+)*)CMD\s+(\[.*\])$/.exec(ins.args);
  if (!m) throw new Error(`Dockerfile line ${ins.line}: cannot read HEALTHCHECK ${ins.args}`);
  const options = Object.fromEntries(
    (m[1] ?? "")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((o) => o.slice(2).split("=", 2) as [string, string]),
  );
  return { options, cmd: execForm(m[2] ?? "") };
}
