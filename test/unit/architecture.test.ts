import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { providers } from "../../src/providers/registry.ts";
import { PROVIDER_KINDS } from "../../src/providers/types.ts";

const SRC = new URL("../../src", import.meta.url).pathname;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

/**
 * The import specifiers of a file. The boundary checks below read source text on purpose: which
 * module a file imports (and which driver method it calls) is what they guard, and it is text.
 */
function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [
    ...text.matchAll(/(?:import|export)[^"']*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => m[1] ?? m[2] ?? "");
}

describe("architecture", () => {
  it("registers every provider folder and every kind", async () => {
    const folders = readdirSync(join(SRC, "providers")).filter(
      (n) => !n.startsWith("_") && statSync(join(SRC, "providers", n)).isDirectory(),
    );
    // Each folder's index.ts exports its provider(s); each of them is the registry's entry for its kind.
    const registered = new Set<unknown>(Object.values(providers));
    const unregistered: string[] = [];
    for (const folder of folders) {
      const exported = Object.values(
        (await import(pathToFileURL(join(SRC, "providers", folder, "index.ts")).href)) as object,
      );
      if (!exported.some((v) => registered.has(v))) unregistered.push(folder);
    }
    expect(unregistered).toEqual([]);
    expect(Object.keys(providers).sort()).toEqual([...PROVIDER_KINDS].sort());
    for (const kind of PROVIDER_KINDS) expect(providers[kind].kind).toBe(kind);
  });

  it("keeps core free of chat platforms and chat free of providers", () => {
    const offences: string[] = [];
    for (const file of tsFiles(join(SRC, "core")))
      for (const spec of imports(file))
        if (/\/chat\/|@slack\/|discord\.js/.test(spec)) offences.push(`${relative(SRC, file)} -> ${spec}`);
    for (const file of tsFiles(join(SRC, "chat")))
      for (const spec of imports(file))
        if (/\/providers\//.test(spec)) offences.push(`${relative(SRC, file)} -> ${spec}`);
    expect(offences).toEqual([]);
  });

  it("keeps product code away from the test fakes", () => {
    const offences = tsFiles(SRC).flatMap((file) =>
      imports(file)
        .filter((spec) => /(^|\/)test\//.test(spec))
        .map((spec) => `${relative(SRC, file)} -> ${spec}`),
    );
    expect(offences).toEqual([]);
  });

  it("calls mutating driver methods only from the confirmation state machine", () => {
    // The calls live in the action catalog, each in its entry's `run`; the only way to reach a
    // `run` is a bound action's `prepare`, and only the execution of an approved request calls it.
    const mutating =
      /\.(reboot|powerOn|powerOff|reinstall|renewService|setAutorenew|cancelService|renewDomain|setNameservers)[!?]?\(/;
    const lines = (f: string) =>
      readFileSync(f, "utf8")
        .split("\n")
        .map((line, i) => ({ line, at: `${relative(SRC, f)}:${i + 1}` }));
    const product = tsFiles(SRC).filter((f) => !f.includes("/providers/") && !f.includes("/sandbox/"));
    const offences = product.flatMap((f) =>
      lines(f)
        .filter(({ line }) => mutating.test(line))
        .filter(({ line }) => !(f.includes("/core/actions/") && /^\s*run: \(/.test(line)))
        .map(({ at }) => at),
    );
    expect(offences).toEqual([]);
    const prepared = product.flatMap((f) =>
      lines(f)
        .filter(({ line }) => /\.prepare\(/.test(line))
        .map(({ at }) => at.replace(/:\d+$/, "")),
    );
    expect([...new Set(prepared)]).toEqual(["core/confirmations/execute.ts"]);
  });
});
