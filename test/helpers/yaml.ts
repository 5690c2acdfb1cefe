/**
 * A strict reader for the YAML of our operations files (docker-compose.yml, slack/manifest.yml):
 * block mappings and sequences, plain and quoted scalars, flow sequences of double-quoted strings,
 * comments, and anchors and aliases. Anything else (block scalars, flow mappings, tabs in the
 * indentation, multi-line plain scalars, duplicate keys) throws, so a construct this reader does not
 * know fails the test instead of being misread. The project has no YAML library among its
 * dependencies, and these files need no more than this.
 */
export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

interface Line {
  indent: number;
  text: string;
  no: number;
}

/** The text of a line without its comment (a `#` at the start or after a space, outside quotes). */
function stripComment(raw: string): string {
  let quote: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || raw[i - 1] === " ")) return raw.slice(0, i);
  }
  return raw;
}

export function parseYaml(source: string): Yaml {
  const lines: Line[] = [];
  source.split("\n").forEach((raw, i) => {
    const indent = /^[ \t]*/.exec(raw)?.[0] ?? "";
    if (indent.includes("\t") && raw.trim()) throw new Error(`line ${i + 1}: a tab in the indentation`);
    const text = stripComment(raw).trimEnd();
    if (text.trim()) lines.push({ indent: indent.length, text: text.trim(), no: i + 1 });
  });
  const anchors = new Map<string, Yaml>();
  let at = 0;
  const fail = (line: Line | undefined, what: string): never => {
    throw new Error(`line ${line?.no ?? "end"}: ${what}`);
  };

  function scalar(text: string, line: Line): Yaml {
    const alias = /^\*([\w-]+)$/.exec(text);
    if (alias) {
      const name = alias[1] ?? "";
      if (!anchors.has(name)) fail(line, `unknown alias *${name}`);
      return anchors.get(name) ?? null;
    }
    if (text.startsWith('"')) return JSON.parse(text) as string;
    if (text.startsWith("'")) {
      if (!text.endsWith("'") || text.length < 2) fail(line, "an unclosed single-quoted string");
      return text.slice(1, -1).replaceAll("''", "'");
    }
    if (text.startsWith("[")) {
      const items = JSON.parse(text) as unknown;
      if (!Array.isArray(items) || !items.every((s) => typeof s === "string"))
        fail(line, "a flow sequence other than double-quoted strings");
      return items as string[];
    }
    if (/^[{|>&!%@`]/.test(text)) fail(line, `a construct this reader does not know: ${text}`);
    if (text === "true" || text === "false") return text === "true";
    if (text === "null" || text === "~") return null;
    if (/^-?\d+$/.test(text)) return Number(text);
    return text;
  }

  /** The value after `key:` or `-`: inline, or the block on the following, deeper lines. */
  function value(rest: string, line: Line, parentIndent: number): Yaml {
    const anchored = /^&([\w-]+)(?:\s+(.*))?$/.exec(rest);
    if (anchored) {
      const v = value(anchored[2] ?? "", line, parentIndent);
      anchors.set(anchored[1] ?? "", v);
      return v;
    }
    if (rest) return scalar(rest, line);
    const next = lines[at];
    if (next && next.indent > parentIndent) return block(next.indent);
    // A sequence may sit at its key's own indentation.
    if (next && next.indent === parentIndent && /^-( |$)/.test(next.text)) return sequence(next.indent);
    return null;
  }

  function block(indent: number): Yaml {
    const first = lines[at];
    return first && /^-( |$)/.test(first.text) ? sequence(indent) : mapping(indent);
  }

  function mapping(indent: number): Yaml {
    const out: { [key: string]: Yaml } = {};
    for (let line = lines[at]; line && line.indent >= indent; line = lines[at]) {
      if (line.indent > indent) fail(line, "unexpected indentation (a multi-line scalar?)");
      if (/^-( |$)/.test(line.text)) break;
      const m = /^([^\s"'#][^:]*?|"[^"]*"):(?: +(.*))?$/.exec(line.text);
      if (!m) fail(line, `expected "key: value", got ${line.text}`);
      const key = (m?.[1] ?? "").startsWith('"') ? (JSON.parse(m?.[1] ?? "") as string) : (m?.[1] ?? "");
      if (Object.hasOwn(out, key)) fail(line, `duplicate key ${key}`);
      at++;
      out[key] = value(m?.[2] ?? "", line, indent);
    }
    return out;
  }

  function sequence(indent: number): Yaml[] {
    const out: Yaml[] = [];
    for (
      let line = lines[at];
      line && line.indent === indent && /^-( |$)/.test(line.text);
      line = lines[at]
    ) {
      const rest = line.text.slice(1).trimStart();
      if (/^[^\s"'[{#*&][^:]*?:( |$)/.test(rest)) {
        // "- key: value": a mapping whose first entry is on the dash's line.
        const inner = indent + (line.text.length - rest.length);
        lines[at] = { indent: inner, text: rest, no: line.no };
        out.push(mapping(inner));
      } else {
        at++;
        out.push(value(rest, line, indent));
      }
    }
    return out;
  }

  const root = lines.length ? block(lines[0]?.indent ?? 0) : null;
  if (at < lines.length) fail(lines[at], "unexpected indentation");
  return root;
}

/** `doc` at `path`, which must be a mapping at each step; throws naming the path when it is not. */
export function yamlAt(doc: unknown, ...path: string[]): Yaml {
  let v = doc as Yaml;
  for (const [i, key] of path.entries()) {
    if (v === null || typeof v !== "object" || Array.isArray(v) || !Object.hasOwn(v, key))
      throw new Error(`no ${path.slice(0, i + 1).join(".")}`);
    v = v[key] ?? null;
  }
  return v;
}
