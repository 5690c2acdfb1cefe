import { type Hostops, startHostops } from "../../../src/app.ts";
import { buildCommandSet } from "../../../src/chat/discord/commands-json.ts";
import { loadConfig } from "../../../src/config.ts";
import { commandTree } from "../../../src/core/commands/index.ts";
import type { Param } from "../../../src/core/context.ts";
import {
  type FakeDiscord,
  type OptionInput,
  type RestCall,
  type SentInteraction,
  startFakeDiscord,
  type WireComponent,
  type WireMessage,
} from "../../fakes/discord.ts";
import { addBoundAccount } from "../../helpers/accounts.ts";
import { accountOf, type ChatHarness, type Seen, textsOf, type Who, words } from "./harness.ts";

const OPTION_TYPES: Record<Param["type"], number> = { string: 3, choice: 3, integer: 4, boolean: 5, user: 6 };
const routes = buildCommandSet(commandTree).routes;

/** Discord through the real discord.js client against the fake gateway and REST API. */
export function discordHarness(): ChatHarness {
  let fake: FakeDiscord;
  let app: Hostops;
  const member = (who: Who) => (who === "admin" ? fake.members.admin : fake.members.member);

  const controls = (m: WireMessage | undefined): WireComponent[] =>
    (m?.components ?? []).flatMap((c) => c.components ?? (c.component ? [c.component] : [c]));
  const seen = (m: WireMessage | undefined): Seen => ({
    text: words(textsOf(m)),
    buttons: controls(m)
      .filter((c) => c.type === 2)
      .map((c) => c.label ?? ""),
  });
  /** What the person sees of an interaction: the first response, or what followed a defer. */
  const answer = async (i: SentInteraction): Promise<Seen> => {
    const cb = await fake.waitForCall((c) => c.path === `/interactions/${i.id}/${i.token}/callback`);
    // 5: deferred reply, 6: deferred update; the answer edits the original or follows up.
    if (cb.body.type !== 5 && cb.body.type !== 6) return seen(cb.body.data);
    const webhook = `/webhooks/${fake.appId}/${i.token}`;
    const late = await fake.waitForCall(
      (c: RestCall) =>
        (c.method === "PATCH" && c.path === `${webhook}/messages/@original`) ||
        (c.method === "POST" && c.path === webhook),
      { after: cb.seq },
    );
    return seen(late.body);
  };
  const lastCard = () => {
    const card = [...fake.calls]
      .reverse()
      .find((c) => c.method === "POST" && c.path === `/channels/${fake.channelId}/messages`);
    if (!card) throw new Error("nothing was posted in the channel");
    return card;
  };

  return {
    platform: "discord",
    async start(provider) {
      fake = await startFakeDiscord();
      app = await startHostops({
        config: loadConfig({
          PORT: "0",
          LOG_LEVEL: "silent",
          HOSTOPS_SECRET_KEY: Buffer.alloc(32, 5).toString("base64"),
          HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS: "1",
          DISCORD_TOKEN: "discord-bot-token-for-tests-0123456789",
          DISCORD_APPLICATION_ID: fake.appId,
          DISCORD_GUILD_ID: fake.guildId,
          DISCORD_API_URL: fake.restBase,
        }),
        overrides: { memoryDb: true, providerRetries: 0, noTimers: true },
      });
      await addBoundAccount(app.core, {
        platform: "discord",
        workspaceId: fake.guildId,
        label: "prod",
        fake: accountOf(provider),
        channel: fake.channelId,
        by: "setup",
      });
    },
    async stop() {
      await app?.stop();
      await fake?.close();
    },
    async command(path, args, who) {
      const route = [...routes].find(([, r]) => r.def.path.join(" ") === path.join(" "));
      if (!route) throw new Error(`no Discord route for ${path.join(" ")}`);
      const [key, { params }] = route;
      const options: OptionInput[] = Object.entries(args).map(([name, value]) => {
        const p = params.get(name);
        if (!p) throw new Error(`no option ${name} on /hosting ${key}`);
        return { name, type: OPTION_TYPES[p.type], value };
      });
      return answer(fake.slash(key.split(" "), options, { member: member(who) }));
    },
    async lastPost() {
      return seen(lastCard().body);
    },
    async press(label, who) {
      const card = lastCard();
      const button = controls(card.body).find((c) => c.label === label);
      if (!button?.custom_id) throw new Error(`no button ${label} on the card`);
      const message = { ...card.body, id: `14000000000000${String(card.seq).padStart(5, "0")}` };
      return answer(fake.button(button.custom_id, { member: member(who), message }));
    },
    idle: () => app.core.background.idle(),
  };
}
