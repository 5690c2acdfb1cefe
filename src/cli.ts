import { realpathSync } from "node:fs";
import { userInfo } from "node:os";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type Hostops, type HostopsOptions, startHostops } from "./app.ts";
import { CONSOLE_CHANNEL, CONSOLE_WORKSPACE } from "./chat/console/index.ts";
import { createLineInput } from "./chat/console/lines.ts";
import { renderReply, terminalText } from "./chat/console/render.ts";
import { credentialFlag, MAX_OPTION_VALUE, parseArgsMessage, peek, shownWord } from "./cli-args.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { runAlertScan } from "./core/alerts/scan.ts";
import { audit } from "./core/audit.ts";
import { closest } from "./core/commands/suggest.ts";
import type { Actor } from "./core/context.ts";
import { ROLES } from "./core/permissions.ts";
import type { Outcome } from "./core/reply.ts";
import { tableText } from "./core/reply.ts";
import { removeWorkspaceData, workspaceData } from "./core/workspaces.ts";
import { openDatabase } from "./db/client.ts";
import { type Platform, providerAccounts, slackInstallations } from "./db/schema.ts";
import { createLogger } from "./observability/logger.ts";
import { registerSecret } from "./observability/secrets.ts";
import { start, withoutChat } from "./start.ts";

/**
 * `npx hostops <command>`: the admin CLI. Same core, validation and audit log as chat: every
 * command runs as a platform admin of the workspace it names (default: the console's), through
 * the Dispatcher where chat has the same command. Credentials come from stdin or environment
 * variables, never from the command line (argv is visible to every user of the machine).
 */

export const CLI_USAGE = `Usage: hostops <command> [options]

  accounts add --provider <kind> --label <label> [--base-url <url>] [--name <provider name>]
               [--workspace <platform:id>]
      Checks the credentials with the provider, then stores them encrypted. For hostbill (any
      other host running HostBill) --base-url (the client area's /api/ root) and --name (the
      host's name, e.g. "Acme Hosting") are required. Credentials are read
      from stdin as JSON ({"username":"…","password":"…"}), or from HOSTOPS_CRED_<FIELD> variables
      (HOSTOPS_CRED_USERNAME, HOSTOPS_CRED_API_KEY, …), or asked for (hidden) at a terminal.
      Never put them in the command line.
  accounts list [--workspace <platform:id> | --all]
  bindings [--workspace <platform:id> | --all]
  grant --user <id> --role <viewer|operator|admin> [--workspace <platform:id>] [--channel <id>]
      Workspace-wide unless --channel is given.
  alerts run --dry-run [--workspace <platform:id>]
      What the alert scan would post now; posts and records nothing.
  workspaces
      Slack workspaces that installed hostops through OAuth (distribution mode), with their state.
  workspace remove --workspace <platform:id> [--yes]
      Everything hostops keeps about a workspace: provider accounts and their credentials,
      bindings, grants, requests, its Slack installation. Without --yes it only says what would
      go. The audit log is kept. For a workspace that uninstalled hostops: its data stays until
      this is run.
  migrate        apply the database migrations (also done at every start)
  console        the terminal console, even when Slack or Discord is configured
  sandbox        simulated providers with demo accounts (same as npm start -- --sandbox)

--workspace is slack:<team id>, discord:<guild id> or console:local (the default).
Provider kinds: host4coins, hostens, time4vps, hostkey, thehost, hostbill.`;

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Test hooks passed to startHostops. */
  overrides?: HostopsOptions["overrides"];
}

/** Usage errors: exit status 2. */
class UsageError extends Error {}

const CLI_COMMANDS = ["accounts", "bindings", "grant", "alerts", "migrate", "console", "sandbox", "help"];

function didYouMean(word: string | undefined, candidates: readonly string[], prefix = ""): string {
  const guess = word ? closest(word, candidates) : undefined;
  return guess ? ` Did you mean "${prefix}${guess}"?` : "";
}

