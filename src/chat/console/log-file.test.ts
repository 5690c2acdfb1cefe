import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { consoleLog } from "./log-file.ts";

const dir = mkdtempSync(join(tmpdir(), "hostops-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the console's logs", () => {
  it("go to console.log in the data directory when LOG_LEVEL is not set, not to the terminal", async () => {
    const stderr = new PassThrough();
    let seen = "";
    stderr.on("data", (c: Buffer) => {
      seen += c.toString();
    });
    const logs = consoleLog({ envLevel: undefined, level: "info", dataDir: dir, sandbox: false, stderr });
    expect(logs.file).toBe(join(dir, "console.log"));
    logs.log.warn({ provider: "hostkey" }, "billing data unavailable");
    await logs.close();
    expect(seen).toBe("");
    expect(readFileSync(join(dir, "console.log"), "utf8")).toContain('"msg":"billing data unavailable"');
  });

  it("go to stderr, at that level, when LOG_LEVEL is set", async () => {
    const stderr = new PassThrough();
    let seen = "";
    stderr.on("data", (c: Buffer) => {
      seen += c.toString();
    });
    const logs = consoleLog({ envLevel: "debug", level: "debug", dataDir: dir, sandbox: false, stderr });
    expect(logs.file).toBeUndefined();
    logs.log.debug("a debug line");
    await logs.close();
    await expect.poll(() => seen).toContain("a debug line");
  });
});
