import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { PermissionFlagsBits } from "discord.js";

/**
 * `npm run discord:invite`: the URL that adds hostops to a Discord server, for the application in
 * DISCORD_APPLICATION_ID (DISCORD_GUILD_ID preselects a server).
 *
 * Scopes: `bot` (a bot user that posts cards and alerts) and `applications.commands` (/hosting).
 * Permissions: only what the bot does in channels — see them, send messages, embed links (cards
 * and alerts are embeds), read message history, and create public threads and send messages in
 * them (an approved action's outcome is posted in a thread started from its card).
 * No privileged gateway intent is needed: everything arrives as interactions.
 */
export const BOT_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.SendMessagesInThreads;

export const BOT_SCOPES = ["bot", "applications.commands"] as const;

export function discordInviteUrl(applicationId: string, guildId?: string): string {
  if (!/^\d{5,25}$/.test(applicationId))
    throw new Error("DISCORD_APPLICATION_ID must be the numeric application id");
  const params = [
    `client_id=${applicationId}`,
    `scope=${BOT_SCOPES.map(encodeURIComponent).join("%20")}`,
    `permissions=${BOT_PERMISSIONS.toString()}`,
  ];
  if (guildId && /^\d{5,25}$/.test(guildId)) params.push(`guild_id=${guildId}`, "disable_guild_select=true");
  return `https://discord.com/oauth2/authorize?${params.join("&")}`;
}

function main(): number {
  const id = process.env.DISCORD_APPLICATION_ID?.trim();
  if (!id || !/^\d{5,25}$/.test(id)) {
    process.stderr.write(
      "Set DISCORD_APPLICATION_ID to your application's id (Discord Developer Portal > your app > General Information > Application ID).\n",
    );
    return 2;
  }
  process.stdout.write(
    `${discordInviteUrl(id, process.env.DISCORD_GUILD_ID?.trim())}\n` +
      "Open it as a member with Manage Server, pick the server and authorize. Then register /hosting with `npm run discord:register`.\n",
  );
  return 0;
}

const script = process.argv[1];
if (script && import.meta.url === pathToFileURL(realpathSync(script)).href) process.exit(main());
