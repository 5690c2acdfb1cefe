/**
 * The system under test, run as a forked child process (see child.ts) so that it has an event
 * loop and a heap of its own: the load generator and the fakes stay in the parent.
 *
 * Spec in the BENCH_TARGET env var (JSON). Sends `{ ready, port, readyMs }` when it serves, then
 * answers `{ id, cmd }` messages: `mem` (optionally after a forced GC), `stop`.
 */
import type http from "node:http";
import type { AddressInfo } from "node:net";

export interface SeedAccount {
  label: string;
  kind: string;
  baseUrl: string;
  credentials: Record<string, string>;
}

export interface Seed {
  platform: "slack" | "discord";
  workspaceId: string;
  channelId: string;
  accounts: SeedAccount[];
  grants?: { user: string; role: "viewer" | "operator" | "admin"; scope: "channel" | "workspace" }[];
}

export interface DiscordTarget {
  restApi: string;
  token: string;
  applicationId: string;
  guildId: string;
}

export type TargetSpec =
  | { kind: "bare-bolt"; signingSecret: string; botToken: string; slackApiUrl: string }
  | { kind: "bare-discord"; discord: DiscordTarget }
  | {
      kind: "hostops";
      /** Slack in HTTP mode against this fake Web API. */
      slack?: { apiUrl: string; signingSecret: string; botToken: string };
      discord?: DiscordTarget;
      /** Postgres; unset: PGlite, in memory unless `dataDir` is set. */
      databaseUrl?: string;
      /** PGlite data directory (the default deployment). */
      dataDir?: string;
      secretKey: string;
      seed?: Seed;
      /** Log at info into a sink that drops the lines (the cost of logging without the terminal). */
      logLevel?: string;
      /**
       * HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS; default "1" (the fakes listen on loopback). A CIDR list
       * keeps the private-address guard on every connection, with only that range let through.
       */
      allowPrivateProviderUrls?: string;
    };

export type TargetMessage =
  | { id: number; cmd: "mem"; gc?: boolean }
  | { id: number; cmd: "served" }
  | { id: number; cmd: "cpu" }
  | { id: number; cmd: "stop" }
  | ({ id: number; cmd: "bulk" } & BulkSeed)
  | { id: number; cmd: "scan"; replicas?: number }
  | { id: number; cmd: "alerts" }
  | { id: number; cmd: "resetAlerts" }
  | ({ id: number; cmd: "dispatch" } & DispatchLoad);

/** Commands run straight through the dispatcher (no HTTP, no Slack), `concurrency` at a time. */
export interface DispatchLoad {
  count: number;
  concurrency: number;
  texts: string[];
  users: number;
  platform: "slack" | "discord";
  workspaceId: string;
  channelId: string;
}

/** Many accounts, each bound to a channel of its own (written straight to the database). */
export interface BulkSeed {
  count: number;
  /** Numbering of labels and channels starts here (seeding in several steps). */
  offset?: number;
  platform: "slack" | "discord";
  workspaceId: string;
  kind: string;
  baseUrl: string;
  credentials: Record<string, string>;
}

/** The scan summary without per-binding reports (kept small for IPC). */
export interface ScanFigures {
  ms: number;
  bindings: number;
  accounts: number;
  posted: number;
  messages: number;
  deduplicated: number;
  failures: number;
  deliveryFailures: number;
}

type Extra = Record<string, (msg: Record<string, unknown>) => Promise<unknown>>;

/** Server-side view of the HTTP requests since the last `served`: request event to response finish. */
const served: number[] = [];
function timeRequests(server: http.Server | undefined): void {
  server?.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
    const t0 = performance.now();
    res.once("finish", () => served.push(performance.now() - t0));
  });
}

export interface MemInfo {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_TARGET ?? "{}") as TargetSpec;
  let stop: () => Promise<void>;
  let port: number | undefined;
  let extra: Extra = {};
  if (spec.kind === "bare-bolt") ({ stop, port } = await bareBolt(spec));
  else if (spec.kind === "bare-discord") ({ stop } = await bareDiscord(spec.discord));
  else ({ stop, port, extra } = await hostops(spec));

  process.on("message", (raw) => {
    const msg = raw as TargetMessage;
    void (async () => {
      try {
        if (msg.cmd === "mem") {
          if (msg.gc && typeof global.gc === "function") {
            global.gc();
            await new Promise((r) => setTimeout(r, 20));
            global.gc();
          }
          const m = process.memoryUsage();
          const value: MemInfo = {
            rss: m.rss,
            heapUsed: m.heapUsed,
            heapTotal: m.heapTotal,
            external: m.external,
            arrayBuffers: m.arrayBuffers,
          };
          process.send?.({ id: msg.id, ok: true, value });
        } else if (msg.cmd === "cpu") {
          const c = process.cpuUsage();
          process.send?.({ id: msg.id, ok: true, value: (c.user + c.system) / 1000 });
        } else if (msg.cmd === "served") {
          process.send?.({ id: msg.id, ok: true, value: served.splice(0) });
        } else if (msg.cmd === "stop") {
          await Promise.race([stop(), new Promise((r) => setTimeout(r, 5_000))]);
          process.send?.({ id: msg.id, ok: true });
          setTimeout(() => process.exit(0), 50);
        } else {
          const handler = extra[msg.cmd];
          if (!handler) throw new Error(`unknown command ${msg.cmd}`);
          process.send?.({ id: msg.id, ok: true, value: await handler(msg as Record<string, unknown>) });
        }
      } catch (err) {
        process.send?.({ id: msg.id, ok: false, error: String(err) });
      }
    })();
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ ready: true, port, readyMs: performance.now() });
}

