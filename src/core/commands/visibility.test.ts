import { readFileSync } from "node:fs";
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
  "forecast",
  "bind",
  "unbind",
  "grant",
  "revoke",
  "approvals set",
  "alerts on",
  "alerts off",
  "report weekly",
  "report monthly",
  "report off",
];

describe("answer visibility", () => {
  it("only the documented commands answer in the channel", () => {
    const open = commandTree.filter((c) => !c.ephemeral).map((c) => c.path.join(" "));
    expect(open.sort()).toEqual([...PUBLIC].sort());
  });

  // A text check by nature: what is checked is that the README's prose lists the same commands.
  it("the README says the same", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const paragraph = readme
      .split("\n\n")
      .find((p) => p.startsWith("Answers visible to the whole channel:"))
      ?.replace(/\s+/g, " ");
    expect(paragraph, "README: the paragraph that lists the public answers").toBeDefined();
    const listed = paragraph?.split(" Every other answer")[0] ?? "";
    for (const c of PUBLIC) expect(listed).toContain(`\`${c}\``);
    expect(listed.match(/`[^`]+`/g)?.length).toBe(PUBLIC.length);
  });
});
