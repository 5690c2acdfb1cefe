import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Hostops, type HostopsOptions, startHostops } from "./app.ts";
import { CONSOLE_CHANNEL, CONSOLE_WORKSPACE, runConsole } from "./chat/console/index.ts";
import { consoleLog } from "./chat/console/log-file.ts";
import { parseArgsMessage, peek } from "./cli-args.ts";
import { type Config, ConfigError, discordConfigured, loadConfig, slackConfigured } from "./config.ts";
import type { Platform } from "./db/schema.ts";
import { installProcessLifecycle, type ProcessLifecycle } from "./lifecycle/process.ts";
import { StartAborted, StartError } from "./lifecycle/retry.ts";
import { createLogger } from "./observability/logger.ts";

/**
 * What `npm start` (and `hostops sandbox` / `hostops console`) does:
 * - Slack or Discord configured: run the bot until SIGINT/SIGTERM;
 * - neither (or `--console`): the terminal console on the same core, interactive at a TTY, or
 *   running the commands read from stdin otherwise (exit 0 at the end of input);
 * - `--sandbox`: first start the provider simulators with demo data and an in-memory database,
 *   and bind one demo account per provider to the console (or to the `--bind` chat channels).
 */
export interface StartOptions {
  argv: string[];
  env?: NodeJS.ProcessEnv;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Test hooks passed to startHostops. */
  overrides?: HostopsOptions["overrides"];
  /** Signals and crash handling, installed by main; start() makes its own when absent. */
  lifecycle?: ProcessLifecycle;
}

export const START_USAGE = `Usage: npm start [-- options]
  (no option)       the bot on Slack/Discord when configured, else the terminal console
  --console         the terminal console even when Slack or Discord is configured
  --sandbox         simulated provider APIs with demo accounts, in-memory database
  --bind P:TEAM:CH  (with --sandbox and Slack/Discord) bind the demo accounts to this channel,
                    e.g. --bind slack:T0123ABCD:C0456EFGH; repeatable
  --help            this text`;

interface Target {
  platform: Platform;
  workspaceId: string;
  channelId: string;
}