async function bareBolt(spec: Extract<TargetSpec, { kind: "bare-bolt" }>) {
  const { App, HTTPReceiver, LogLevel } = await import("@slack/bolt");
  const receiver = new HTTPReceiver({
    signingSecret: spec.signingSecret,
    processBeforeResponse: false,
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    token: spec.botToken,
    receiver,
    clientOptions: { slackApiUrl: spec.slackApiUrl },
    logLevel: LogLevel.ERROR,
  });
  app.command(/^\/hosting/, async ({ ack }) => {
    await ack();
  });
  const server = (await app.start({ port: 0, host: "127.0.0.1" })) as http.Server;
  timeRequests(server);
  return { stop: () => app.stop() as Promise<void>, port: (server.address() as AddressInfo).port };
}

async function bareDiscord(d: DiscordTarget) {
  const { Client, Events, GatewayIntentBits } = await import("discord.js");
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: d.restApi } });
  client.on(Events.InteractionCreate, (i) => {
    if (i.isChatInputCommand()) void i.deferReply().catch(() => {});
  });
  const ready = new Promise<void>((r) => client.once(Events.ClientReady, () => r()));
  await client.login(d.token);
  await ready;
  return { stop: () => client.destroy() };
}

async function hostops(spec: Extract<TargetSpec, { kind: "hostops" }>) {
  const { startHostops } = await import("../../src/app.ts");
  const { loadConfig } = await import("../../src/config.ts");
  const { createLogger } = await import("../../src/observability/logger.ts");
  const { grantRole } = await import("../../src/core/permissions.ts");
  const config = loadConfig({
    PORT: "0",
    LOG_LEVEL: spec.logLevel ?? "info",
    HOSTOPS_SECRET_KEY: spec.secretKey,
    DATABASE_URL: spec.databaseUrl,
    HOSTOPS_DATA_DIR: spec.dataDir,
    HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS: spec.allowPrivateProviderUrls ?? "1",
    ...(spec.slack
      ? {
          SLACK_BOT_TOKEN: spec.slack.botToken,
          SLACK_SIGNING_SECRET: spec.slack.signingSecret,
          SLACK_API_URL: spec.slack.apiUrl,
        }
      : {}),
    ...(spec.discord
      ? {
          DISCORD_TOKEN: spec.discord.token,
          DISCORD_APPLICATION_ID: spec.discord.applicationId,
          DISCORD_GUILD_ID: spec.discord.guildId,
          DISCORD_API_URL: spec.discord.restApi,
        }
      : {}),
  });
  // Production logging cost (pino JSON + secret scrub) without writing to a terminal.
  const log = createLogger({ level: spec.logLevel ?? "info", sink: { write: () => {} } });
  const app = await startHostops({
    config,
    log,
    overrides: {
      memoryDb: !spec.databaseUrl && !spec.dataDir,
      slackProcessBeforeResponse: false,
      // No hourly alert scan or housekeeping sweep firing in the middle of a measurement.
      noTimers: true,
      listenHost: "127.0.0.1",
    },
  });
  timeRequests(app.adapters.find((a) => a.platform === "slack")?.server);
  let stopDiscord: (() => Promise<void>) | undefined;
  if (spec.discord && !app.core.messengers.has("discord")) {
    // The composition root does not start Discord (yet): start the committed adapter on its core.
    const { startDiscord } = await import("../../src/chat/discord/index.ts");
    const handle = await startDiscord({
      core: app.core,
      dispatcher: app.dispatcher,
      config,
      log,
    });
    stopDiscord = () => handle.stop();
  }
  const seed = spec.seed;
  if (seed) {
    for (const a of seed.accounts) {
      const account = await app.core.accounts.add({
        platform: seed.platform,
        workspaceId: seed.workspaceId,
        label: a.label,
        kind: a.kind as never,
        baseUrl: a.baseUrl,
        credentials: a.credentials,
        createdBy: "UBENCH",
      });
      await app.core.accounts.bind(account, seed.channelId, "UBENCH");
    }
    for (const g of seed.grants ?? [])
      await grantRole(app.db, {
        actor: {
          platform: seed.platform,
          workspaceId: seed.workspaceId,
          channelId: seed.channelId,
          userId: "UBENCH",
          userIsPlatformAdmin: true,
        },
        subject: g.user,
        role: g.role,
        scope: g.scope,
      });
  }
  const { sql } = await import("drizzle-orm");
  const extra: Extra = {
    bulk: (m) => bulkSeed(app, spec.secretKey, m as unknown as BulkSeed),
    scan: async (m) => {
      const { runAlertScan } = await import("../../src/core/alerts/scan.ts");
      const replicas = Number(m.replicas ?? 1);
      const t0 = performance.now();
      // Several "replicas" scanning at once (as if the run coordinator had failed): the
      // unique alert keys must still let each alert be posted once.
      const all = await Promise.all(Array.from({ length: replicas }, () => runAlertScan(app.core)));
      const ms = performance.now() - t0;
      return all.map(
        (s): ScanFigures => ({
          ms,
          bindings: s.bindings,
          accounts: s.accounts,
          posted: s.posted,
          messages: s.messages,
          deduplicated: s.deduplicated,
          failures: s.failures,
          deliveryFailures: s.deliveryFailures,
        }),
      );
    },
    alerts: async () =>
      (
        await app.db.rows<{ status: string; n: number }>(
          sql`select status, count(*)::int as n from alert_deliveries group by status`,
        )
      ).reduce<Record<string, number>>((o, r) => Object.assign(o, { [r.status]: Number(r.n) }), {}),
    dispatch: async (m) => {
      const load = m as unknown as DispatchLoad;
      const { parseCommandText } = await import("../../src/core/dispatch.ts");
      let next = 0;
      let failed = 0;
      const t0 = performance.now();
      const worker = async () => {
        while (next < load.count) {
          const k = next++;
          const { path, args } = parseCommandText(load.texts[k % load.texts.length]!);
          const out = await app.dispatcher.command({
            platform: load.platform,
            workspaceId: load.workspaceId,
            channelId: load.channelId,
            userId: `UDISP${k % load.users}`,
            userIsPlatformAdmin: false,
            path,
            args,
          });
          if (out.kind === "reply" && out.reply.severity === "warning" && out.reply.ephemeral) failed++;
        }
      };
      await Promise.all(Array.from({ length: load.concurrency }, worker));
      return { ms: performance.now() - t0, failed };
    },
    resetAlerts: async () => {
      await app.db.rows(sql`delete from alert_deliveries`);
      return true;
    },
  };
  return {
    port: app.port,
    extra,
    stop: async () => {
      await stopDiscord?.();
      await app.stop();
    },
  };
}

