import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { buildCommandSet } from "../../src/chat/discord/commands-json.ts";
import { type DiscordHandle, startDiscord } from "../../src/chat/discord/index.ts";
import { syncCommands } from "../../src/chat/discord/register.ts";
import { loadConfig } from "../../src/config.ts";
import { commandTree } from "../../src/core/commands/index.ts";
import type { Dispatcher } from "../../src/core/dispatch.ts";
import { createLogger } from "../../src/observability/logger.ts";
import {
  type FakeDiscord,
  type RestCall,
  type SentInteraction,
  startFakeDiscord,
  type WireComponent,
  type WireMessage,
} from "../fakes/discord.ts";
import type { FakeRequest } from "../fakes/providers/fake-server.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { HOSTKEY_FAKE_PIN, startHostkeyFake } from "../fakes/providers/hostkey.ts";
import { once } from "../helpers/once.ts";

const TOKEN = "fake-discord-bot-token-5c1e";
const EPHEMERAL = 64;

/** Everything a REST call carried, as text (content, embeds, components). */
const textOf = (c: RestCall) => JSON.stringify(c.body);

/** The interactive components of a message or modal: buttons and inputs, out of their rows and labels. */
const controls = (m: WireMessage | undefined): WireComponent[] =>
  (m?.components ?? []).flatMap((c) => c.components ?? (c.component ? [c.component] : [c]));

