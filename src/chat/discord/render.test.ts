import { describe, expect, it } from "vitest";
import { type Block, blocksReply, errorReply, type Reply, textReply } from "../../core/reply.ts";
import { channel, code, icon, mention, rich, strong, type Text } from "../../core/rich.ts";
import { MemoryPayloadStore } from "./custom-id.ts";
import { DISCORD_LIMITS, renderReply, SEVERITY_COLOR, splitProse } from "./render.ts";
import { discordMarkdown } from "./text.ts";

const store = () => new MemoryPayloadStore();
const render = (r: Reply) => renderReply(r, store());

/** What Discord counts against the 6000 characters of a message's embeds. */
function embedChars(p: ReturnType<typeof render>): number {
  return p.embeds.reduce(
    (n, e) =>
      n +
      (e.title?.length ?? 0) +
      (e.description?.length ?? 0) +
      (e.footer?.text.length ?? 0) +
      (e.fields ?? []).reduce((m, f) => m + f.name.length + f.value.length, 0),
    0,
  );
}

describe("renderReply", () => {
  it("sends short informational text as a plain message in Discord markdown", () => {
    const p = render(
      textReply(rich`Bound ${strong("prod")} to this channel. Try ${code("/hosting services")}.`),
    );
    expect(p.content).toBe("Bound **prod** to this channel. Try `/hosting services`.");
    expect(p.embeds).toEqual([]);
    expect(p.allowedMentions).toEqual({ parse: [] });
  });

  it("puts warnings in a coloured embed", () => {
    const p = render(errorReply(rich`No account labelled ${strong("x")}.`));
    expect(p.content).toBeUndefined();
    expect(p.embeds[0]?.color).toBe(SEVERITY_COLOR.warning);
    expect(p.embeds[0]?.description).toBe("⚠️ No account labelled **x**.");
  });

  it("renders headers as titles, fields as embed fields and tables as code blocks", () => {
    const p = render(
      blocksReply([
        { kind: "header", text: "web (302)" },
        {
          kind: "fields",
          fields: [
            ["Status", "active"],
            ["Expires", "2026-01-01"],
          ],
        },
        { kind: "header", text: "Services" },
        { kind: "table", columns: ["ID", "Name"], rows: [["302", "web`` `x"]] },
      ]),
    );
    expect(p.embeds).toHaveLength(2);
    expect(p.embeds[0]).toMatchObject({
      title: "web (302)",
      fields: [{ name: "Status", value: "active", inline: true }, { name: "Expires" }],
    });
    expect(p.embeds[1]?.title).toBe("Services");
    // Backticks in cells cannot close the code block early.
    expect(p.embeds[1]?.description).toBe("```\nID   Name\n---  --------\n302  webˋˋ ˋx\n```");
  });

  it("keeps the order of text after fields by starting a new embed", () => {
    const p = render(
      blocksReply([
        { kind: "fields", fields: [["a", "1"]] },
        { kind: "context", text: "after" },
      ]),
    );
    expect(p.embeds.map((e) => [e.fields?.length ?? 0, e.description ?? ""])).toEqual([
      [1, ""],
      [0, "after"],
    ]);
  });

  it("splits more than 25 fields over embeds and clips long values visibly", () => {
    const fields: [string, string][] = Array.from({ length: 30 }, (_, i) => [
      `f${i}`,
      i === 0 ? "x".repeat(2000) : "v",
    ]);
    const p = render(blocksReply([{ kind: "fields", fields }]));
    expect(p.embeds.map((e) => e.fields?.length)).toEqual([25, 5]);
    const first = p.embeds[0]?.fields?.[0]?.value ?? "";
    expect(first).toHaveLength(DISCORD_LIMITS.fieldValue);
    expect(first.endsWith("…")).toBe(true);
  });

  it("cuts a huge table to the 6000-character message budget and says how many rows are missing", () => {
    const rows = Array.from({ length: 500 }, (_, i) => [
      String(1000 + i),
      `server-${i}.example.com`,
      "active",
      "2026-01-01",
    ]);
    const p = render(
      blocksReply([
        { kind: "header", text: "Services" },
        { kind: "table", columns: ["ID", "Name", "Status", "Expires"], rows },
      ]),
    );
    expect(embedChars(p)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(p.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
    for (const e of p.embeds) {
      expect(e.description?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
      // Every code block is closed; each repeats the column header.
      expect((e.description?.match(/```/g) ?? []).length % 2).toBe(0);
      if (e.description) expect(e.description).toContain("ID  ");
    }
    const shown = p.embeds.reduce((n, e) => n + (e.description?.match(/^\d{4} /gm) ?? []).length, 0);
    const footer = p.embeds[p.embeds.length - 1]?.footer?.text ?? "";
    expect(footer).toContain(`${500 - shown} more row(s) not shown`);
    expect(shown).toBeGreaterThan(50);
  });

  it("splits long prose between embeds", () => {
    const text = Array.from({ length: 300 }, (_, i) => `line ${i} ${"x".repeat(20)}`).join("\n");
    const p = render(blocksReply([{ kind: "text", text }], { severity: "info" }));
    expect(p.content).toBeUndefined();
    expect(p.embeds.length).toBeGreaterThan(1);
    for (const e of p.embeds) expect(e.description?.length ?? 0).toBeLessThanOrEqual(4096);
    expect(embedChars(p)).toBeLessThanOrEqual(6000);
  });

  it("lays out buttons 5 per row, at most 5 rows, with styles, and notes what is left out", () => {
    const buttons = Array.from({ length: 12 }, (_, i) => ({
      id: "confirm:approve",
      label: `B${i}`,
      value: `v${i}`,
      style: i === 0 ? ("danger" as const) : i === 1 ? ("primary" as const) : undefined,
    }));
    const p = render(
      blocksReply([
        { kind: "text", text: "Pick" },
        { kind: "actions", buttons },
      ]),
    );
    expect(p.components.map((r) => r.components.length)).toEqual([5, 5, 2]);
    const flat = p.components.flatMap((r) => r.components);
    expect(flat.slice(0, 3).map((b) => b.style)).toEqual([4, 1, 2]);
    expect(flat[0]?.custom_id).toBe("confirm:approve|v0");

    const many: Block[] = [
      { kind: "header", text: "Lots" },
      {
        kind: "actions",
        buttons: Array.from({ length: 30 }, (_, i) => ({ id: "x", label: `${i}`, value: `${i}` })),
      },
    ];
    const q = render(blocksReply(many));
    expect(q.components).toHaveLength(5);
    expect(q.embeds[0]?.footer?.text).toContain("5 more button(s) not shown");
  });

  it("drops duplicate buttons (Discord rejects repeated custom_ids) and keeps custom_ids within 100", () => {
    const p = render(
      blocksReply([
        {
          kind: "actions",
          buttons: [
            { id: "a", label: "A", value: "same" },
            { id: "a", label: "A again", value: "same" },
            { id: "b", label: "Long", value: "z".repeat(300) },
          ],
        },
      ]),
    );
    const flat = p.components.flatMap((r) => r.components);
    expect(flat.map((b) => b.label)).toEqual(["A", "Long"]);
    for (const b of flat) expect(b.custom_id.length).toBeLessThanOrEqual(100);
  });

  it("never sends an empty message", () => {
    const p = render({ text: "fallback", blocks: [] });
    expect(p.content).toBe("fallback");
  });
});

describe("discordMarkdown", () => {
  it.each<[string, Text, string]>([
    ["strong", rich`${strong("prod")} is bound`, "**prod** is bound"],
    [
      "plain markup is escaped",
      "my_prod_1 and ~~x~~ and a||b",
      "my\\_prod\\_1 and \\~\\~x\\~\\~ and a\\|\\|b",
    ],
    ["code keeps its text", rich`see ${code("my_prod *x*")}`, "see `my_prod *x*`"],
    ["a backtick cannot end code early", [code("a`b")], "`aˋb`"],
    ["mass mentions", "hi @everyone and @here", "hi @\u200beveryone and @\u200bhere"],
    ["masked links", "[click](https://evil.example)", "\\[click](https://evil.example)"],
    ["line starts", "# big\n> quote\n- item", "\\# big\n\\> quote\n\\- item"],
    ["icons", [icon("warning"), " careful"], "⚠️ careful"],
    ["stars", "2 * 3 = 6", "2 \\* 3 = 6"],
    ["mentions typed as text stay text", "<@123> and <#456>", "\\<@123> and \\<#456>"],
    [
      "mentions from core work",
      rich`${mention("123456789")} in ${channel("456456456")}`,
      "<@123456789> in <#456456456>",
    ],
    ["a strong label cannot close early", [strong("*a* b")], "**a b**"],
    ["backslashes", "back\\slash", "back\\\\slash"],
    ["an escaped star stays escaped", "a\\*b*", "a\\\\\\*b\\*"],
  ])("%s", (_name, input, output) => {
    expect(discordMarkdown(input)).toBe(output);
  });
});

describe("splitProse", () => {
  it("splits at line breaks and hard-splits a single huge line", () => {
    expect(splitProse("a\nb\nc", 3)).toEqual(["a\nb", "c"]);
    expect(splitProse("abcdefg", 3)).toEqual(["abc", "def", "g"]);
  });
});
