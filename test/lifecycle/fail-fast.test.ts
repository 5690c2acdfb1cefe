import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { hostopsMeta } from "../../src/db/schema.ts";
import { StartAborted, StartError } from "../../src/lifecycle/retry.ts";
import { start } from "../../src/start.ts";
import { type FakeDiscord, startFakeDiscord } from "../fakes/discord.ts";
import { startHostBillFake } from "../fakes/providers/hostbill.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.ts";
import { BOT_TOKEN, SIGNING_SECRET } from "../helpers/config.ts";
import { freshPostgres } from "../helpers/db.ts";
import { freePort, memoryIo } from "../helpers/process.ts";
import { isReady, type Spawned, spawnHostops } from "./spawn.ts";

const KEY = Buffer.alloc(32, 7).toString("base64");
const OTHER_KEY = Buffer.alloc(32, 9).toString("base64");
const DISCORD_TOKEN = "discord-bot-token-for-tests-0123456789";
const fast = { platformRetry: { firstDelayMs: 20, maxDelayMs: 100 } };

describe("fail fast at start, honest readiness while a platform is down (Postgres)", () => {
  let slack: FakeSlack;
  let discord: FakeDiscord;
  let url: string;
  let drop: () => Promise<void>;
  let proc: Spawned | undefined;
  const apps: Hostops[] = [];

  const slackEnv = (extra: Record<string, string | undefined> = {}) => ({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: url,
    HOSTOPS_SECRET_KEY: KEY,
    PORT: "0",
    LOG_LEVEL: "silent",
    ...extra,
  });
  const discordEnv = (extra: Record<string, string | undefined> = {}) => ({
    DATABASE_URL: url,
    HOSTOPS_SECRET_KEY: KEY,
    PORT: "0",
    LOG_LEVEL: "silent",
    DISCORD_TOKEN,
    DISCORD_APPLICATION_ID: discord.appId,
    DISCORD_GUILD_ID: discord.guildId,
    DISCORD_API_URL: discord.restBase,
    ...extra,
  });
  const readyz = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    slack = await startFakeSlack();
    discord = await startFakeDiscord();
    const pg = await freshPostgres("failfast");
    url = pg.url;
    drop = pg.drop;
  });
  afterEach(async () => {
    proc?.kill();
    proc = undefined;
    slack.authError = undefined;
    slack.appTokenError = undefined;
    slack.down = false;
    discord.rejectToken = false;
    discord.gatewayDown = false;
    for (const a of apps.splice(0)) await a.stop({ graceMs: 0 });
  });
  afterAll(async () => {
    await discord?.close();
    await slack?.close();
    await drop?.();
  });

  it("a revoked Slack token: one line naming SLACK_BOT_TOKEN, exit 1, never ready (real process)", async () => {
    slack.authError = "invalid_auth";
    proc = spawnHostops(slackEnv({ LOG_LEVEL: "info" }));
    expect(await proc.exitWithin(30_000)).toEqual({ code: 1, signal: null });
    const lines = proc.stderr.trim().split("\n");
    expect(lines).toEqual([
      "hostops cannot start: SLACK_BOT_TOKEN was rejected by Slack (invalid_auth): copy a valid token from the Slack app's settings into SLACK_BOT_TOKEN.",
    ]);
    expect(proc.logs().some(isReady)).toBe(false);
    expect(proc.stdout + proc.stderr).not.toContain(BOT_TOKEN);
  });

  it("a rejected Discord token: one line naming DISCORD_TOKEN, exit code 1", async () => {
    discord.rejectToken = true;
    const io = memoryIo();
    const code = await start({ argv: [], env: discordEnv(), ...io, overrides: { noTimers: true, ...fast } });
    expect(code).toBe(1);
    expect(io.out.stderr.trim()).toMatch(/^hostops cannot start: DISCORD_TOKEN was rejected by Discord/);
    expect(io.out.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a revoked Slack app token (Socket Mode): one line naming SLACK_APP_TOKEN, exit code 1", async () => {
    slack.appTokenError = "invalid_auth";
    const io = memoryIo();
    const code = await start({
      argv: [],
      env: slackEnv({ SLACK_APP_TOKEN: "xapp-1-A1-2-revokedapptoken", SLACK_SIGNING_SECRET: undefined }),
      ...io,
      overrides: { noTimers: true, ...fast },
    });
    expect(code).toBe(1);
    expect(io.out.stderr.trim()).toBe(
      "hostops cannot start: SLACK_APP_TOKEN was rejected by Slack (invalid_auth): copy a valid token from the Slack app's settings into SLACK_APP_TOKEN.",
    );
  });

  it("Discord unreachable at start: retried while /readyz answers 503 naming discord; a signal ends it", async () => {
    const closed = await freePort(); // nothing listens there
    const port = await freePort();
    const abort = new AbortController();
    const starting = startHostops({
      config: loadConfig(
        discordEnv({ DISCORD_API_URL: `http://127.0.0.1:${closed}/api`, PORT: String(port) }),
      ),
      signal: abort.signal,
      overrides: { noTimers: true, ...fast },
    });
    await expect
      .poll(async () => (await readyz(port).catch(() => undefined))?.body.failing, { timeout: 10_000 })
      .toEqual(["discord"]);
    expect((await readyz(port)).status).toBe(503);
    abort.abort();
    await expect(starting).rejects.toBeInstanceOf(StartAborted);
  });

  it("Slack unreachable at start: retried with backoff while /readyz answers 503 naming slack", async () => {
    slack.down = true;
    const port = await freePort();
    const starting = startHostops({
      config: loadConfig(slackEnv({ PORT: String(port) })),
      overrides: { noTimers: true, ...fast },
    });
    await expect
      .poll(async () => (await readyz(port).catch(() => undefined))?.body.failing, { timeout: 10_000 })
      .toEqual(["slack"]);
    expect((await readyz(port)).status).toBe(503);
    const attempts = slack.calls.filter((c) => c.method === "auth.test").length;
    await expect
      .poll(() => slack.calls.filter((c) => c.method === "auth.test").length)
      .toBeGreaterThan(attempts);
    slack.down = false;
    const app = await starting;
    apps.push(app);
    expect(app.port).toBe(port);
    expect(await readyz(port)).toMatchObject({ status: 200, body: { status: "ready" } });
  });

  it("a signal while Slack is unreachable cancels the start cleanly", async () => {
    slack.down = true;
    const abort = new AbortController();
    const port = await freePort();
    const starting = startHostops({
      config: loadConfig(slackEnv({ PORT: String(port) })),
      signal: abort.signal,
      overrides: { noTimers: true, ...fast },
    });
    await expect.poll(() => slack.calls.some((c) => c.method === "auth.test")).toBe(true);
    abort.abort();
    await expect(starting).rejects.toBeInstanceOf(StartAborted);
    // Nothing is left listening on the port.
    await expect(fetch(`http://127.0.0.1:${port}/readyz`)).rejects.toThrow();
  });

  it("Discord's gateway dropping: /readyz 503 naming discord until it is back", async () => {
    const app = await startHostops({
      config: loadConfig(discordEnv()),
      overrides: { noTimers: true, ...fast },
    });
    apps.push(app);
    const port = app.port!;
    expect((await readyz(port)).status).toBe(200);
    discord.gatewayDown = true;
    discord.dropGateway();
    await expect
      .poll(async () => (await readyz(port)).body.failing, { timeout: 10_000 })
      .toEqual(["discord"]);
    expect((await readyz(port)).status).toBe(503);
    discord.gatewayDown = false;
    await expect.poll(async () => (await readyz(port)).status, { timeout: 30_000 }).toBe(200);
  });

  it("a wrong HOSTOPS_SECRET_KEY is refused at start, naming the variable and what to do", async () => {
    const first = await startHostops({
      config: loadConfig(slackEnv()),
      overrides: { noTimers: true, noHttpServer: true },
    });
    const provider = await startHostBillFake({ kind: "hostens" });
    try {
      await first.core.accounts.add({
        platform: "slack",
        workspaceId: "T1",
        label: "eu",
        kind: "hostens",
        baseUrl: provider.baseUrl,
        credentials: provider.credentials,
        createdBy: "U1",
      });
    } finally {
      await provider.close();
      await first.stop({ graceMs: 0 });
    }

    const io = memoryIo();
    const code = await start({
      argv: [],
      env: slackEnv({ HOSTOPS_SECRET_KEY: OTHER_KEY }),
      ...io,
      overrides: { noTimers: true },
    });
    expect(code).toBe(1);
    expect(io.out.stderr).toMatch(/^hostops cannot start: HOSTOPS_SECRET_KEY does not match/);
    expect(io.out.stderr).toContain("Set HOSTOPS_SECRET_KEY to the original key");
    expect(io.out.stderr).not.toContain(OTHER_KEY);

    // A database from before the check: the key that decrypts its oldest account is adopted,
    // another one refused.
    const again = await startHostops({
      config: loadConfig(slackEnv()),
      overrides: { noTimers: true, noHttpServer: true },
    });
    await again.db.db.delete(hostopsMeta);
    await again.stop({ graceMs: 0 });
    await expect(
      startHostops({
        config: loadConfig(slackEnv({ HOSTOPS_SECRET_KEY: OTHER_KEY })),
        overrides: { noTimers: true, noHttpServer: true },
      }),
    ).rejects.toBeInstanceOf(StartError);
    const right = await startHostops({
      config: loadConfig(slackEnv()),
      overrides: { noTimers: true, noHttpServer: true },
    });
    apps.push(right);
    expect(await right.db.db.select().from(hostopsMeta)).toHaveLength(1);
  });
});