describe("Discord end to end (real discord.js client against a fake Discord)", () => {
  let fake: FakeDiscord;
  let provider: HostBillFake;
  let app: Hostops;
  let discord: DiscordHandle;
  const logLines: string[] = [];

  const discordConfig = () => ({
    DISCORD_TOKEN: TOKEN,
    DISCORD_APPLICATION_ID: fake.appId,
    DISCORD_GUILD_ID: fake.guildId,
    DISCORD_API_URL: fake.restBase,
  });

  beforeAll(async () => {
    fake = await startFakeDiscord();
    provider = await startHostBillFake({ kind: "time4vps" });
    const log = createLogger({ level: "debug", sink: { write: (l) => logLines.push(l) } });
    app = await startHostops({
      config: loadConfig({
        PORT: "0",
        LOG_LEVEL: "silent",
        HOSTOPS_SECRET_KEY: Buffer.alloc(32, 9).toString("base64"),
        // Longer than a provider's answer may be held in the tests below: it answers, late.
        HOSTOPS_PROVIDER_TIMEOUT_MS: "15000",
      }),
      log,
      overrides: { memoryDb: true, providerRetries: 0 },
    });
    discord = await startDiscord({
      core: app.core,
      dispatcher: app.dispatcher,
      config: discordConfig(),
      log,
    });
  });

  afterAll(async () => {
    await discord?.stop();
    await app?.stop();
    await provider?.close();
    await fake?.close();
  });

  afterEach(() => {
    // Every message the bot sent respected Discord's limits and pinged nobody (the fake checks).
    expect(fake.violations).toEqual([]);
  });

  const callback = (i: SentInteraction) =>
    fake.waitForCall((c) => c.path === `/interactions/${i.id}/${i.token}/callback`);
  const edit = (i: SentInteraction) =>
    fake.waitForCall(
      (c) => c.method === "PATCH" && c.path === `/webhooks/${fake.appId}/${i.token}/messages/@original`,
    );
  const followUp = (i: SentInteraction) =>
    fake.waitForCall((c) => c.method === "POST" && c.path === `/webhooks/${fake.appId}/${i.token}`);

  it("registers /hosting with the JSON generated from the command tree, and not again when unchanged", async () => {
    const route = `/applications/${fake.appId}/guilds/${fake.guildId}/commands`;
    const put = await fake.waitForCall((c) => c.method === "PUT" && c.path === route);
    const expected = buildCommandSet(commandTree).json;
    expect(put.json).toEqual([expected]);
    expect(put.auth).toBe(`Bot ${TOKEN}`);
    const sub = (name: string) => expected.options.find((o) => o.name === name);
    expect(sub("services")?.type).toBe(1);
    expect(sub("accounts")?.type).toBe(2);
    expect(sub("accounts")?.options?.map((o) => o.name)).toEqual(
      expect.arrayContaining(["add", "list", "edit", "remove"]),
    );

    // A restart with the same tree: one GET, no PUT.
    const puts = () => fake.calls.filter((c) => c.method === "PUT" && c.path === route).length;
    const gets = () => fake.calls.filter((c) => c.method === "GET" && c.path === route).length;
    const before = { puts: puts(), gets: gets(), connections: fake.connections() };
    const second = await startDiscord({
      core: app.core,
      dispatcher: app.dispatcher,
      config: discordConfig(),
      log: app.core.log,
    });
    await second.stop();
    // The second bot replaced the first as Core's Discord messenger and removed itself on stop.
    app.core.messengers.set("discord", discord.messenger);
    expect(fake.connections()).toBe(before.connections + 1);
    expect(gets()).toBe(before.gets + 1);
    expect(puts()).toBe(before.puts);

    // A changed definition is written again.
    const changed = { ...expected, description: "changed" };
    const r = await syncCommands(discord.client.rest, {
      applicationId: fake.appId,
      guildId: fake.guildId,
      commands: [changed],
    });
    expect(r.changed).toBe(true);
    expect(puts()).toBe(before.puts + 1);
    await syncCommands(discord.client.rest, {
      applicationId: fake.appId,
      guildId: fake.guildId,
      commands: [expected],
    });
  });

  // Steps that several tests build on, run once by whichever test needs them first
  // (test/helpers/once.ts); the tests named after them are the ones that check them.
  const addProd = once(async () => {
    const cmd = fake.slash(["accounts", "add"]);
    const cb = await callback(cmd);
    // No provider call: answered directly, privately, with one button per provider.
    expect(cb.body.type).toBe(4);
    expect(cb.body.data?.flags).toBe(EPHEMERAL);
    const t4v = controls(cb.body.data).find((b) => b.label === "Time4VPS");
    expect(t4v?.custom_id).toBe("accounts:add-form|time4vps");

    const click = fake.button(t4v?.custom_id ?? "", { message: fake.original(cmd) });
    const opened = await callback(click);
    // showModal is the first (and only) response to the click.
    expect(opened.body.type).toBe(9);
    const modal = opened.body.data;
    expect(modal?.custom_id).toBe('accounts:add|{"kind":"time4vps"}');
    expect(controls(modal).map((c) => c.custom_id)).toEqual([
      "label",
      "cred_username",
      "cred_password",
      "base_url",
    ]);
    expect(fake.callsFor(click)).toHaveLength(1);

    const providerCalls = provider.count();
    const submit = fake.modalSubmit(
      modal?.custom_id ?? "",
      {
        label: "prod",
        cred_username: provider.credentials.username ?? "",
        cred_password: provider.credentials.password ?? "",
        base_url: provider.baseUrl,
      },
      { message: fake.original(cmd) },
    );
    // A form opened from a message's button: deferUpdate, then a private follow-up.
    const deferred = await callback(submit);
    expect(deferred.body.type).toBe(6);
    const done = await followUp(submit);
    expect(done.body.flags).toBe(EPHEMERAL);
    expect(textOf(done)).toContain("Added Time4VPS account **prod**");
    expect(provider.count()).toBeGreaterThan(providerCalls);
    const accounts = await app.core.accounts.list("discord", fake.guildId);
    expect(accounts.map((a) => a.label)).toContain("prod");
    // The password went to the provider, never back to Discord.
    expect(JSON.stringify(fake.calls)).not.toContain(provider.credentials.password);
  });

  it("wrong credentials: the errors are listed privately, with a button that reopens the form (secrets not refilled)", async () => {
    const cmd = fake.slash(["accounts", "add"], [{ name: "provider", type: 3, value: "time4vps" }]);
    const opened = await callback(cmd);
    expect(opened.body.type).toBe(9);
    const submit = fake.modalSubmit(opened.body.data?.custom_id ?? "", {
      label: "second",
      cred_username: provider.wrongCredentials.username ?? "",
      cred_password: provider.wrongCredentials.password ?? "",
      base_url: provider.baseUrl,
    });
    const deferred = await callback(submit);
    expect(deferred.body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    const answer = await edit(submit);
    expect(textOf(answer)).toContain("The form was not saved");
    expect(textOf(answer)).toContain("rejected the credentials");
    const retry = controls(answer.body)[0];
    expect(retry?.label).toBe("Fix and resubmit");

    const again = fake.button(retry?.custom_id ?? "", { message: fake.original(submit) });
    const reopened = await callback(again);
    expect(reopened.body.type).toBe(9);
    const value = (id: string) => controls(reopened.body.data).find((c) => c.custom_id === id)?.value;
    expect(value("label")).toBe("second");
    expect(value("cred_username")).toBe(provider.wrongCredentials.username);
    expect(value("cred_password")).toBeUndefined();
    expect((await app.core.accounts.list("discord", fake.guildId)).map((a) => a.label)).not.toContain(
      "second",
    );
  });

  const bindProd = once(async () => {
    await addProd();
    const denied = fake.slash(["channel", "bind"], [{ name: "label", type: 3, value: "prod" }], {
      member: fake.members.member,
    });
    const cb = await callback(denied);
    expect(cb.body.type).toBe(4);
    expect(cb.body.data?.flags).toBe(EPHEMERAL);
    expect(textOf(cb)).toContain("You need the **admin** role here");
    const here = await app.core.accounts.channelAccounts("discord", fake.guildId, fake.channelId);
    expect(here.map((a) => a.account.label)).not.toContain("prod");

    const bound = fake.slash(["channel", "bind"], [{ name: "label", type: 3, value: "prod" }], {
      member: fake.members.manager,
    });
    const ok = await callback(bound);
    // No provider call: answered directly, in the channel.
    expect(ok.body.type).toBe(4);
    expect(ok.body.data?.flags ?? 0).toBe(0);
    expect(textOf(ok)).toContain("Bound Time4VPS account **prod** to this channel");
  });

  /** A member of its own, made operator in the channel: it requests the actions below. */
  const operator = once(async () => {
    const dave = { ...fake.members.member, id: "500000000000000004", username: "dave" };
    const g = fake.slash(
      ["roles", "grant"],
      [
        { name: "user", type: 6, value: dave.id },
        { name: "role", type: 3, value: "operator" },
      ],
    );
    expect(textOf(await callback(g))).toContain(`<@${dave.id}> is now **operator** in this channel`);
    return dave;
  });

  it("/hosting accounts add: provider buttons, a button opens the form, the submit adds the account", () =>
    addProd());

  it("a member without the admin role is refused, privately; Manage Server members are admins", () =>
    bindProd());

  it("/hosting services is deferred before the provider is asked, then the reply is edited with the services", async () => {
    await bindProd();
    const listCalls = () => provider.count((r) => r.path === "/api/service");
    const before = listCalls();
    const i = fake.slash(["services"]);
    const deferred = await callback(i);
    expect(deferred.body.type).toBe(5);
    expect(deferred.body.data?.flags ?? 0).toBe(0);
    // The provider call waits for Discord to accept the defer.
    expect(listCalls()).toBe(before);
    const answer = await edit(i);
    expect(answer.seq).toBeGreaterThan(deferred.seq);
    expect(listCalls()).toBe(before + 1);
    const embed = answer.body.embeds?.[0];
    expect(embed?.title).toBe("Services");
    expect(embed?.description).toContain("```");
    for (const id of ["302", "303", "304"]) expect(embed?.description).toContain(id);
  });

  it("a provider that has not answered yet still gets the interaction deferred in time", async () => {
    await bindProd();
    // The provider holds its answer until the test has seen the defer (as a provider slower than
    // Discord's 3 s window would), then answers.
    let answerNow: () => void = () => {};
    const until = new Promise<void>((resolve) => {
      answerNow = resolve;
    });
    const isList = (r: FakeRequest) => r.path === "/api/service";
    const listed = provider.count(isList);
    provider.fault({ kind: "held", until }, { times: 1, match: isList });
    try {
      const i = fake.slash(["services"], [{ name: "account", type: 3, value: "prod" }]);
      const deferred = await callback(i);
      // Accepted by the fake, which answers 404 "Unknown interaction" after 3 s, as Discord does.
      expect(deferred.status).toBe(204);
      expect(deferred.at - i.sentAt).toBeLessThan(3000);
      // The provider has the request and has not answered: nothing else for this interaction yet.
      await vi.waitFor(() => expect(provider.count(isList)).toBe(listed + 1));
      expect(fake.callsFor(i).map((c) => c.method)).toEqual(["POST"]);
      answerNow();
      const answer = await edit(i);
      expect(answer.seq).toBeGreaterThan(deferred.seq);
      expect(textOf(answer)).toContain("302");
    } finally {
      answerNow();
    }
  });

  it("autocomplete suggests the bound accounts and the services of their providers", async () => {
    await bindProd();
    const a = fake.autocomplete(["services"], [{ name: "account", type: 3, value: "pr", focused: true }]);
    const ac = await callback(a);
    expect(ac.body.type).toBe(8);
    expect(ac.body.data?.choices).toEqual([{ name: "prod (time4vps) · bound here", value: "prod" }]);

    const s = fake.autocomplete(["service", "show"], [{ name: "id", type: 3, value: "30", focused: true }]);
    const sc = await callback(s);
    expect(sc.body.type).toBe(8);
    const values = sc.body.data?.choices?.map((c) => c.value);
    expect(values).toEqual(expect.arrayContaining(["302", "303", "304"]));

    // Members with no role at all get nothing (suggestions reveal labels and ids).
    app.core.settings.defaultRole = "none";
    try {
      const n = fake.autocomplete(["services"], [{ name: "account", type: 3, value: "", focused: true }], {
        member: fake.members.member,
      });
      expect((await callback(n)).body.data?.choices).toEqual([]);
    } finally {
      app.core.settings.defaultRole = "viewer";
    }
  });

  it("grants made on Discord apply per channel, as on Slack", async () => {
    await bindProd();
    // A member of its own: the role it gets here is no other test's business.
    const member = { ...fake.members.member, id: "500000000000000005", username: "erin" };
    const g = fake.slash(
      ["roles", "grant"],
      [
        { name: "user", type: 6, value: member.id },
        { name: "role", type: 3, value: "admin" },
      ],
    );
    const granted = await callback(g);
    expect(textOf(granted)).toContain(`<@${member.id}> is now **admin** in this channel`);
    // Mentions render, but never ping.
    expect(granted.body.data?.allowed_mentions).toEqual({ parse: [] });

    const unbind = fake.slash(["channel", "unbind"], [{ name: "label", type: 3, value: "prod" }], { member });
    expect(textOf(await callback(unbind))).toContain("Unbound **prod**");
    const elsewhere = fake.slash(["channel", "bind"], [{ name: "label", type: 3, value: "prod" }], {
      member,
      channelId: "300000000000000002",
    });
    const refused = await callback(elsewhere);
    expect(refused.body.data?.flags).toBe(EPHEMERAL);
    expect(textOf(refused)).toContain("You need the **admin** role");
    const rebind = fake.slash(["channel", "bind"], [{ name: "label", type: 3, value: "prod" }], { member });
    expect(textOf(await callback(rebind))).toContain("Bound Time4VPS account");
  });

  it("reboot: a confirmation card with Approve/Deny, the click runs the provider once, a second click is refused", async () => {
    await bindProd();
    const posts = () =>
      fake.calls.filter((c) => c.method === "POST" && c.path === `/channels/${fake.channelId}/messages`);
    const before = posts().length;
    const reboots = () => provider.count((r) => r.method === "POST" && /\/server\/302\/reboot$/.test(r.path));
    const rebooted = reboots();
    const req = fake.slash(["service", "reboot"], [{ name: "service", type: 3, value: "302" }], {
      member: await operator(),
    });
    // Looking the service up is a provider call: deferred first, privately (the answer is the
    // requester's; the card is the channel's).
    expect((await callback(req)).body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    const card = await fake.waitForCall(
      (c) => c.method === "POST" && c.path === `/channels/${fake.channelId}/messages`,
      { after: posts()[before - 1]?.seq ?? 0 },
    );
    const [approveBtn, denyBtn] = controls(card.body);
    expect(approveBtn).toMatchObject({ label: "Approve", style: 1 });
    expect(denyBtn).toMatchObject({ label: "Deny", style: 4 });
    expect(approveBtn?.custom_id).toMatch(/^confirm:approve\|[0-9a-f-]{36}$/);
    // The requester is told privately, once: the private "thinking…" becomes the answer (no
    // public placeholder deleted, no follow-up).
    expect(textOf(await edit(req))).toContain("Request posted");
    expect(fake.callsFor(req).map((c) => c.method)).toEqual(["POST", "PATCH"]);
    expect(reboots()).toBe(rebooted);

    const cardMessage = { ...card.body, id: "1400000000000000001" };
    const click = fake.button(approveBtn?.custom_id ?? "", { message: cardMessage });
    // Approving runs the provider: deferUpdate first, the result follows privately.
    expect((await callback(click)).body.type).toBe(6);
    const result = await followUp(click);
    expect(result.body.flags).toBe(EPHEMERAL);
    expect(reboots()).toBe(rebooted + 1);

    const again = fake.button(approveBtn?.custom_id ?? "", {
      member: fake.members.manager,
      message: cardMessage,
    });
    const refused = await callback(again);
    expect(refused.body.type).toBe(4);
    expect(refused.body.data?.flags).toBe(EPHEMERAL);
    expect(reboots()).toBe(rebooted + 1);
    await app.core.background.idle();
  });

  it("HOSTKEY PIN: not asked until HOSTKEY wants it; then the PIN form, and a wrong PIN can be typed again", async () => {
    const hostkey = await startHostkeyFake();
    try {
      const account = await app.core.accounts.add({
        platform: "discord",
        workspaceId: fake.guildId,
        label: "nl",
        kind: "hostkey",
        baseUrl: hostkey.baseUrl,
        credentials: hostkey.credentials,
        createdBy: "setup",
      });
      await app.core.accounts.bind(account, fake.channelId, "setup");
      const reboots = () =>
        hostkey.requests.filter((r) => (r.body as Record<string, string>)?.action === "reboot");
      const posts = () =>
        fake.calls.filter((c) => c.method === "POST" && c.path === `/channels/${fake.channelId}/messages`);
      const before = posts().length;
      const req = fake.slash(
        ["service", "reboot"],
        [
          { name: "service", type: 3, value: "34533" },
          { name: "account", type: 3, value: "nl" },
        ],
        { member: await operator() },
      );
      await callback(req);
      const card = await fake.waitForCall(
        (c) => c.method === "POST" && c.path === `/channels/${fake.channelId}/messages`,
        { after: posts()[before - 1]?.seq ?? 0 },
      );
      const [approveBtn] = controls(card.body);
      // HOSTKEY's PIN is optional: nothing says this account has one yet.
      expect(approveBtn).toMatchObject({ label: "Approve" });
      const cardMessage = { ...card.body, id: "1400000000000000009" };
      const click = fake.button(approveBtn?.custom_id ?? "", { message: cardMessage });
      expect((await callback(click)).body.type).toBe(6);
      const refused = await followUp(click);
      expect(textOf(refused)).toMatch(/rejected the PIN.*still waiting/s);
      expect(reboots()).toHaveLength(1);
      expect(reboots()[0]!.body).not.toHaveProperty("pin");

      // The same request now asks for the PIN: the button opens the form.
      const again = fake.button(approveBtn?.custom_id ?? "", { message: cardMessage });
      const opened = await callback(again);
      expect(opened.body.type).toBe(9);
      const formId = opened.body.data?.custom_id ?? "";
      expect(formId).toMatch(/^confirm:pin/);
      const wrong = fake.modalSubmit(formId, { pin: "9999" }, { message: cardMessage });
      await callback(wrong);
      const wrongAnswer = await followUp(wrong);
      expect(textOf(wrongAnswer)).toContain("rejected the PIN");
      expect(JSON.stringify(wrongAnswer.body)).not.toContain("9999");
      expect(reboots()).toHaveLength(2);

      const right = fake.modalSubmit(formId, { pin: HOSTKEY_FAKE_PIN }, { message: cardMessage });
      await callback(right);
      const done = await followUp(right);
      expect(textOf(done)).toContain("Approved");
      expect(reboots()).toHaveLength(3);
      expect((reboots()[2]!.body as Record<string, string>).pin).toBe(HOSTKEY_FAKE_PIN);
      await app.core.background.idle();
    } finally {
      // The channel as it was: no account here whose provider is gone.
      const nl = await app.core.accounts.findByLabel("discord", fake.guildId, "nl");
      if (nl) await app.core.accounts.unbind(nl, fake.channelId);
      await hostkey.close();
    }
  });

  it("help is private; a public defer with a private outcome becomes a private follow-up", async () => {
    await bindProd();
    const h = fake.slash(["help"]);
    const cb = await callback(h);
    expect(cb.body.type).toBe(4);
    expect(cb.body.data?.flags).toBe(EPHEMERAL);
    expect(textOf(cb)).toContain("/hosting services");

    // Every provider call fails: the services reply is an ephemeral warning after a public defer.
    provider.armEnvelopeError();
    const i = fake.slash(["services"]);
    const deferred = await callback(i);
    expect(deferred.body.data?.flags ?? 0).toBe(0);
    const deleted = await fake.waitForCall(
      (c) => c.method === "DELETE" && c.path === `/webhooks/${fake.appId}/${i.token}/messages/@original`,
    );
    const note = await followUp(i);
    expect(note.seq).toBeGreaterThan(deleted.seq);
    expect(note.body.flags).toBe(EPHEMERAL);
    expect(textOf(note)).toContain("rejected the credentials");
  });

  it("the messenger posts, updates and answers in a thread started from the message", async () => {
    const reply = { text: "hello", blocks: [{ kind: "text" as const, text: "hello @everyone" }] };
    const after = fake.calls.at(-1)?.seq ?? 0;
    const ref = await discord.messenger.post(fake.guildId, fake.channelId, reply);
    expect(ref).toMatchObject({ platform: "discord", channelId: fake.channelId });
    const posted = await fake.waitForCall(
      (c) => c.method === "POST" && c.path === `/channels/${fake.channelId}/messages`,
      { after },
    );
    expect(posted.body.content).toBe("hello @\u200beveryone");
    expect(posted.body.allowed_mentions?.parse).toEqual([]);
    if (ref.platform !== "discord") throw new Error("not a Discord ref");

    await discord.messenger.update(fake.guildId, ref, {
      ...reply,
      severity: "success",
      blocks: [{ kind: "header", text: "Done" }],
    });
    const patched = await fake.waitForCall(
      (c) => c.method === "PATCH" && c.path === `/channels/${fake.channelId}/messages/${ref.messageId}`,
    );
    expect(patched.body.embeds?.[0]?.title).toBe("Done");
    expect(patched.body.content).toBe("");

    const outcome = { text: "done", blocks: [{ kind: "header" as const, text: "✅ Reboot succeeded" }] };
    await discord.messenger.postInThread(fake.guildId, ref, outcome);
    // A thread from the card (it takes the card's id), then the post in it.
    const started = await fake.waitForCall(
      (c) =>
        c.method === "POST" && c.path === `/channels/${fake.channelId}/messages/${ref.messageId}/threads`,
      { after },
    );
    expect(started.status).toBe(200);
    expect(fake.threads.get(ref.messageId)).toEqual({
      parentId: fake.channelId,
      name: "✅ Reboot succeeded",
    });
    const inThread = await fake.waitForCall(
      (c) => c.method === "POST" && c.path === `/channels/${ref.messageId}/messages`,
      { after: started.seq },
    );
    expect(inThread.body.embeds?.[0]?.title).toBe("✅ Reboot succeeded");

    // A second outcome goes in the same thread (Discord refuses a second thread on one message).
    await discord.messenger.postInThread(fake.guildId, ref, reply);
    const again = await fake.waitForCall(
      (c) => c.method === "POST" && c.path === `/channels/${ref.messageId}/messages`,
      { after: inThread.seq },
    );
    expect(again.body.content).toBe("hello @\u200beveryone");

    // Without the permission to create threads (an older invite): a reply to the message.
    const other = await discord.messenger.post(fake.guildId, fake.channelId, reply);
    if (other.platform !== "discord") throw new Error("not a Discord ref");
    fake.refuseThreads(true);
    try {
      await discord.messenger.postInThread(fake.guildId, other, reply);
      const replied = await fake.waitForCall(
        (c) => c.method === "POST" && c.body?.message_reference !== undefined,
        { after },
      );
      expect(replied.body.message_reference?.message_id).toBe(other.messageId);
      expect(logLines.join("\n")).toContain("could not start a thread from the card");
    } finally {
      fake.refuseThreads(false);
    }
  });

  it("a form that comes after the ack budget is offered behind an 'Open the form' button", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A dispatcher held back by the test: the budget runs out before core answers.
    const slow = {
      core: app.core,
      command: async (inv: Parameters<Dispatcher["command"]>[0]) => {
        await held;
        return app.dispatcher.command(inv);
      },
      action: (...a: Parameters<Dispatcher["action"]>) => app.dispatcher.action(...a),
      modal: (...a: Parameters<Dispatcher["modal"]>) => app.dispatcher.modal(...a),
    } as unknown as Dispatcher;
    const second = await startDiscord({
      core: app.core,
      dispatcher: slow,
      config: discordConfig(),
      log: app.core.log,
      ackBudgetMs: 50,
    });
    try {
      const i = fake.slash(["accounts", "add"], [{ name: "provider", type: 3, value: "time4vps" }]);
      // accounts add is a private command: the defer is private too.
      expect((await callback(i)).body).toEqual({ type: 5, data: { flags: EPHEMERAL } });
      release();
      const answer = await edit(i);
      expect(textOf(answer)).toContain("Open the form");
      const open = controls(answer.body)[0];
      expect(open?.custom_id).toMatch(/^!form\|/);
      const click = fake.button(open?.custom_id ?? "", { message: fake.original(i) });
      const opened = await callback(click);
      expect(opened.body.type).toBe(9);
      expect(opened.body.data?.custom_id).toBe('accounts:add|{"kind":"time4vps"}');
    } finally {
      await second.stop();
      app.core.messengers.set("discord", discord.messenger);
    }
  });

  it("logs no credential", async () => {
    await addProd();
    expect(logLines.join("\n")).not.toContain(provider.credentials.password);
    expect(logLines.join("\n")).not.toContain(TOKEN);
  });
});