/** The CLI usage of one command (its line in CLI_USAGE), for errors about that command. */
function cliUsageOf(command: string): string {
  const line = CLI_USAGE.split("\n").find((l) => /^ {2}\S/.test(l) && l.trim().startsWith(`${command} `));
  return line ? `Usage: hostops ${line.trim()}` : "";
}

/** Runs one CLI command; resolves with the exit status (0 ok, 1 refused or failed, 2 usage). */
export async function runCli(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const ctx: CliIo = {
    stdin: io.stdin ?? process.stdin,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    overrides: io.overrides,
  };
  const [cmd, sub, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        ctx.stdout.write(`${CLI_USAGE}\n`);
        return cmd === undefined ? 2 : 0;
      case "sandbox":
        return await start({ ...startIo(ctx), argv: ["--sandbox", ...argv.slice(1)] });
      case "console":
        return await start({ ...startIo(ctx), argv: ["--console", ...argv.slice(1)] });
      case "migrate":
        return await migrate(ctx, argv.slice(1));
      case "accounts":
        if (sub === "add") return await accountsAdd(ctx, rest);
        if (sub === "list") return await listing(ctx, "accounts", rest);
        throw new UsageError(
          `hostops accounts ${sub === undefined ? "" : `${shownWord(sub)} `}: expected "accounts add" or "accounts list".${didYouMean(sub, ["add", "list"], "accounts ")}`,
        );
      case "bindings":
        return await listing(ctx, "bindings", argv.slice(1));
      case "grant":
        return await grant(ctx, argv.slice(1));
      case "workspaces":
        return await workspacesList(ctx, argv.slice(1));
      case "workspace":
        if (sub === "remove") return await workspaceRemove(ctx, rest);
        throw new UsageError(`hostops workspace ${sub ?? ""}: expected "workspace remove".`);
      case "alerts":
        if (sub === "run") return await alertsRun(ctx, rest);
        throw new UsageError(
          `hostops alerts ${sub === undefined ? "" : `${shownWord(sub)} `}: expected "alerts run --dry-run".${didYouMean(sub, ["run"], "alerts ")}`,
        );
      default:
        throw new UsageError(`Unknown command ${shownWord(cmd)}.${didYouMean(cmd, CLI_COMMANDS)}`);
    }
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      const msg = err instanceof UsageError ? err.message : parseArgsMessage(err);
      // The usage of the command at hand when there is one, else every command's.
      const one = cmd && cliUsageOf(cmd === "accounts" || cmd === "alerts" ? `${cmd} ${sub ?? ""}` : cmd);
      const usage = one ? `${one}\n(\`hostops help\` describes every command.)` : CLI_USAGE;
      ctx.stderr.write(`${msg}\n\n${usage}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      ctx.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

function startIo(ctx: CliIo) {
  return { stdin: ctx.stdin, stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env, overrides: ctx.overrides };
}

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? "";
  return code.startsWith("ERR_PARSE_ARGS");
}

function parse<T extends Record<string, { type: "string" | "boolean"; multiple?: boolean }>>(
  args: string[],
  options: T,
) {
  // Options that are credentials (any provider's credential field, --password, …) get a pointed
  // refusal instead of "unknown option", naming the option, never its value.
  for (const a of args) {
    const flag = credentialFlag(a);
    if (flag)
      throw new UsageError(
        `${flag}: credentials are never read from the command line (every user of the machine can see it). Pipe them as JSON on stdin or set HOSTOPS_CRED_* variables.`,
      );
  }
  const values = (() => {
    try {
      return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
    } catch (err) {
      // Its own messages quote the offending argument whole.
      if (isParseArgsError(err)) throw new UsageError(parseArgsMessage(err));
      throw err;
    }
  })();
  for (const [name, v] of Object.entries(values))
    for (const one of Array.isArray(v) ? v : [v])
      if (typeof one === "string" && one.length > MAX_OPTION_VALUE)
        throw new UsageError(`--${name} is ${one.length} characters long; at most ${MAX_OPTION_VALUE}.`);
  return values;
}

function parseWorkspace(value: string | undefined): { platform: Platform; workspaceId: string } {
  if (!value) return { platform: "console", workspaceId: CONSOLE_WORKSPACE };
  const [, platform, workspaceId] = /^(slack|discord|console):([A-Za-z0-9_-]{1,64})$/.exec(value) ?? [];
  if (!platform || !workspaceId)
    throw new UsageError(
      `--workspace ${peek(value)}: expected slack:<team id>, discord:<guild id> or console:${CONSOLE_WORKSPACE}.`,
    );
  return { platform: platform as Platform, workspaceId };
}

/** The person at the CLI: a platform admin of the workspace the command names. */
function cliActor(ws: { platform: Platform; workspaceId: string }, channelId?: string): Actor {
  let name = "unknown";
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (containers with a numeric uid): keep "unknown".
  }
  return {
    platform: ws.platform,
    workspaceId: ws.workspaceId,
    channelId: channelId ?? (ws.platform === "console" ? CONSOLE_CHANNEL : ""),
    userId: `cli:${name}`.slice(0, 64),
    userName: name,
    userIsPlatformAdmin: true,
  };
}

function loadCliConfig(ctx: CliIo): Config {
  return withoutChat(loadConfig(ctx.env));
}

/** The core without chat adapters, timers or an HTTP server. */
async function withCore<T>(ctx: CliIo, fn: (app: Hostops) => Promise<T>): Promise<T> {
  const config = loadCliConfig(ctx);
  const log = createLogger({
    level: ctx.env.LOG_LEVEL ? config.LOG_LEVEL : "warn",
    sink: ctx.stderr,
    pretty: Boolean((ctx.stderr as { isTTY?: boolean }).isTTY),
  });
  const app = await startHostops({
    config,
    log,
    overrides: { ...ctx.overrides, noTimers: true, noHttpServer: true },
  });
  try {
    return await fn(app);
  } finally {
    await app.stop();
  }
}

const plain = (text: string) => terminalText(text, { color: false });

/**
 * Prints a command's outcome; a warning (refused, invalid, failed) is an exit status 1. The CLI
 * speaks its own language: a command's parameter is an option (`--provider`), and a usage line
 * is the CLI's.
 */
function printOutcome(ctx: CliIo, out: Outcome, command?: string): number {
  if (out.kind === "reply" || out.kind === "update") {
    const cliUsage = command ? cliUsageOf(command) : "";
    const r = renderReply(
      out.reply,
      { color: false },
      {
        param: (name) => `--${name}`,
        ...(cliUsage ? { usage: () => `\n${cliUsage}` } : {}),
      },
    );
    const failed = out.reply.severity === "warning" || out.reply.severity === "critical";
    const text = r.text.replace(/ +\n/g, "\n");
    (failed ? ctx.stderr : ctx.stdout).write(`${text}\n`);
    return failed ? 1 : 0;
  }
  if (out.kind === "fieldErrors") {
    for (const [field, msg] of Object.entries(out.errors))
      ctx.stderr.write(`${field.replace(/^cred_/, "")}: ${plain(msg)}\n`);
    return 1;
  }
  return 0;
}

async function accountsAdd(ctx: CliIo, args: string[]): Promise<number> {
  const v = parse(args, {
    provider: { type: "string" },
    label: { type: "string" },
    "base-url": { type: "string" },
    name: { type: "string" },
    workspace: { type: "string" },
  });
  if (!v.provider || !v.label) throw new UsageError("accounts add needs --provider and --label.");
  const ws = parseWorkspace(v.workspace);
  return withCore(ctx, async (app) => {
    const actor = cliActor(ws);
    // The same command and form as chat: the form's fields say which credentials the provider needs.
    const opened = await app.dispatcher.command({
      ...actor,
      path: ["accounts", "add"],
      args: { provider: v.provider },
    });
    if (opened.kind !== "modal") return printOutcome(ctx, opened, "accounts add");
    const { modal } = opened;
    const credFields = modal.fields.filter((f) => f.id.startsWith("cred_"));
    const creds = await readCredentials(ctx, credFields);
    if (typeof creds === "string") {
      ctx.stderr.write(`${creds}\n`);
      return 2;
    }
    const values: Record<string, string> = {
      label: v.label ?? "",
      base_url: v["base-url"] ?? "",
      display_name: v.name ?? "",
      ...creds,
    };
    const out = await app.dispatcher.modal(actor, modal.id, modal.state, values);
    return printOutcome(ctx, out, "accounts add");
  });
}

/** "cred_apiPublic" -> "HOSTOPS_CRED_API_PUBLIC" */
export function credentialEnvName(fieldId: string): string {
  const key = fieldId.replace(/^cred_/, "");
  return `HOSTOPS_CRED_${key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;
}

/**
 * Credentials from HOSTOPS_CRED_* variables (all of them), else stdin: JSON when piped, hidden
 * prompts at a terminal. Returns the form values (cred_<key> -> value) or a message.
 */
async function readCredentials(
  ctx: CliIo,
  fields: { id: string; label: string; kind: string; optional?: boolean }[],
): Promise<Record<string, string> | string> {
  const keys = fields.map((f) => f.id.replace(/^cred_/, ""));
  const envNames = fields.map((f) => credentialEnvName(f.id));
  // An empty variable counts as unset: it is named as missing, never sent as an empty credential.
  const fromEnv = envNames.map((n) => (ctx.env[n]?.trim() ? ctx.env[n] : undefined));
  const values: Record<string, string> = {};
  if (fromEnv.some((x) => x !== undefined)) {
    // Optional fields are settings (e.g. HOSTKEY's PIN mode): they may be left unset.
    const missing = envNames.filter((_n, i) => fromEnv[i] === undefined && !fields[i]?.optional);
    if (missing.length)
      return `Set every credential variable of this provider; missing: ${missing.join(", ")}.`;
    fields.forEach((f, i) => {
      values[f.id] = fromEnv[i] ?? "";
    });
  } else if ((ctx.stdin as { isTTY?: boolean }).isTTY) {
    const input = createLineInput({ input: ctx.stdin, output: ctx.stderr, interactive: true });
    try {
      for (const f of fields) {
        const hint = f.kind === "secret" ? " (hidden)" : f.optional ? " (optional)" : "";
        const line = await input.read(`${plain(f.label)}${hint}: `, {
          secret: f.kind === "secret",
        });
        if (line === null) return "Cancelled; nothing was stored.";
        values[f.id] = line;
      }
    } finally {
      input.close();
    }
  } else {
    const text = await readAll(ctx.stdin);
    if (!text.trim())
      return `No credentials given: pipe them as a JSON object on stdin with the keys ${keys.join(", ")}, or set ${envNames.join(" and ")}.`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return `Expected the credentials as a JSON object on stdin, with the keys ${keys.join(", ")} (or set ${envNames.join(" and ")}).`;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
      return `Expected a JSON object with the keys ${keys.join(", ")}.`;
    const obj = parsed as Record<string, unknown>;
    const unknown = Object.keys(obj).filter((k) => !keys.includes(k));
    if (unknown.length)
      return `Unknown credential key(s) ${unknown.map(shownWord).join(", ")}; this provider takes ${keys.join(", ")}.`;
    for (const f of fields) {
      const x = obj[f.id.replace(/^cred_/, "")];
      if (x !== undefined && typeof x !== "string") return `${f.id.replace(/^cred_/, "")} must be a string.`;
      values[f.id] = x ?? "";
    }
  }
  // Known from here on: scrubbed from every log line, even before the driver registers them.
  for (const f of fields) if (f.kind === "secret") registerSecret(values[f.id]);
  return values;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

async function listing(ctx: CliIo, what: "accounts" | "bindings", args: string[]): Promise<number> {
  const v = parse(args, { workspace: { type: "string" }, all: { type: "boolean" } });
  if (v.all && v.workspace) throw new UsageError("Use --workspace or --all, not both.");
  if (!v.all) {
    const ws = parseWorkspace(v.workspace);
    return withCore(ctx, async (app) => {
      const out = await app.dispatcher.command({
        ...cliActor(ws),
        path: what === "accounts" ? ["accounts", "list"] : ["bindings"],
        args: {},
      });
      return printOutcome(ctx, out, what === "accounts" ? "accounts list" : "bindings");
    });
  }
  return withCore(ctx, async (app) => {
    const db = app.db.db;
    let table: string;
    if (what === "accounts") {
      const rows = await db
        .select()
        .from(providerAccounts)
        .orderBy(providerAccounts.platform, providerAccounts.label);
      table = tableText(
        ["Workspace", "Label", "Provider", "Base URL", "Added"],
        rows.map((a) => [
          `${a.platform}:${a.workspaceId}`,
          a.label,
          a.displayName ? `${a.displayName} (${a.kind})` : a.kind,
          a.baseUrl ?? "(default)",
          a.createdAt.toISOString().slice(0, 10),
        ]),
      );
    } else {
      const rows = await app.core.accounts.allBindings();
      const sorted = rows.sort((x, y) =>
        `${x.binding.platform}:${x.binding.workspaceId}:${x.binding.channelId}`.localeCompare(
          `${y.binding.platform}:${y.binding.workspaceId}:${y.binding.channelId}`,
        ),
      );
      table = tableText(
        ["Workspace", "Channel", "Account", "Provider", "Alerts"],
        sorted.map(({ account, binding }) => [
          `${binding.platform}:${binding.workspaceId}`,
          binding.channelId,
          account.label,
          account.displayName ? `${account.displayName} (${account.kind})` : account.kind,
          binding.alertSettings.enabled ? "on" : "off",
        ]),
      );
    }
    ctx.stdout.write(`${table}\n`);
    await audit(app.db, cliActor({ platform: "console", workspaceId: CONSOLE_WORKSPACE }), {
      command: what === "accounts" ? "accounts list" : "bindings",
      args: { all: true },
      outcome: "ok",
    });
    return 0;
  });
}

async function grant(ctx: CliIo, args: string[]): Promise<number> {
  const v = parse(args, {
    user: { type: "string" },
    role: { type: "string" },
    workspace: { type: "string" },
    channel: { type: "string" },
  });
  if (!v.user || !v.role) throw new UsageError("grant needs --user and --role.");
  const user = cliUserId(v.user);
  const role = v.role.trim().toLowerCase();
  if (!(ROLES as readonly string[]).includes(role))
    throw new UsageError(`--role ${v.role}: expected ${ROLES.join(", ")}.`);
  const ws = parseWorkspace(v.workspace);
  return withCore(ctx, async (app) => {
    const out = await app.dispatcher.command({
      ...cliActor(ws, v.channel),
      path: ["grant"],
      args: { user, role, workspace: !v.channel },
    });
    return printOutcome(ctx, out, "grant");
  });
}

/**
 * A user id as typed at a shell: `U0456EFGH`, `u0456efgh`, `@U0456EFGH`, `<@U0456EFGH>` (Slack)
 * or `123456789012345678` (Discord). Slack ids are upper case; anything else is a usage error.
 */
export function cliUserId(raw: string): string {
  const id = raw.trim().replace(/^<@!?/, "").replace(/>$/, "").replace(/^@/, "");
  const upper = /^\d+$/.test(id) ? id : id.toUpperCase();
  if (/^[A-Z0-9]{2,20}$/.test(upper) || /^\d{5,25}$/.test(upper)) return upper;
  throw new UsageError(
    `--user ${raw}: expected a Slack user id such as U0456EFGH (profile > ⋮ > Copy member ID) or a Discord user id (digits).`,
  );
}

async function alertsRun(ctx: CliIo, args: string[]): Promise<number> {
  const v = parse(args, { "dry-run": { type: "boolean" }, workspace: { type: "string" } });
  if (!v["dry-run"])
    throw new UsageError(
      "alerts run posts nothing from the CLI: the bot posts alerts on its schedule (or /hosting alerts run in a channel). Add --dry-run to see what it would post now.",
    );
  const ws = v.workspace ? parseWorkspace(v.workspace) : undefined;
  return withCore(ctx, async (app) => {
    const bindingIds = ws
      ? (await app.core.accounts.workspaceBindings(ws.platform, ws.workspaceId)).map((b) => b.binding.id)
      : undefined;
    const s = await runAlertScan(app.core, { dryRun: true, bindingIds });
    const out: string[] = [
      `Dry run: nothing was posted or recorded. Checked ${s.accounts} account(s) in ${s.bindings} binding(s).`,
    ];
    const words = { post: "would post", defer: "held", already: "already posted" } as const;
    for (const r of s.reports) {
      const planned = r.planned ?? [];
      out.push(`${r.platform} channel ${r.channelId} · ${r.account}: ${planned.length} alert(s)`);
      for (const p of planned)
        out.push(`  ${words[p.action].padEnd(14)} ${p.severity.padEnd(8)} ${plain(p.title)}`);
      if (r.error) out.push(`  could not check: ${plain(r.error)}`);
    }
    for (const f of s.failedAccounts) out.push(`Could not check ${f.account}: ${plain(f.reason)}`);
    ctx.stdout.write(`${out.join("\n")}\n`);
    await audit(app.db, cliActor(ws ?? { platform: "console", workspaceId: CONSOLE_WORKSPACE }), {
      command: "alerts run",
      args: { dryRun: true },
      outcome: "ok",
    });
    return 0;
  });
}

async function workspacesList(ctx: CliIo, args: string[]): Promise<number> {
  parse(args, {});
  return withCore(ctx, async (app) => {
    const rows = await app.db.db.select().from(slackInstallations).orderBy(slackInstallations.installKey);
    if (!rows.length) {
      ctx.stdout.write("No Slack installations (distribution mode not used, or nothing installed yet).\n");
      return 0;
    }
    const table = tableText(
      ["Workspace", "Name", "State", "Installed", "Changed"],
      rows.map((r) => [
        r.teamId ? `slack:${r.teamId}` : `enterprise:${r.enterpriseId ?? "?"}`,
        r.teamName ?? "",
        r.installationEnc ? "installed" : "uninstalled (data kept)",
        r.installedAt.toISOString().slice(0, 10),
        r.updatedAt.toISOString().slice(0, 10),
      ]),
    );
    ctx.stdout.write(`${table}\n`);
    return 0;
  });
}

async function workspaceRemove(ctx: CliIo, args: string[]): Promise<number> {
  const v = parse(args, { workspace: { type: "string" }, yes: { type: "boolean" } });
  if (!v.workspace) throw new UsageError("workspace remove needs --workspace (e.g. slack:T0123ABCD).");
  const ws = parseWorkspace(v.workspace);
  return withCore(ctx, async (app) => {
    const found = await workspaceData(app.db, ws.platform, ws.workspaceId);
    const what = `${found.accounts} account(s) with their credentials, ${found.bindings} binding(s), ${found.grants} grant(s), ${found.requests} request(s)${found.installation ? ", its Slack installation" : ""}`;
    if (!v.yes) {
      ctx.stderr.write(
        `Would remove from ${ws.platform}:${ws.workspaceId}: ${what}. Nothing changes at the providers; the audit log stays. Run again with --yes to remove.\n`,
      );
      return 1;
    }
    await removeWorkspaceData(app.db, ws.platform, ws.workspaceId);
    await audit(app.db, cliActor(ws), {
      command: "workspace remove",
      args: { ...found },
      outcome: "ok",
    });
    ctx.stdout.write(`Removed from ${ws.platform}:${ws.workspaceId}: ${what}. The audit log stays.\n`);
    return 0;
  });
}

async function migrate(ctx: CliIo, args: string[]): Promise<number> {
  parse(args, {});
  const config = loadCliConfig(ctx);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.HOSTOPS_DATA_DIR });
  await db.close();
  ctx.stdout.write(
    `Migrations applied: ${db.driver === "pglite" ? `embedded database in ${config.HOSTOPS_DATA_DIR}` : "Postgres (DATABASE_URL)"} is up to date.\n`,
  );
  return 0;
}

/** `tsx src/cli.ts …` runs it directly; bin/hostops.js imports runCli. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint())
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`hostops: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
