import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { type FakeDiscord, startFakeDiscord } from "../fakes/discord.ts";
import { freshPostgres } from "../helpers/db.ts";
import { cleanEnv, run } from "../helpers/process.ts";

/** A process that installs the lifecycle as main does, then fails the way `kind` says. */
const crashScript = (kind: "rejection" | "exception") => `
import { installProcessLifecycle } from "./src/lifecycle/process.ts";
import { createLogger } from "./src/observability/logger.ts";
import { registerSecret } from "./src/observability/secrets.ts";
const lifecycle = installProcessLifecycle({ crashHandlers: true });
lifecycle.useLogger(createLogger({ level: "info" }));
registerSecret("s3cr3t-value-123");
setTimeout(() => {
  ${kind === "rejection" ? 'Promise.reject(new Error("lost promise s3cr3t-value-123"));' : 'throw new Error("thrown s3cr3t-value-123");'}
}, 10);
setTimeout(() => {}, 5_000);
`;

describe("one log stream", () => {
  for (const kind of ["rejection", "exception"] as const)
    it(`an unhandled ${kind} is logged through pino (JSON, scrubbed) and the process exits 1`, async () => {
      const ran = await run(
        process.execPath,
        ["--import", "tsx", "--input-type=module", "-e", crashScript(kind)],
        {
          env: cleanEnv(),
        },
      );
      expect(ran.code).toBe(1);
      const lines = ran.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message: string } });
      const fatal = lines.find((l) => l.level === 60);
      expect(fatal?.msg).toBe(kind === "rejection" ? "unhandled promise rejection" : "uncaught exception");
      expect(fatal?.err?.message).toContain("[redacted]");
      expect(ran.stdout + ran.stderr).not.toContain("s3cr3t-value-123");
      expect(ran.stderr).toBe("");
    });

  describe("Discord", () => {
    let discord: FakeDiscord;
    let app: Hostops;
    const logs: string[] = [];
    let drop: () => Promise<void>;
    beforeAll(async () => {
      discord = await startFakeDiscord();
      const pg = await freshPostgres("logs");
      drop = pg.drop;
      app = await startHostops({
        config: loadConfig({
          PORT: "0",
          DATABASE_URL: pg.url,
          HOSTOPS_SECRET_KEY: Buffer.alloc(32, 3).toString("base64"),
          DISCORD_TOKEN: "discord-bot-token-for-tests-0123456789",
          DISCORD_APPLICATION_ID: discord.appId,
          DISCORD_GUILD_ID: discord.guildId,
          DISCORD_API_URL: discord.restBase,
        }),
        log: createLogger({ level: "debug", sink: { write: (l) => logs.push(l) } }),
        overrides: { noTimers: true },
      });
    });
    afterAll(async () => {
      await app?.stop({ graceMs: 0 });
      await discord?.close();
      await drop?.();
    });

    it("each interaction's log line carries the interaction id and its duration; discord.js's own lines are JSON", async () => {
      const i = discord.slash(["help"]);
      await discord.waitForCall((c) => c.path.includes(i.token));
      const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
      const line = lines.find((l) => l.msg === "command handled" && l.requestId === i.id);
      expect(line).toMatchObject({ platform: "discord", command: "help" });
      expect(typeof line?.ms).toBe("number");
      expect(lines.some((l) => l.msg === "discord debug" && l.platform === "discord")).toBe(true);
      expect(logs.join("\n")).not.toContain("discord-bot-token-for-tests-0123456789");
    });
  });
});
