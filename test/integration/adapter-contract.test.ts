import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { consoleHarness } from "./contract/console.ts";
import { discordHarness } from "./contract/discord.ts";
import type { ChatHarness } from "./contract/harness.ts";
import { slackHarness } from "./contract/slack.ts";

/**
 * One contract, every chat adapter: the same scenarios through Slack (signed HTTP requests against
 * the fake Web API), Discord (the real discord.js client against the fake gateway) and the
 * terminal console (a script on stdin). Assertions are on what a person reads, not on markup.
 */
describe.each([
  ["Slack", slackHarness],
  ["Discord", discordHarness],
  ["console", consoleHarness],
] as const)("the %s adapter", (_name, harness) => {
  let provider: HostBillFake;
  let chat: ChatHarness;
  const reboots = () => provider.count((r) => r.method === "POST" && /\/server\/302\/reboot$/.test(r.path));

  beforeAll(async () => {
    provider = await startHostBillFake({ kind: "time4vps" });
    chat = harness();
    await chat.start(provider);
  });
  afterAll(async () => {
    await chat?.stop();
    await provider?.close();
  });

  it("help lists the commands", async () => {
    const help = await chat.command(["help"], {}, "admin");
    expect(help.text).toMatch(/hostops commands/);
    expect(help.text).toMatch(/hosting services\b.*List the services/);
    expect(help.text).toMatch(/reboot\b.*Request a server reboot/);
  });

  it("a read command lists the services of the account bound to the channel", async () => {
    const services = await chat.command(["services"], {}, "viewer");
    expect(services.text).toMatch(/prod/);
    for (const id of ["302", "303", "304"]) expect(services.text).toContain(id);
  });

  it("a viewer is refused a destructive request, with the role it needs; the provider is not asked", async () => {
    const before = reboots();
    const refused = await chat.command(["reboot"], { service: "302" }, "viewer");
    expect(refused.text).toMatch(/You need the operator role here/);
    expect(refused.buttons).toEqual([]);
    await chat.idle();
    expect(reboots()).toBe(before);
  });

  it("bad input is answered with what was expected and the usage", async () => {
    const bad = await chat.command(["audit"], { n: 99 }, "admin");
    expect(bad.text).toMatch(/n must be between 1 and 50/);
    expect(bad.text).toMatch(/Usage: \/hosting audit/);
  });

  it("a destructive request posts an approval card; Approve runs it once, a second Approve is refused", async () => {
    const before = reboots();
    const asked = await chat.command(["reboot"], { service: "302" }, "admin");
    expect(asked.text).toMatch(/Request posted: reboot waits for an admin to approve/);
    const card = await chat.lastPost();
    expect(card.text).toMatch(/Reboot requested/);
    expect(card.text).toMatch(/302/);
    expect(card.buttons).toEqual(["Approve", "Deny"]);
    expect(reboots()).toBe(before);

    const approved = await chat.press("Approve", "admin");
    expect(approved.text).toMatch(/Approved\. Reboot of server 302/);
    await chat.idle();
    expect(reboots()).toBe(before + 1);

    const again = await chat.press("Approve", "admin");
    expect(again.text).toMatch(/Already approved/);
    await chat.idle();
    expect(reboots()).toBe(before + 1);
  });
});
