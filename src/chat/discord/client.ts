import { createRequire } from "node:module";
import { Client, Events, GatewayIntentBits, Options } from "discord.js";

/**
 * An agent of the undici that @discordjs/rest itself uses. Whichever undici a process loads first
 * installs its Agent as the process-wide default dispatcher; the provider HTTP client loads undici
 * 7 (for its connect-time address guard), and undici 7 cannot send the multipart bodies that
 * @discordjs/rest builds with its own undici 6 (attachments failed with "action is not a
 * function"). With an agent of its own undici, REST never depends on who loaded first.
 */
function restAgent(): unknown {
  const require = createRequire(import.meta.url);
  const rest = require.resolve("@discordjs/rest");
  const undici = createRequire(rest)("undici") as { Agent: new () => unknown };
  return new undici.Agent();
}

/**
 * The discord.js client: gateway with the Guilds intent only (slash commands, buttons and forms
 * need no message content or member list), small caches, and no mention ever parsed.
 */
export function createDiscordClient(opts: { apiUrl?: string }): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    allowedMentions: { parse: [], repliedUser: false },
    // The agent's type is @discordjs/rest's undici Dispatcher, which this project does not import.
    rest: { ...(opts.apiUrl ? { api: restBase(opts.apiUrl) } : {}), agent: restAgent() as never },
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 0,
      GuildMemberManager: { maxSize: 200, keepOverLimit: (m) => m.id === m.client.user.id },
      UserManager: { maxSize: 500, keepOverLimit: (u) => u.id === u.client.user.id },
      PresenceManager: 0,
      ReactionManager: 0,
    }),
  });
}

/** DISCORD_API_URL may be given with or without the version: @discordjs/rest appends `/v10` itself. */
export function restBase(url: string): string {
  return url.replace(/\/+$/, "").replace(/\/v\d+$/, "");
}

/** Logs in and resolves when the gateway session is ready (guilds received). */
export async function loginAndWait(client: Client, token: string, timeoutMs = 60_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    client.once(Events.ClientReady, () => resolve());
    timer = setTimeout(() => reject(new Error(`Discord gateway not ready after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await client.login(token);
    await ready;
  } finally {
    clearTimeout(timer);
  }
}
