import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BOT_PERMISSIONS, discordInviteUrl } from "../../scripts/discord-invite.ts";
import { credentialEnvName } from "../../src/cli.ts";
import { CONFIG_DOCS, discordConfigured, loadConfig, slackConfigured } from "../../src/config.ts";
import { parseYaml, yamlAt } from "../helpers/yaml.ts";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

/**
 * Compose's variable substitution: `${VAR}`, `${VAR:-default}` (default when unset or empty) and
 * `${VAR:?message}` (an error when unset or empty), innermost first (defaults may hold variables).
 */
function interpolate(value: string, env: Record<string, string>): string {
  const inner = /\$\{(\w+)(?::([-?])([^${}]*))?\}/;
  let out = value;
  for (let m = inner.exec(out); m; m = inner.exec(out)) {
    const [whole, name = "", op, arg = ""] = m;
    const set = env[name] ? env[name] : undefined;
    if (op === "?" && set === undefined) throw new Error(arg);
    out = out.replace(whole, set ?? (op === "-" ? arg : ""));
  }
  return out;
}

describe("Discord invite", () => {
  it("asks for the bot and applications.commands scopes and the channel permissions the bot uses", () => {
    const url = new URL(discordInviteUrl("123456789012345678"));
    expect(url.origin + url.pathname).toBe("https://discord.com/oauth2/authorize");
    expect(url.searchParams.get("client_id")).toBe("123456789012345678");
    expect(url.searchParams.get("scope")).toBe("bot applications.commands");
    // View Channel 1<<10, Send Messages 1<<11, Embed Links 1<<14, Read Message History 1<<16,
    // Create Public Threads 1<<35, Send Messages in Threads 1<<38 (outcomes go in the card's thread).
    const expected = (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 16n) | (1n << 35n) | (1n << 38n);
    expect(url.searchParams.get("permissions")).toBe(String(expected));
    expect(BOT_PERMISSIONS).toBe(309237730304n);
    expect(new URL(discordInviteUrl("123456789012345678", "99999999")).searchParams.get("guild_id")).toBe(
      "99999999",
    );
    expect(() => discordInviteUrl("not-an-id")).toThrow(/numeric/);
  });
});

describe("package and compose", () => {
  const pkg = JSON.parse(read("package.json")) as {
    bin: Record<string, string>;
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    allowScripts?: Record<string, boolean>;
  };
  it("exposes the CLI and the setup scripts", () => {
    // The bin runs: test/integration/cli.test.ts (node bin/hostops.js) and test/lifecycle/image.test.ts
    // (through its #! line, from the PATH, as the image links it).
    expect(pkg.bin).toEqual({ hostops: "./bin/hostops.js" });
    expect(pkg.scripts["discord:invite"]).toBe("tsx scripts/discord-invite.ts");
    expect(pkg.scripts["discord:register"]).toBe("tsx scripts/discord-register.ts");
  });

  it("runs compiled JavaScript: npm start is node on dist/main.js, tsx is for development only", () => {
    // No npm -> sh -> tsx -> node chain: the shell execs node, so a signal to `npm start` reaches
    // the process that serves (test/lifecycle/npm-start.test.ts).
    expect(pkg.scripts.start).toBe("exec node dist/main.js");
    expect(pkg.scripts.build).toBe("node scripts/build.mjs");
    // `npm install && npm start` on a fresh clone: the install builds dist/.
    expect(pkg.scripts.prepare).toBe("node scripts/build.mjs");
    expect(pkg.scripts.dev).toMatch(/^tsx watch src\/main\.ts/);
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
    // npm 11 runs no dependency install script unless allowed: esbuild's (tsx, drizzle-kit, vitest) is.
    expect(pkg.allowScripts).toEqual({ esbuild: true });
    const build = JSON.parse(read("tsconfig.build.json")) as { compilerOptions: Record<string, unknown> };
    expect(build.compilerOptions).toMatchObject({
      rewriteRelativeImportExtensions: true,
      outDir: "dist",
      rootDir: "src",
      noEmit: false,
    });
  });

  it("compose: Postgres, init, a stop grace, log rotation, read-only, metrics on loopback only", () => {
    const compose = parseYaml(read("docker-compose.yml"));
    const postgres = yamlAt(compose, "services", "postgres");
    const hostops = yamlAt(compose, "services", "hostops") as Record<string, unknown>;
    expect(yamlAt(postgres, "image")).toMatch(/^postgres:/);
    expect(yamlAt(postgres, "healthcheck", "test")).toEqual(
      expect.arrayContaining([expect.stringMatching(/pg_isready/)]),
    );
    expect(hostops).toMatchObject({
      build: ".",
      init: true,
      read_only: true,
      depends_on: { postgres: { condition: "service_healthy" } },
    });
    // Compose waits longer than hostops's own shutdown grace before it kills.
    const grace = /^(\d+)s$/.exec(String(hostops.stop_grace_period));
    expect(Number(grace?.[1]) * 1000).toBeGreaterThan(loadConfig({}).HOSTOPS_SHUTDOWN_GRACE_MS);
    // Both services rotate their logs (the x-logging anchor).
    const logging = yamlAt(compose, "x-logging");
    expect(logging).toEqual({
      driver: "json-file",
      options: { "max-size": expect.stringMatching(/^\d+m$/), "max-file": expect.stringMatching(/^\d+$/) },
    });
    expect(hostops.logging).toEqual(logging);
    expect(yamlAt(postgres, "logging")).toEqual(logging);
    // No data volume for the bot: its data is in Postgres.
    expect(hostops.volumes).toBeUndefined();
    // The metrics port is published on loopback only; the Slack port is the only public one.
    const $ = "$";
    expect(hostops.ports).toEqual([
      `${$}{HOSTOPS_HTTP_PORT:-3000}:3000`,
      `127.0.0.1:${$}{HOSTOPS_METRICS_PORT:-9464}:9464`,
    ]);
  });

  it("compose: the bot's environment is a configuration hostops accepts, on the compose Postgres, and it needs the key", () => {
    const environment = yamlAt(parseYaml(read("docker-compose.yml")), "services", "hostops", "environment");
    const vars = Object.entries(environment as Record<string, string>);
    // Every variable is one hostops reads (a misspelt name would be ignored silently).
    const known = new Set(CONFIG_DOCS.map((d) => d.name));
    expect(vars.map(([name]) => name).filter((name) => !known.has(name))).toEqual([]);
    // As compose resolves it from a .env with nothing but the required key.
    const key = Buffer.alloc(32, 3).toString("base64");
    const config = loadConfig(
      Object.fromEntries(vars.map(([k, v]) => [k, interpolate(v, { HOSTOPS_SECRET_KEY: key })])),
    );
    expect(config.DATABASE_URL).toBe("postgres://hostops:hostops@postgres:5432/hostops");
    expect(config.HOSTOPS_SECRET_KEY).toBe(key);
    // The empty defaults of the chat variables read as "not set": compose up starts the console.
    expect(slackConfigured(config) || discordConfigured(config)).toBe(false);
    expect(() => vars.map(([, v]) => interpolate(v, {}))).toThrow(/set HOSTOPS_SECRET_KEY/);
  });
});

describe("CLI credential variables", () => {
  it.each([
    ["cred_username", "HOSTOPS_CRED_USERNAME"],
    ["cred_apiPublic", "HOSTOPS_CRED_API_PUBLIC"],
    ["cred_apiKey", "HOSTOPS_CRED_API_KEY"],
    ["cred_login", "HOSTOPS_CRED_LOGIN"],
  ])("%s is read from %s", (field, name) => {
    expect(credentialEnvName(field)).toBe(name);
  });
});
