import { describe, expect, it } from "vitest";
import { errorReply } from "../../core/reply.ts";
import { channel, command, icon, link, mention, rich, strong, type Text } from "../../core/rich.ts";
import { fieldPrompt, renderChoices, renderReply, terminalText } from "./render.ts";

const plain = { color: false };

describe("console rendering", () => {
  it.each<[Text, string]>([
    [rich`${strong("prod")} is bound`, "prod is bound"],
    ["*prod* typed as text stays", "*prod* typed as text stays"],
    [[icon("warning"), " careful"], "⚠ careful"],
    [rich`by ${mention("U123")} in ${channel("C9")}`, "by @U123 in #C9"],
    [rich`see ${link("https://example.com", "the docs")}`, "see the docs (https://example.com)"],
    [rich`run ${command(["bind"], { label: "prod" })}`, "run /hosting bind prod"],
    ["evil\u001b[2Jlabel\u0007\u009b31m", "evil[2Jlabel31m"],
    ["keeps\nnewlines\tand tabs", "keeps\nnewlines\tand tabs"],
  ])("terminalText(%j) = %j", (input, want) => {
    expect(terminalText(input, plain)).toBe(want);
  });

  it("bolds with ANSI only when colour is on", () => {
    expect(terminalText([strong("x")], { color: true })).toBe("\u001b[1mx\u001b[22m");
  });

  it("renders blocks as lines and returns the buttons apart", () => {
    const r = renderReply(
      {
        text: "fallback",
        blocks: [
          { kind: "header", text: "Reboot requested" },
          {
            kind: "fields",
            fields: [
              ["Account", "eu (Hostens)"],
              ["Status", "waiting"],
            ],
          },
          { kind: "table", columns: ["ID", "Name"], rows: [["302", "web"]] },
          { kind: "context", text: "note" },
          {
            kind: "actions",
            buttons: [
              { id: "confirm:approve", label: "Approve", style: "primary", value: "r1" },
              { id: "confirm:deny", label: "Deny", style: "danger", value: "r1" },
            ],
          },
        ],
      },
      plain,
    );
    expect(r.text).toBe(
      [
        "Reboot requested",
        "  Account: eu (Hostens)",
        "  Status:  waiting",
        "  ID   Name\n  ---  ----\n  302  web",
        "note",
      ].join("\n"),
    );
    expect(r.buttons.map((b) => b.value)).toEqual(["r1", "r1"]);
    expect(renderChoices(r.buttons, 3, plain)).toBe("[3] Approve  [4] Deny");
  });

  it("renders an error reply with its warning sign, and an empty table as (none)", () => {
    expect(renderReply(errorReply("No account."), plain).text).toBe("⚠ No account.");
    expect(renderReply({ text: "", blocks: [{ kind: "table", columns: ["A"], rows: [] }] }, plain).text).toBe(
      "  (none)",
    );
  });

  it("prompts a secret field as hidden and puts a long hint above the prompt", () => {
    expect(fieldPrompt({ id: "pin", label: "PIN", kind: "secret" }, plain)).toEqual({
      prompt: "PIN (hidden): ",
    });
    const long = fieldPrompt(
      {
        id: "u",
        label: "Email",
        kind: "text",
        placeholder: "The email you log in to billing.example.com with.",
      },
      plain,
    );
    expect(long.prompt).toBe("Email: ");
    expect(long.note).toContain("The email you log in");
    expect(
      fieldPrompt({ id: "b", label: "URL", kind: "text", optional: true, initial: "https://x" }, plain)
        .prompt,
    ).toBe("URL (optional, Enter keeps https://x): ");
  });
});

describe("numbered choices", () => {
  it("wrap before the width, never inside a choice", () => {
    const buttons = Array.from({ length: 12 }, (_, i) => ({
      id: "x",
      label: `Snooze item ${i} 7 days`,
      value: "",
    }));
    const out = renderChoices(buttons, 1, plain, 60);
    const lines = out.split("\n");
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
    expect(out.replace(/\n/g, "  ")).toBe(buttons.map((b, i) => `[${i + 1}] ${b.label}`).join("  "));
  });
});
