import { describe, expect, it } from "vitest";
import { commandTree } from "./index.ts";

/**
 * Which answers the channel sees, decided once for Slack, Discord and the README: what the
 * channel's accounts hold (reads) and changes to what the channel can do (a note for everyone).
 * Everything else — help, listings of the workspace, audit, forms, errors, and the answer to a
 * request (its card is posted in the channel) — is visible only to the person who asked.
 */
const PUBLIC = [
  "services",
  "service",
  "balance",
  "invoices",
  "domains",
  "bind",
  "unbind",
  "grant",
  "revoke",
  "approvals set",
  "alerts on",
  "alerts off",
];

describe("answer visibility", () => {
  it("only the documented commands answer in the channel", () => {
    const open = commandTree.filter((c) => !c.ephemeral).map((c) => c.path.join(" "));
    expect(open.sort()).toEqual([...PUBLIC].sort());
  });

  it("the README says the same", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const line = readme.split("\n").find((l) => l.startsWith("Answers visible to the whole channel:"));
    expect(line, "README: the line that lists the public answers").toBeDefined();
    for (const c of PUBLIC) expect(line).toContain(`\`${c}\``);
  });
});
