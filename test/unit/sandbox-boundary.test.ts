import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Every import specifier of a file (static, dynamic and re-exports). */
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

  it("the entry point loads the sandbox lazily, only for --sandbox", () => {
    const start = readFileSync(join(SRC, "start.ts"), "utf8");
    expect(start).toMatch(/flags\.sandbox \? await import\("\.\/sandbox\/index\.ts"\)/);
    expect(start).not.toMatch(/^import .*sandbox/m);
  });

  it("the simulators import nothing from the product but the provider types", () => {
    const outward = sources(join(SRC, "sandbox/providers")).flatMap((f) =>
      imports(f).filter((i) => i.startsWith("../") && !i.startsWith("./fixtures")),
    );
    expect([...new Set(outward)]).toEqual(["../../providers/types.ts"]);
  });
});
