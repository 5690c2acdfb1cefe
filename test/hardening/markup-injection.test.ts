import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { renderReply as renderConsole } from "../../src/chat/console/render.ts";
import { MemoryPayloadStore } from "../../src/chat/discord/custom-id.ts";
import { renderReply as renderDiscord } from "../../src/chat/discord/render.ts";
import { renderReply as renderSlack } from "../../src/chat/slack/render.ts";
import { loadConfig } from "../../src/config.ts";
import type { Reply } from "../../src/core/reply.ts";
import { silentLogger } from "../../src/observability/logger.ts";
import { type HostBillFake, hostbillDemoData, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { addBoundAccount } from "../helpers/accounts.ts";

/**
 * Text from a provider (a service's name and label) reaches every platform as typed: it cannot
 * bold, italicize, strike, open code, link, mention a person or broadcast to a channel. The
 * hostile names go through the real driver, the real command and each platform's real renderer.
 */
const HOSTILE = "*bold* _it_ ~~st~~ `tick` <!channel> <@U999AAA> @everyone [x](https://evil.example) ||s||";

describe("provider text cannot inject markup or mentions", () => {
  let app: Hostops;
  let fake: HostBillFake;
  let shown: Reply;
  let listed: Reply;

  beforeAll(async () => {
    const now = new Date();
    const demo = hostbillDemoData("hostens", now);
    fake = await startHostBillFake({
      kind: "hostens",
      now,
      data: {
        services: demo.services.map((s) => ({ ...s, domain: HOSTILE, label: HOSTILE, name: HOSTILE })),
      },
    });
    app = await startHostops({
      config: loadConfig({ LOG_LEVEL: "silent" }),
      log: silentLogger,
      overrides: { memoryDb: true, noTimers: true, noHttpServer: true, providerRetries: 0 },
    });
    await addBoundAccount(app.core, { label: "prod", fake, channel: "C1", by: "UADMIN" });
    const actor = {
      platform: "slack" as const,
      workspaceId: "T1",
      channelId: "C1",
      userId: "UADMIN",
      userIsPlatformAdmin: true,
    };
    const id = demo.services[0]?.id ?? "";
    const one = await app.dispatcher.command({ ...actor, path: ["service"], args: { id } });
    const all = await app.dispatcher.command({ ...actor, path: ["services"], args: {} });
    if (one.kind !== "reply" || all.kind !== "reply") throw new Error("expected replies");
    shown = one.reply;
    listed = all.reply;
    expect(JSON.stringify(shown.blocks)).toContain("bold");
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  it("on Slack: no mention, broadcast or link survives, and no formatting mark touches a word", () => {
    for (const r of [shown, listed]) {
      const rendered = renderSlack(r);
      // Slack reads markup in mrkdwn text objects and the fallback text; plain_text (headers,
      // buttons) is shown as typed by Slack itself.
      const mrkdwn = JSON.stringify(rendered.blocks).match(/"type":"mrkdwn","text":"(?:[^"\\]|\\.)*"/g) ?? [];
      const out = [rendered.text, ...mrkdwn].join("\n");
      expect(out).toContain("bold");
      expect(out).not.toMatch(/<!channel>|<@U999AAA>|<https:\/\/evil/);
      if (r === shown) expect(out).toContain("&lt;@U999AAA&gt;");
      // Outside code blocks (tables: nothing formats there), each mark is fenced by zero-width spaces.
      const prose = out.replace(/```[\s\S]*?```/g, "");
      expect(prose).not.toMatch(/(^|[^\u200b])\*bold\*/);
      expect(prose).not.toMatch(/(^|[^\u200b])_it_/);
      expect(prose).not.toMatch(/[^\u200bˋ]`tick`/);
    }
  });

  it("on Discord: marks are escaped, mentions and links are text, @everyone cannot ping", () => {
    for (const r of [shown, listed]) {
      const p = renderDiscord(r, new MemoryPayloadStore());
      expect(p.allowedMentions).toEqual({ parse: [] });
      const out = [
        p.content ?? "",
        ...p.embeds.flatMap((e) => [
          e.title ?? "",
          e.description ?? "",
          ...(e.fields ?? []).flatMap((f) => [f.name, f.value]),
        ]),
      ].join("\n");
      // Outside code blocks (tables), every mark is escaped.
      const prose = out.replace(/```[\s\S]*?```/g, "");
      expect(prose).not.toMatch(/(^|[^\\])\*bold/);
      expect(prose).not.toMatch(/(^|[^\\])<@U999AAA>/);
      expect(prose).not.toMatch(/(^|[^\\])\[x\]\(/);
      expect(prose).not.toMatch(/@everyone/);
      expect(prose).not.toMatch(/(^|[^\\])\|\|s/);
    }
  });

  it("in the terminal: the name shows exactly as the provider wrote it", () => {
    const out = renderConsole(shown, { color: false }).text;
    // (The HostBill driver drops what reads as an HTML tag, <!channel> here, before core sees it.)
    expect(out).toContain("*bold* _it_ ~~st~~ `tick` <@U999AAA> @everyone [x](https://evil.example) ||s||");
  });
});
