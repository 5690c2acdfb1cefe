import { discordConfigured, slackConfigured } from "../config.ts";
import type { ChatPlatform } from "./adapter.ts";

/**
 * The chat platforms, in start order. A platform's module is imported only when it is configured:
 * a process without Discord never loads discord.js. The terminal console is not listed: it is the
 * foreground of `npm start` without a platform (src/start.ts), not a service the process keeps up.
 */
export const chatPlatforms: readonly ChatPlatform[] = [
  {
    platform: "slack",
    configured: slackConfigured,
    load: async () => (await import("./slack/adapter.ts")).createSlackAdapter,
  },
  {
    platform: "discord",
    configured: discordConfigured,
    load: async () => (await import("./discord/adapter.ts")).createDiscordAdapter,
  },
];
