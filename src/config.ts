import { readFileSync } from "node:fs";
import cron from "node-cron";
import { z } from "zod";
import { parsePrivateAllowance } from "./providers/_shared/address-guard.ts";

/**
 * The whole environment, parsed once at start. Each variable says what it is for; a missing or
 * bad one stops the start with its name and that description.
 */
const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(emptyToUndefined, schema.optional());

const VARS = {
  DATABASE_URL: {
    schema: opt(z.string().regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")),
    doc: "Postgres connection string; unset = embedded PGlite database in HOSTOPS_DATA_DIR",
  },
  HOSTOPS_DATA_DIR: {
    schema: z.preprocess(emptyToUndefined, z.string().default("./data")),
    doc: "folder for the embedded database and the generated secret key",
  },
  HOSTOPS_SECRET_KEY: {
    schema: opt(
      z
        .string()
        .regex(/^[A-Za-z0-9+/=_-]+$/, "must be base64")
        .refine(
          (v) => Buffer.from(v, "base64").length === 32,
          "must be 32 bytes, base64-encoded (openssl rand -base64 32)",
        ),
    ),
    doc: "AES-256-GCM key for provider credentials (32 bytes, base64); generated into the data dir when unset on the embedded database",
  },
  SLACK_BOT_TOKEN: {
    schema: opt(z.string().regex(/^xoxb-/, "must be a bot token starting with xoxb-")),
    doc: "Slack bot token (OAuth & Permissions > Bot User OAuth Token)",
  },
  SLACK_SIGNING_SECRET: {
    schema: opt(
      z.string().min(8, "is too short to be a Slack signing secret (Slack's are 32 hexadecimal characters)"),
    ),
    doc: "Slack signing secret (Basic Information > App Credentials)",
  },
  SLACK_APP_TOKEN: {
    schema: opt(z.string().regex(/^xapp-/, "must be an app-level token starting with xapp-")),
    doc: "Slack app-level token; when set, Slack runs in Socket Mode instead of HTTP",
  },
  SLACK_CLIENT_ID: {
    schema: opt(z.string().regex(/^\d+\.\d+$/, "must look like 1234567890.1234567890")),
    doc: "Slack app Client ID (Basic Information > App Credentials); with SLACK_CLIENT_SECRET and SLACK_STATE_SECRET, hostops is installed in many workspaces through /slack/install",
  },
  SLACK_CLIENT_SECRET: {
    schema: opt(z.string().min(8, "looks too short")),
    doc: "Slack app Client Secret (Basic Information > App Credentials), for the OAuth install flow",
  },
  SLACK_STATE_SECRET: {
    schema: opt(z.string().min(16, "must be at least 16 characters (openssl rand -hex 32)")),
    doc: "secret that signs the OAuth state of an install (any random string, e.g. openssl rand -hex 32)",
  },
  SLACK_API_URL: {
    schema: opt(z.url()),
    doc: "override of the Slack Web API base URL (tests and proxies)",
  },
  DISCORD_TOKEN: { schema: opt(z.string().min(10)), doc: "Discord bot token" },
  DISCORD_APPLICATION_ID: {
    schema: opt(z.string().regex(/^\d{5,25}$/, "must be the numeric application id")),
    doc: "Discord application id",
  },
  DISCORD_GUILD_ID: {
    schema: opt(z.string().regex(/^\d{5,25}$/, "must be a numeric guild id")),
    doc: "register Discord commands to this guild only (fast iteration)",
  },
  DISCORD_API_URL: { schema: opt(z.url()), doc: "override of the Discord REST base URL (tests)" },
  PORT: {
    schema: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
    doc: "HTTP port for Slack events, /healthz and /readyz",
  },
  METRICS_PORT: {
    schema: opt(z.coerce.number().int().min(0).max(65535)),
    doc: "port of the Prometheus /metrics listener; unset = no metrics listener",
  },
  METRICS_HOST: {
    schema: z.preprocess(emptyToUndefined, z.string().default("127.0.0.1")),
    doc: "interface the /metrics listener binds to (loopback by default; 0.0.0.0 in a container)",
  },
  LOG_LEVEL: {
    schema: z.preprocess(
      emptyToUndefined,
      z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    ),
    doc: "log level",
  },
  HOSTOPS_ALERT_CRON: {
    schema: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .default("0 * * * *")
        .refine((v) => cron.validate(v), "is not a valid cron expression"),
    ),
    doc: "when the alert scan runs (cron expression)",
  },
  HOSTOPS_TZ: {
    schema: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .default("UTC")
        .refine((v) => {
          try {
            new Intl.DateTimeFormat("en", { timeZone: v });
            return true;
          } catch {
            return false;
          }
        }, "is not a known time zone"),
    ),
    doc: "time zone of the alert schedule and of dates shown in chat",
  },
  HOSTOPS_CONFIRM_TTL_MINUTES: {
    schema: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(1440).default(15)),
    doc: "how long a confirmation request can be approved",
  },
  HOSTOPS_DEFAULT_ROLE: {
    schema: z.preprocess(emptyToUndefined, z.enum(["none", "viewer", "operator"]).default("viewer")),
    doc: "role of a channel member with no grant (none, viewer or operator)",
  },
  HOSTOPS_PROVIDER_CONCURRENCY: {
    schema: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(100).default(4)),
    doc: "concurrent calls per provider during scans",
  },
  HOSTOPS_PROVIDER_TIMEOUT_MS: {
    schema: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(120_000).default(15_000)),
    doc: "timeout of one provider API call",
  },
  HOSTOPS_SHUTDOWN_GRACE_MS: {
    schema: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(600_000).default(8_000)),
    doc: "on SIGTERM/SIGINT, how long in-flight commands and clicks may take to finish (keep it under the orchestrator's kill timeout, Docker's is 10 s)",
  },
  HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS: {
    schema: z
      .string()
      .optional()
      .transform((v, ctx) => {
        // Unset: the guard as the process environment says (outbound.ts reads the same variable).
        if (v === undefined || v.trim() === "") return undefined;
        const r = parsePrivateAllowance(v);
        if (r === true || !("error" in r)) return r;
        ctx.addIssue({ code: "custom", message: `is not 1, 0 or a list of CIDR ranges: ${r.error}` });
        return z.NEVER;
      }),
    doc: "provider base URLs may reach private, loopback and link-local addresses: 1 = any, or a comma-separated list of CIDR ranges (e.g. 10.8.0.0/16 for a provider behind a VPN); unset = refused",
  },
} as const;