/** `count` accounts of one provider, each bound to its own channel, inserted in batches. */
async function bulkSeed(
  app: Awaited<ReturnType<typeof import("../../src/app.ts").startHostops>>,
  secretKey: string,
  seed: BulkSeed,
): Promise<number> {
  const { CredentialCipher } = await import("../../src/core/crypto.ts");
  const { DEFAULT_ALERT_SETTINGS, DEFAULT_APPROVAL_POLICY } = await import("../../src/core/accounts.ts");
  const { providerAccounts, channelBindings } = await import("../../src/db/schema.ts");
  const cipher = new CredentialCipher(Buffer.from(secretKey, "base64"));
  const db = app.db.db;
  const batch = 200;
  const offset = seed.offset ?? 0;
  for (let done = 0; done < seed.count; done += batch) {
    const n = Math.min(batch, seed.count - done);
    const start = offset + done;
    const rows = await db
      .insert(providerAccounts)
      .values(
        Array.from({ length: n }, (_, i) => ({
          platform: seed.platform,
          workspaceId: seed.workspaceId,
          label: `bulk${String(start + i).padStart(5, "0")}`,
          kind: seed.kind,
          baseUrl: seed.baseUrl,
          credentialsEnc: cipher.encrypt(seed.credentials),
          createdBy: "UBENCH",
        })),
      )
      .returning({ id: providerAccounts.id });
    await db.insert(channelBindings).values(
      rows.map((r, i) => ({
        platform: seed.platform,
        workspaceId: seed.workspaceId,
        channelId: `CBULK${String(start + i).padStart(5, "0")}`,
        accountId: r.id,
        alertSettings: DEFAULT_ALERT_SETTINGS,
        approvalPolicy: DEFAULT_APPROVAL_POLICY,
        createdBy: "UBENCH",
      })),
    );
  }
  return seed.count;
}

main().catch((err: unknown) => {
  process.send?.({ ready: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  setTimeout(() => process.exit(1), 50);
});
