import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { CONSOLE_CHANNEL, CONSOLE_WORKSPACE, consoleActor } from "../../src/chat/console/index.ts";
import { discordWriter } from "../../src/chat/discord/text.ts";
import { slackWriter } from "../../src/chat/slack/render.ts";
import { loadConfig } from "../../src/config.ts";
import { type Block, blocksToText, type Outcome, type Reply } from "../../src/core/reply.ts";
import { silentLogger } from "../../src/observability/logger.ts";
import { type SandboxProviders, seedSandbox, startSandboxProviders } from "../../src/sandbox/index.ts";

/**
 * What a new user trips over in the first hour (issue 17), on the sandbox's five simulated
 * providers and demo accounts, through the same text entry point as Slack and the console.
 */
describe("the first hour, on the sandbox's demo accounts", () => {
  let app: Hostops;
  let providers: SandboxProviders;
  const actor = consoleActor();

  beforeAll(async () => {
    providers = await startSandboxProviders();
    app = await startHostops({
      config: loadConfig({ LOG_LEVEL: "silent" }),
      log: silentLogger,
      overrides: { memoryDb: true, noTimers: true, noHttpServer: true },
    });
    await seedSandbox(app.core, providers, [
      { platform: "console", workspaceId: CONSOLE_WORKSPACE, channelId: CONSOLE_CHANNEL },
      { platform: "discord", workspaceId: "200000000000000001", channelId: "300000000000000001" },
    ]);
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await providers?.close();
  });

  const replyOf = (out: Outcome): Reply => {
    if (out.kind !== "reply") throw new Error(`expected a reply, got ${out.kind}`);
    return out.reply;
  };
  const say = async (text: string) => replyOf(await app.dispatcher.text(actor, text));
  /** The reply as Slack's mrkdwn and as Discord's markdown: what each platform is sent. */
  const asSlack = (r: Reply) => blocksToText(r.blocks, slackWriter);
  const asDiscord = (r: Reply) => blocksToText(r.blocks, discordWriter);
  const tables = (r: Reply) =>
    r.blocks.filter((b): b is Extract<Block, { kind: "table" }> => b.kind === "table");

  it("a service found on one provider does not report those that could not have had it", async () => {
    const r = await say("service 34533");
    expect(r.text).toContain("nl-vmmini (34533)");
    expect(r.text).not.toContain("TheHost");
    expect(r.text).not.toContain("⚠");
  });

  it("shows the actions as the commands that request them", async () => {
    const r = await say("service 34533");
    expect(asSlack(r)).toContain(
      "Actions (each runs after an admin approves): `/hosting reboot`, `/hosting poweron`, `/hosting poweroff`, `/hosting reinstall`, `/hosting cancel`, e.g. `/hosting reboot 34533 demo-hostkey`.",
    );
    expect(r.text).not.toMatch(/powerOn|cancelService|renewService|setAutorenew/);
  });

  it("on Discord, the actions and the account are named as Discord types them", async () => {
    const discord = {
      ...actor,
      platform: "discord" as const,
      workspaceId: "200000000000000001",
      channelId: "300000000000000001",
      userId: "500000000000000001",
    };
    const shown = replyOf(
      await app.dispatcher.command({ ...discord, path: ["service"], args: { id: "34533" } }),
    );
    expect(asDiscord(shown)).toContain(
      "Actions (each runs after an admin approves): `/hosting service reboot`, `/hosting service poweron`",
    );
    expect(asDiscord(shown)).toContain("e.g. `/hosting service reboot service:34533 account:demo-hostkey`.");
    const two = replyOf(
      await app.dispatcher.command({ ...discord, path: ["reboot"], args: { service: "302" } }),
    );
    expect(asDiscord(two)).toMatch(/name one with `account:demo-[\w-]+`( or `account:demo-[\w-]+`)+\.$/);
    expect(asDiscord(two)).toContain("`account:demo-hostens`");
  });

  it("a refused id is one error, for its one cause", async () => {
    const r = await say("service -1 demo-hostens");
    expect(r.severity).toBe("warning");
    expect(asSlack(r)).toBe(
      ':warning: Hostens refused the request for account *demo-hostens*: "-1" is not a Hostens service id (a number).',
    );
  });

  it("an id found nowhere says where it was looked for, and each account that could not answer, once", async () => {
    const r = await say("service 999999");
    const lines = asSlack(r)
      .replace(/^:warning: /, "")
      .split("\n");
    expect(lines[0]).toMatch(/^No service with id `999999` \(looked in demo-/);
    expect(lines.filter((l) => l.includes("TheHost cannot show a service"))).toHaveLength(1);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it("service tables put the relative date in the Expires cell: no column without a header", async () => {
    const r = await say("services demo-hostkey");
    const [t] = tables(r);
    expect(t?.columns).toEqual(["ID", "Name", "Status", "Expires"]);
    expect(
      t?.rows.every((row) =>
        /^\d{4}-\d\d-\d\d \((today|tomorrow|yesterday|in \d+ days|\d+ days ago)\)$/.test(row[3] ?? ""),
      ),
    ).toBe(true);
    for (const table of tables(await say("domains"))) expect(table.columns).not.toContain("");
  });

  it("a bound label typed where the command expects something else is the account, and the answer says so", async () => {
    const r = await say("reinstall 302 demo-hostens");
    expect(r.blocks[0]?.kind).toBe("context");
    expect(asSlack({ ...r, blocks: r.blocks.slice(0, 1) })).toBe(
      "Taking `demo-hostens` as the account (the same as `--account demo-hostens`).",
    );
    expect(r.text).toContain("Hostens offers 3 operating systems for 302.");
    const two = await say("reinstall 302");
    expect(asSlack(two)).toMatch(/name one with `--account demo-[\w-]+`( or `--account demo-[\w-]+`)+\.$/);
    expect(asSlack(two)).toContain("`--account demo-time4vps`");
  });

  it("`alerts` says there is no open alert in words, and gives the minimum balance its currency", async () => {
    const r = await say("alerts demo-hostens");
    expect(r.text).not.toContain("(none)");
    expect(r.text).toContain("No open alerts for demo-hostens.");
    expect(r.text).toMatch(/Minimum balance: \d+\.\d\d USD \(balance now [\d.]+ USD\)/);
  });

  it("the alert preview names the account of each alert, and the low balance its runway", async () => {
    const r = await say("alerts run --preview");
    const [t] = tables(r);
    expect(t?.columns).toEqual(["Account", "Alert", "Now"]);
    const old = t?.rows.filter((row) => row[1]?.startsWith("Service old.example.com")) ?? [];
    // The same service on several HostBill accounts: one row each, told apart by the account.
    expect(old.map((row) => row[0])).toEqual(expect.arrayContaining(["demo-hostens", "demo-time4vps"]));
    expect(new Set(old.map((row) => row[0])).size).toBe(old.length);
    const low = t?.rows.find((row) => row[1]?.startsWith("Balance of demo-hostens"));
    expect(low?.[1]).toMatch(
      /^Balance of demo-hostens is [\d.]+ USD, below the minimum of [\d.]+ USD \(lasts about \d+ days?; \d+ renewals? in the next \d+ days not covered\)$/,
    );
  });

  it("`pending` and `audit` name the service or domain a request is about", async () => {
    await say("reboot 302 --account demo-hostens");
    await say("domain renew example-shop.com demo-hostens");
    const pending = tables(await say("pending"))[0];
    expect(pending?.columns).toEqual(["Action", "About", "Account", "Status", "Requested by", "Expires"]);
    expect(pending?.rows.map((row) => row[1])).toEqual(
      expect.arrayContaining(["service 302 (web)", "example-shop.com"]),
    );
    const audit = tables(await say("audit 10"))[0];
    expect(audit?.columns).toEqual(["When", "Who", "Command", "About", "Outcome"]);
    expect(audit?.rows).toEqual(
      expect.arrayContaining([
        expect.arrayContaining(["reboot", "service 302 (web) on demo-hostens", "requested"]),
        expect.arrayContaining(["domain-renew", "example-shop.com on demo-hostens", "requested"]),
      ]),
    );
  });

  it("validation and unknown commands answer in sentences, with the closest command", async () => {
    expect(asSlack(await say("services Bad!Label"))).toMatch(
      /^:warning: `account` must be an account label: 1 to 32 characters .* starting with a letter or digit\. Usage: /,
    );
    expect(asSlack(await say("alerts cofig"))).toBe(
      ":warning: Unknown command `alerts cofig`. Did you mean `alerts config`?",
    );
  });

  it("the account form does not say (optional) twice", async () => {
    const out = await app.dispatcher.text(actor, "accounts add hostens");
    if (out.kind !== "modal") throw new Error("expected the form");
    const base = out.modal.fields.find((f) => f.id === "base_url");
    expect(base?.optional).toBe(true);
    expect(base?.label).toBe("API base URL");
  });
});
