import { describe, expect, it } from "vitest";
import { type Reply, textReply } from "../../core/reply.ts";
import { channel, code, icon, link, mention, rich, strong, type Text } from "../../core/rich.ts";
import { actionIdOf, escapeMrkdwn, mrkdwn, readViewValues, renderModal, renderReply } from "./render.ts";

describe("Slack rendering", () => {
  it("escapes every mention, link and broadcast typed as text", () => {
    expect(escapeMrkdwn("a < b & <!channel> <@U123> <#C9|ops> <https://x.example|y>")).toBe(
      "a &lt; b &amp; &lt;!channel&gt; &lt;@U123&gt; &lt;#C9|ops&gt; &lt;https://x.example|y&gt;",
    );
  });

  it("the notification text is the blocks in mrkdwn, so a mention in it still notifies", () => {
    const out = renderReply(textReply(rich`${mention("U123ABC")} is now ${strong("admin")} <!here>`));
    expect(out.text).toBe("<@U123ABC> is now *admin* &lt;!here&gt;");
  });

  const Z = "\u200b";
  it.each<[string, Text, string]>([
    ["strong", rich`${strong("prod")} is bound`, "*prod* is bound"],
    [
      "formatting typed as text is fenced",
      "*bold* _it_ ~st~",
      `${Z}*${Z}bold${Z}*${Z} ${Z}_${Z}it${Z}_${Z} ${Z}~${Z}st${Z}~${Z}`,
    ],
    ["inside a word it stays as typed", "web_1 and 2*3", "web_1 and 2*3"],
    ["backticks typed as text", "a `b` c", `a ${Z}\`${Z}b${Z}\`${Z} c`],
    ["code cannot be ended early", [code("a`b <!here>")], "`aˋb &lt;!here&gt;`"],
    ["a strong label cannot close early", [strong("*a* b")], "*a b*"],
    ["mentions from core", rich`${mention("U123ABC")} in ${channel("C9XYZ")}`, "<@U123ABC> in <#C9XYZ>"],
    ["a mention of a non-id is text", [mention("<!channel>")], "&lt;!channel&gt;"],
    [
      "links",
      [link("https://panel.example/x", "the <panel>")],
      "<https://panel.example/x|the &lt;panel&gt;>",
    ],
    ["icons", [icon("warning"), " careful"], ":warning: careful"],
    ["@everyone is not a mention in mrkdwn", "@everyone", "@everyone"],
  ])("%s", (_name, input, output) => {
    expect(mrkdwn(input)).toBe(output);
  });

  it("renders every block kind within Block Kit limits, with a plain-text fallback", () => {
    const rows = Array.from({ length: 400 }, (_, i) => [`svc-${i}`, "active", "2026-12-01"]);
    const r: Reply = {
      text: "Services",
      blocks: [
        { kind: "header", text: "H".repeat(500) },
        {
          kind: "fields",
          fields: Array.from({ length: 23 }, (_, i) => [`k${i}`, `v${i}`] as [string, string]),
        },
        { kind: "table", columns: ["ID", "Status", "Expires"], rows },
        { kind: "context", text: "ctx" },
        {
          kind: "actions",
          buttons: [
            { id: "a", label: "A", value: "1" },
            { id: "a", label: "B", value: "2", style: "danger" },
          ],
        },
      ],
    };
    const out = renderReply(r);
    expect(out.text).toBe("Services");
    expect(out.blocks.length).toBeLessThanOrEqual(50);
    const header = out.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    const sections = out.blocks.filter((b) => b.type === "section") as {
      text?: { text: string };
      fields?: unknown[];
    }[];
    for (const s of sections) {
      if (s.text) expect(s.text.text.length).toBeLessThanOrEqual(3000);
      if (s.fields) expect(s.fields.length).toBeLessThanOrEqual(10);
    }
    const actions = out.blocks.find((b) => b.type === "actions") as
      | { elements: { action_id: string; style?: string }[] }
      | undefined;
    if (actions) {
      const ids = actions.elements.map((e) => e.action_id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.map(actionIdOf)).toEqual(["a", "a"]);
    }
  });

  it("never pre-fills a secret field and reads submitted values back", () => {
    const view = renderModal(
      {
        id: "m",
        title: "A very long modal title that Slack would refuse",
        submitLabel: "Go",
        state: "{}",
        fields: [
          { id: "user", label: "User", kind: "text", initial: "me" },
          { id: "pass", label: "Password", kind: "secret", initial: "hunter2" },
        ],
      },
      "{}",
    );
    expect(JSON.stringify(view)).not.toContain("hunter2");
    expect((view.title as { text: string }).text.length).toBeLessThanOrEqual(24);
    expect(
      readViewValues({
        values: { user: { v: { value: "me" } }, os: { v: { selected_option: { value: "12" } } } },
      }),
    ).toEqual({ user: "me", os: "12" });
  });
});
