/**
 * Registers the `/hosting` slash command with Discord (the bot also does this at start, only when
 * the definition changed). `npm run discord:register [-- --force | --dry-run]`.
 *
 *   --dry-run  print the generated command JSON and exit (no token needed)
 *   --force    overwrite even when Discord already has the same definition
 *
 * Reads DISCORD_TOKEN, DISCORD_APPLICATION_ID, DISCORD_GUILD_ID (optional: one guild, instant)
 * and DISCORD_API_URL (optional REST base) from the environment.
 */
import { REST } from "discord.js";
import { restBase } from "../src/chat/discord/client.ts";
import { buildCommandSet } from "../src/chat/discord/commands-json.ts";
import { syncCommands } from "../src/chat/discord/register.ts";
import { ConfigError, loadConfig } from "../src/config.ts";
import { commandTree } from "../src/core/commands/index.ts";

async function main(argv: string[]): Promise<number> {
  const { json } = buildCommandSet(commandTree);
  if (argv.includes("--dry-run")) {
    process.stdout.write(`${JSON.stringify([json], null, 2)}\n`);
    return 0;
  }
  const config = loadConfig();
  if (!config.DISCORD_TOKEN || !config.DISCORD_APPLICATION_ID) {
    process.stderr.write("DISCORD_TOKEN and DISCORD_APPLICATION_ID must be set to register commands.\n");
    return 2;
  }
  const rest = new REST(config.DISCORD_API_URL ? { api: restBase(config.DISCORD_API_URL) } : {});
  rest.setToken(config.DISCORD_TOKEN);
  const result = await syncCommands(rest, {
    applicationId: config.DISCORD_APPLICATION_ID,
    guildId: config.DISCORD_GUILD_ID,
    commands: [json],
    force: argv.includes("--force"),
  });
  const where =
    result.scope === "guild"
      ? `guild ${config.DISCORD_GUILD_ID}`
      : "every guild (global commands can take up to an hour to appear)";
  process.stdout.write(
    result.changed
      ? `Registered /${json.name} (${json.options.length} subcommands and groups) in ${where}.\n`
      : `/${json.name} is already up to date in ${where}; nothing sent. Use --force to overwrite anyway.\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`Registration failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
