import { desc, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { escapeControlChars } from "../../src/core/control-chars.ts";
import { auditLog } from "../../src/db/schema.ts";
import { createLogger } from "../../src/observability/logger.ts";
import {
  buttonClick,
  type FakeSlack,
  form,
  signedPost,
  slashCommand,
  startFakeSlack,
  viewSubmission,
} from "../fakes/slack.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { actorFor, coreWithHostens } from "./helpers.ts";

/**
 * Bad input keeps the record: NUL and other control characters in commands, clicks and form
 * values get a clear answer, and the audit row is written with the characters escaped (Postgres
 * refuses NUL in text and jsonb). Slack payloads without their ids are refused without a crash.
 */

const NASTY = ["\u0000", "\u0007", "\u001b[31m", "\u007f", "\u0085", "\u0008"];

describe("control characters through the dispatcher (Discord, console and CLI share it)", () => {
  let env: Awaited<ReturnType<typeof coreWithHostens>>;
  const lines: string[] = [];
  beforeAll(async () => {
    env = await coreWithHostens({
      log: createLogger({ level: "info", sink: { write: (l) => lines.push(l) } }),
    });
  });
  afterAll(async () => {
    await env.close();
  });
  const lastAudit = async () =>
    (await env.app.db.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1))[0];

  for (const c of NASTY) {
    const shown = escapeControlChars(c);
    it(`command text with ${shown}: a clear answer and an audit row with it escaped`, async () => {
      const out = await env.app.dispatcher.text(actorFor("UADMIN"), `grant <@U2|bob> oper${c}ator`);
      expect(out.kind).toBe("reply");
      const text = out.kind === "reply" ? out.reply.text : "";
      expect(text).toMatch(/control character \(U\+00[0-9A-F]{2}\)/);
      expect(text).not.toContain(c);
      const row = await lastAudit();
      expect(row?.outcome).toBe("invalid");
      expect(JSON.stringify(row?.args)).toContain(shown.replace(/\\/g, "\\\\"));
    });

    it(`command options with ${shown} (a Discord option, a CLI flag): refused and audited`, async () => {
      const out = await env.app.dispatcher.command({
        ...actorFor("UADMIN"),
        path: ["services"],
        args: { account: `e${c}u` },
      });
      expect(out.kind === "reply" && out.reply.text).toMatch(/^account contains a control character/);
      const row = await lastAudit();
      expect(row?.command).toBe("services");
      expect(row?.outcome).toBe("invalid");
      expect(row?.args).toEqual({ account: `e${shown}u` });
    });

    it(`a click whose value holds ${shown}: refused and audited`, async () => {
      const out = await env.app.dispatcher.action(actorFor("UADMIN"), "accounts:add-form", `host${c}4coins`);
      expect(out.kind === "reply" && out.reply.text).toMatch(/That button contains a control character/);
      const row = await lastAudit();
      expect(row?.command).toBe("button accounts:add-form");
      expect(row?.args).toEqual({ value: `host${shown}4coins` });
    });

    it(`a form value with ${shown}: a field error, the audit row names the field, not the value`, async () => {
      const out = await env.app.dispatcher.modal(actorFor("UADMIN"), "accounts:add", '{"kind":"hostkey"}', {
        label: "new",
        cred_apiKey: `secret${c}value-9876`,
        base_url: "",
      });
      expect(out).toEqual({
        kind: "fieldErrors",
        errors: { cred_apiKey: expect.stringMatching(/control character \(U\+00/) },
      });
      const row = await lastAudit();
      expect(row?.command).toBe("form accounts:add");
      expect(row?.outcome).toBe("invalid");
      expect(JSON.stringify(row)).not.toContain("value-9876");
    });
  }

  it("text that does not parse is audited by its command words and size, not the rest", async () => {
    const out = await env.app.dispatcher.text(
      actorFor("UADMIN"),
      "accounts add hostkey Sup3r-s3cret-key-991 extra",
    );
    expect(out.kind).toBe("reply");
    const row = await lastAudit();
    expect(row?.command).toBe("(unparsed)");
    expect(row?.outcome).toBe("invalid");
    expect(row?.args).toEqual({ start: "accounts add", words: 5, chars: 47 });
    expect(JSON.stringify(row)).not.toContain("s3cret");
  });

  it("unparsable text with a NUL: the control-character answer, audited with its code point", async () => {
    const out = await env.app.dispatcher.text(actorFor("UADMIN"), "serv\u0000ices");
    expect(out.kind === "reply" && out.reply.text).toMatch(
      /The command contains a control character \(U\+0000\)/,
    );
    const row = await lastAudit();
    expect(row?.command).toBe("(unparsed)");
    expect(row?.args).toMatchObject({ control: "U+0000", words: 1 });
  });

  it("an actor id with a NUL (a forged payload) still gets its audit row, escaped", async () => {
    const out = await env.app.dispatcher.text(actorFor("U\u0000X", { channelId: "C\u00001" }), "help");
    expect(out.kind).toBe("reply");
    const row = await lastAudit();
    expect(row?.userId).toBe("U\\u0000X");
    expect(row?.channelId).toBe("C\\u00001");
    expect(lines.join("\n")).not.toMatch(/audit write failed/);
  });

  it("tab and line feed are whitespace, not refused", async () => {
    const out = await env.app.dispatcher.text(actorFor("UADMIN"), "services\t--account\neu");
    expect(out.kind === "reply" && out.reply.text).not.toMatch(/control character/);
  });
});

describe("Slack: control characters and payloads without ids", () => {
  let slack: FakeSlack;
  let app: Hostops;
  let events: string;
  const lines: string[] = [];
  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.admins.add("UADMIN");
    app = await startHostops({
      config: testConfig({ SLACK_API_URL: slack.apiUrl }),
      log: createLogger({ level: "debug", sink: { write: (l) => lines.push(l) } }),
      overrides: { memoryDb: true, noTimers: true, slackProcessBeforeResponse: true },
    });
    events = `http://127.0.0.1:${app.port}/slack/events`;
  });
  afterAll(async () => {
    await app?.stop();
    await slack?.close();
  });
  const auditRows = async () =>
    (await app.db.rows<{ n: number }>(sql`select count(*)::int as n from audit_log`))[0]?.n ?? 0;
  const lastAudit = async () =>
    (await app.db.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1))[0];

  it("a slash command with a NUL byte is answered and audited", async () => {
    const responseUrl = slack.responseUrl("nul-cmd");
    const res = await signedPost(
      events,
      slashCommand("grant <@U2|bob> oper\u0000ator", { user: "UADMIN", channel: "C1", responseUrl }),
      { secret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    const reply = await slack.waitFor((c) => c.method === "response:nul-cmd");
    expect(JSON.stringify(reply.body)).toMatch(/control character \(U\+0000\)/);
    const row = await lastAudit();
    expect(row?.outcome).toBe("invalid");
    expect(JSON.stringify(row?.args)).toContain("oper\\\\u0000ator");
  });

  it("a click with a NUL byte is answered and audited", async () => {
    const responseUrl = slack.responseUrl("nul-click");
    await signedPost(
      events,
      buttonClick("accounts:add-form", "host\u0000ens", { user: "UADMIN", channel: "C1", responseUrl }),
      { secret: SIGNING_SECRET },
    );
    const reply = await slack.waitFor((c) => c.method === "response:nul-click");
    expect(JSON.stringify(reply.body)).toMatch(/control character/);
    expect((await lastAudit())?.command).toBe("button accounts:add-form");
  });

  it("a form value with a NUL byte gets a field error on that field", async () => {
    const res = await signedPost(
      events,
      viewSubmission(
        {
          callback_id: "accounts:add",
          private_metadata: JSON.stringify({ c: "C1", s: '{"kind":"hostkey"}', x: [] }),
        },
        { label: "x\u0000y", cred_apiKey: "key-abcdef-123", base_url: "" },
        { user: "UADMIN" },
      ),
      { secret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(Object.keys(body.errors)).toEqual(["label"]);
    expect((await lastAudit())?.command).toBe("form accounts:add");
  });

  const withoutIds: [string, () => string][] = [
    ...(["team_id", "user_id", "channel_id"] as const).map((field): [string, () => string] => [
      `slash command without ${field}`,
      () => {
        const p = new URLSearchParams(
          slashCommand("help", {
            user: "UADMIN",
            channel: "C1",
            responseUrl: slack.responseUrl(`no-${field}`),
          }),
        );
        p.delete(field);
        return p.toString();
      },
    ]),
    [
      "button click without team and user team",
      () => {
        const payload = JSON.parse(
          new URLSearchParams(
            buttonClick("accounts:add-form", "hostens", {
              user: "UADMIN",
              channel: "C1",
              responseUrl: slack.responseUrl("no-team-b"),
            }),
          ).get("payload") ?? "{}",
        );
        delete payload.team;
        delete payload.user.team_id;
        return form({ payload: JSON.stringify(payload) });
      },
    ],
    [
      "button click without channel",
      () => {
        const payload = JSON.parse(
          new URLSearchParams(
            buttonClick("accounts:add-form", "hostens", {
              user: "UADMIN",
              channel: "C1",
              responseUrl: slack.responseUrl("no-chan-b"),
            }),
          ).get("payload") ?? "{}",
        );
        delete payload.channel;
        delete payload.container;
        return form({ payload: JSON.stringify(payload) });
      },
    ],
    [
      "form submit without team",
      () => {
        const payload = JSON.parse(
          new URLSearchParams(
            viewSubmission(
              { callback_id: "accounts:add", private_metadata: JSON.stringify({ c: "C1", s: "{}", x: [] }) },
              {},
              { user: "UADMIN" },
            ),
          ).get("payload") ?? "{}",
        );
        delete payload.team;
        delete payload.user.team_id;
        return form({ payload: JSON.stringify(payload) });
      },
    ],
  ];

  it.each(withoutIds)("%s: refused cleanly, nothing run, no stack trace in the log", async (_name, body) => {
    const before = await auditRows();
    lines.length = 0;
    const res = await signedPost(events, body(), { secret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    expect(await auditRows()).toBe(before);
    const log = lines.join("\n");
    expect(log).toMatch(/refused a Slack payload without the ids it needs/);
    expect(log).not.toMatch(/"stack"|at .*\.ts:\d+/);
    expect(log).not.toMatch(/listener failed|"level":50/);
  });
});