type Vars = typeof VARS;
export type Config = { [K in keyof Vars]: z.output<Vars[K]["schema"]> };

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/**
 * The secrets that may also come from a file, as Docker and Kubernetes secrets are mounted:
 * `SLACK_BOT_TOKEN_FILE=/run/secrets/slack_bot_token` reads the token from that file (surrounding
 * whitespace and the final newline dropped). Setting both forms of one variable is an error.
 */
export const FILE_SECRETS = [
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_APP_TOKEN",
  "SLACK_CLIENT_SECRET",
  "SLACK_STATE_SECRET",
  "DISCORD_TOKEN",
  "HOSTOPS_SECRET_KEY",
  "DATABASE_URL",
] as const;

function readFileSecrets(
  env: NodeJS.ProcessEnv,
  problems: string[],
  invalid: Set<string>,
): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of FILE_SECRETS) {
    const file = env[`${name}_FILE`]?.trim();
    if (!file) continue;
    if (env[name]?.trim()) {
      problems.push(`${name} and ${name}_FILE are both set: set only one of them`);
      invalid.add(name);
      continue;
    }
    try {
      out[name] = readFileSync(file, "utf8").trim();
    } catch (err) {
      // The path is not secret; the content never appears in a message.
      problems.push(
        `${name}_FILE cannot be read: ${file} (${(err as NodeJS.ErrnoException).code ?? "error"})`,
      );
      invalid.add(name);
    }
  }
  return out;
}