/** Resolves with the process exit code. */
export async function start(opts: StartOptions): Promise<number> {
  const env = opts.env ?? process.env;
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const say = (s: string) => stderr.write(`${s}\n`);

  let flags: { sandbox?: boolean; console?: boolean; bind?: string[]; help?: boolean };
  try {
    flags = parseArgs({
      args: opts.argv,
      options: {
        sandbox: { type: "boolean" },
        console: { type: "boolean" },
        bind: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    say(`${parseArgsMessage(err)}\n${START_USAGE}`);
    return 2;
  }
  if (flags.help) {
    stdout.write(`${START_USAGE}\n`);
    return 0;
  }

  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      say(err.message);
      return 2;
    }
    throw err;
  }
  const chat = !flags.console && (slackConfigured(config) || discordConfigured(config));
  const binds: Target[] = [];
  for (const b of flags.bind ?? []) {
    const [, platform, workspaceId, channelId] =
      /^(slack|discord):([A-Za-z0-9]+):([A-Za-z0-9]+)$/.exec(b) ?? [];
    if (!platform || !workspaceId || !channelId) {
      say(`--bind ${peek(b)}: expected PLATFORM:WORKSPACE:CHANNEL, e.g. slack:T0123ABCD:C0456EFGH`);
      return 2;
    }
    binds.push({ platform: platform as Platform, workspaceId, channelId });
  }
  if (binds.length && !flags.sandbox) {
    say("--bind is for the sandbox (--sandbox); bind real accounts with /hosting bind in the channel.");
    return 2;
  }
  if (flags.sandbox && chat && !binds.length) {
    say(
      "The sandbox binds its demo accounts to a channel. With Slack or Discord configured, name it:\n" +
        "  npm start -- --sandbox --bind slack:<team id>:<channel id>\n" +
        "or run the sandbox in the terminal: npm start -- --sandbox --console",
    );
    return 2;
  }

  const lifecycle = opts.lifecycle ?? installProcessLifecycle();
  try {
    return await run();
  } finally {
    if (!opts.lifecycle) lifecycle.dispose();
  }

  async function run(): Promise<number> {
    lifecycle.setGrace(config.HOSTOPS_SHUTDOWN_GRACE_MS);
    const interactive = Boolean((stdin as { isTTY?: boolean }).isTTY);
    // The console owns the terminal: its logs go to a file unless LOG_LEVEL asks for them (stderr).
    const consoleLogs = chat
      ? undefined
      : consoleLog({
          envLevel: env.LOG_LEVEL,
          level: config.LOG_LEVEL,
          dataDir: config.HOSTOPS_DATA_DIR,
          sandbox: Boolean(flags.sandbox),
          stderr,
        });
    const log =
      consoleLogs?.log ??
      createLogger({ level: config.LOG_LEVEL, pretty: Boolean((stdout as { isTTY?: boolean }).isTTY) });
    lifecycle.useLogger(log);
    // Say what the start is doing before the database opens, and where the data lives.
    if (!chat) say(preparing(config, Boolean(flags.sandbox)));

    // Only the --sandbox entry point loads the simulators: product code does not depend on them.
    const sandbox = flags.sandbox ? await import("./sandbox/index.ts") : undefined;
    const providers = sandbox ? await sandbox.startSandboxProviders() : undefined;
    let app: Hostops | undefined;
    try {
      try {
        const starting = startHostops({
          signal: lifecycle.signal,
          // The sandbox never touches a real database: its data lives in memory. Its simulators
          // listen on loopback, which provider URLs may not reach otherwise.
          config: {
            ...(chat ? config : withoutChat(config)),
            ...(sandbox
              ? { DATABASE_URL: undefined, HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS: true as const }
              : {}),
          },
          log,
          overrides: {
            ...opts.overrides,
            // New accounts added in the sandbox talk to the simulators too (any provider URL they were not given).
            ...(providers
              ? {
                  memoryDb: true,
                  baseUrlOverrides: Object.fromEntries([...providers.fakes].map(([k, f]) => [k, f.baseUrl])),
                }
              : {}),
            // The console serves health and metrics only when PORT is set explicitly (no clash on 3000).
            ...(!chat && !env.PORT ? { noHttpServer: true } : {}),
          },
        });
        // A signal while the database connects or migrates: the start gets the grace to finish (and
        // is then stopped); one that hangs is left to the process exit.
        const first = await Promise.race([starting, lifecycle.signalled.then(() => undefined)]);
        if (!first) {
          const late = await Promise.race([
            starting.catch(() => undefined),
            new Promise<undefined>((r) =>
              setTimeout(() => r(undefined), config.HOSTOPS_SHUTDOWN_GRACE_MS).unref(),
            ),
          ]);
          await late?.stop({ graceMs: 0 });
          return 0;
        }
        app = first;
      } catch (err) {
        // A rejected token or a wrong key: one line naming the variable, exit 1, never "ready".
        if (err instanceof StartError) {
          say(`hostops cannot start: ${err.message}`);
          return 1;
        }
        if (err instanceof StartAborted) return 0;
        throw err;
      }
      // A signal that came while the database was connecting: stop before serving anything.
      if (lifecycle.signal.aborted) return 0;
      const targets: Target[] = chat
        ? binds
        : [{ platform: "console", workspaceId: CONSOLE_WORKSPACE, channelId: CONSOLE_CHANNEL }];
      if (sandbox && providers) await sandbox.seedSandbox(app.core, providers, targets);

      if (chat) {
        if (sandbox) say(sandbox.sandboxBanner(targets));
        const signal = await lifecycle.signalled;
        log.info({ signal }, "shutting down");
        return 0;
      }

      const banner = [
        sandbox
          ? sandbox.sandboxBanner(targets)
          : `hostops console: no Slack or Discord is configured, so /hosting commands run here as a local admin (database: ${app.db.driver === "pglite" ? `embedded, in ${resolve(config.HOSTOPS_DATA_DIR)}` : "Postgres"}).\nTo connect Slack or Discord see the README ("Create the Slack app"); \`npm start -- --sandbox\` tries every command on simulated providers.`,
        consoleLogs?.file ? `Logs go to ${consoleLogs.file} (LOG_LEVEL=info shows them here instead).` : "",
        "Type `help` for the commands, `.help` for the console, `.quit` (or Ctrl-D) to leave.",
      ]
        .filter(Boolean)
        .join("\n");
      if (!interactive)
        say(
          `hostops: ${sandbox ? "sandbox, " : ""}no chat platform in use; running the /hosting commands read from stdin.`,
        );
      // The console ends at the end of its input, or at a signal.
      return await Promise.race([
        runConsole({
          core: app.core,
          dispatcher: app.dispatcher,
          input: stdin,
          output: stdout,
          interactive,
          banner: interactive ? banner : undefined,
          volatile: Boolean(sandbox),
          status: stderr,
        }),
        lifecycle.signalled.then(() => 0),
      ]);
    } finally {
      await app?.stop();
      await providers?.close();
      await consoleLogs?.close();
    }
  }
}

/** What the console is doing while it starts, and where its data lives. */
function preparing(config: Config, sandbox: boolean): string {
  if (sandbox) return "hostops: starting the provider simulators and an in-memory database…";
  if (config.DATABASE_URL) return "hostops: connecting to Postgres (DATABASE_URL)…";
  const dir = resolve(config.HOSTOPS_DATA_DIR);
  return existsSync(join(dir, "pglite"))
    ? `hostops: opening the embedded database in ${dir}…`
    : `hostops: preparing the embedded database in ${dir} (first start)…${
        config.HOSTOPS_SECRET_KEY
          ? ""
          : `\n  Credentials you add are encrypted with the key generated in ${join(dir, "secret.key")}: back it up.`
      }`;
}

/** The same configuration with every chat platform left out (console and admin CLI). */
export function withoutChat(config: Config): Config {
  return {
    ...config,
    SLACK_BOT_TOKEN: undefined,
    SLACK_SIGNING_SECRET: undefined,
    SLACK_APP_TOKEN: undefined,
    SLACK_CLIENT_ID: undefined,
    SLACK_CLIENT_SECRET: undefined,
    SLACK_STATE_SECRET: undefined,
    DISCORD_TOKEN: undefined,
  };
}
