import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { cleanEnv, memoryIo } from "../helpers/process.ts";

/** The sandbox, replaced by a stand-in that records that it was loaded and stops a start. */
const STAND_IN = "the sandbox stand-in stops here";
const sandbox = vi.hoisted(() => ({ loaded: false }));
vi.mock("../../src/sandbox/index.ts", () => {
  sandbox.loaded = true;
  return {
    startSandboxProviders: () => Promise.reject(new Error(STAND_IN)),
  };
});

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/**
 * Every import specifier of a file (static, dynamic and re-exports). The import graph is source
 * text: these boundary checks read it on purpose (what a module merely declares it imports is
 * the thing they guard).
 */
function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]!);
}

describe("the sandbox stays out of the product", () => {
  it("nothing under src/ imports src/sandbox/ except the --sandbox entry point (src/start.ts)", () => {
    const offenders = sources(SRC)
      .filter((f) => !relative(SRC, f).startsWith("sandbox/"))
      .flatMap((f) =>
        imports(f)
          .filter((i) => /(^|\/)sandbox\//.test(i))
          .map((i) => `${relative(SRC, f)} -> ${i}`),
      );
    expect(offenders).toEqual(["start.ts -> ./sandbox/index.ts"]);
  });

  it("the entry point loads the sandbox only for --sandbox", async () => {
    // Nothing start.ts imports, directly or not, loads the sandbox; a run without --sandbox does not.
    const { start } = await import("../../src/start.ts");
    expect(sandbox.loaded).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), "hostops-sandbox-boundary-"));
    try {
      const env = cleanEnv({ HOSTOPS_DATA_DIR: dir });
      expect(await start({ argv: ["--console"], env, ...memoryIo(""), overrides: { memoryDb: true } })).toBe(
        0,
      );
      expect(sandbox.loaded).toBe(false);
      // --sandbox loads it (the stand-in stops the start there).
      await expect(start({ argv: ["--sandbox"], env, ...memoryIo("") })).rejects.toThrow(STAND_IN);
      expect(sandbox.loaded).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("the simulators import nothing from the product but the provider types", () => {
    const outward = sources(join(SRC, "sandbox/providers")).flatMap((f) =>
      imports(f).filter((i) => i.startsWith("../") && !i.startsWith("./fixtures")),
    );
    expect([...new Set(outward)]).toEqual(["../../providers/types.ts"]);
  });
});