export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  // One message per variable: a variable already reported as invalid (or its _FILE unreadable)
  // is not also "required".
  const invalid = new Set<string>();
  const env = readFileSecrets(rawEnv, problems, invalid);
  for (const [name, { schema, doc }] of Object.entries(VARS)) {
    const r = (schema as z.ZodType).safeParse(env[name]);
    if (r.success) out[name] = r.data;
    else {
      invalid.add(name);
      problems.push(`${name} ${r.error.issues[0]?.message ?? "is invalid"} (${doc})`);
    }
  }
  const c = out as Config;
  const missing = (name: keyof Vars) => !c[name] && !invalid.has(name);
  if (c.SLACK_BOT_TOKEN && missing("SLACK_SIGNING_SECRET") && missing("SLACK_APP_TOKEN"))
    problems.push(
      `SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN in HTTP mode (${VARS.SLACK_SIGNING_SECRET.doc})`,
    );
  const oauthVars = ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"] as const;
  const oauthSet = oauthVars.filter((v) => c[v]);
  if (oauthSet.length) {
    if (c.SLACK_BOT_TOKEN)
      problems.push(
        "SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET/SLACK_STATE_SECRET are two ways to run on Slack: one workspace with its bot token, or many workspaces installed through OAuth. Set one of them.",
      );
    else {
      for (const v of oauthVars)
        if (missing(v)) problems.push(`${v} is required to install hostops through OAuth (${VARS[v].doc})`);
      if (missing("SLACK_SIGNING_SECRET"))
        problems.push(
          `SLACK_SIGNING_SECRET is required with the OAuth install flow (${VARS.SLACK_SIGNING_SECRET.doc})`,
        );
      if (c.SLACK_APP_TOKEN)
        problems.push(
          "SLACK_APP_TOKEN (Socket Mode) cannot be used with the OAuth install flow: Slack must reach /slack/oauth_redirect and /slack/events over HTTP. Unset SLACK_APP_TOKEN.",
        );
    }
  }
  if (c.DISCORD_TOKEN && missing("DISCORD_APPLICATION_ID"))
    problems.push(
      `DISCORD_APPLICATION_ID is required with DISCORD_TOKEN (${VARS.DISCORD_APPLICATION_ID.doc})`,
    );
  if (c.DATABASE_URL && missing("HOSTOPS_SECRET_KEY"))
    problems.push(
      `HOSTOPS_SECRET_KEY is required with DATABASE_URL: replicas must share one key (${VARS.HOSTOPS_SECRET_KEY.doc})`,
    );
  if (problems.length) throw new ConfigError(problems);
  return c;
}

export function slackConfigured(c: Config): boolean {
  return Boolean(c.SLACK_BOT_TOKEN) || slackOAuthConfigured(c);
}
/** Distribution mode: many workspaces install hostops through Slack's OAuth v2 flow. */
export function slackOAuthConfigured(c: Config): boolean {
  return Boolean(!c.SLACK_BOT_TOKEN && c.SLACK_CLIENT_ID && c.SLACK_CLIENT_SECRET && c.SLACK_STATE_SECRET);
}
export function discordConfigured(c: Config): boolean {
  return Boolean(c.DISCORD_TOKEN);
}

/** What to tell a person who started the bot with no chat platform configured. */
export function describeChatSetup(): string {
  return [
    "No chat platform is configured. Set, for Slack:",
    `  SLACK_BOT_TOKEN       ${VARS.SLACK_BOT_TOKEN.doc}`,
    `  SLACK_SIGNING_SECRET  ${VARS.SLACK_SIGNING_SECRET.doc}`,
    `  SLACK_APP_TOKEN       (optional) ${VARS.SLACK_APP_TOKEN.doc}`,
    "or, for Slack in many workspaces (OAuth install at /slack/install):",
    `  SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET and SLACK_SIGNING_SECRET`,
    "or, for Discord:",
    `  DISCORD_TOKEN           ${VARS.DISCORD_TOKEN.doc}`,
    `  DISCORD_APPLICATION_ID  ${VARS.DISCORD_APPLICATION_ID.doc}`,
  ].join("\n");
}

/** The documented variables, for the README table and `--help`. */
export const CONFIG_DOCS: { name: string; doc: string }[] = Object.entries(VARS).map(([name, v]) => ({
  name,
  doc: v.doc,
}));
