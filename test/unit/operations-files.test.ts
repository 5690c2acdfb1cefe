import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BOT_PERMISSIONS, discordInviteUrl } from "../../scripts/discord-invite.ts";
import { credentialEnvName } from "../../src/cli.ts";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("Slack app manifest", () => {
  const manifest = read("slack/manifest.yml");
  it("declares /hosting with escaped mentions, interactivity and the five bot scopes", () => {
    expect(manifest).toMatch(
      /slash_commands:\n\s+- command: \/hosting\n\s+url: https:\/\/YOUR-HOST\/slack\/events/,
    );
    expect(manifest).toMatch(/should_escape: true/);
    expect(manifest).toMatch(
      /interactivity:\n\s+is_enabled: true\n\s+request_url: https:\/\/YOUR-HOST\/slack\/events/,
    );
    const scopes = manifest
      .slice(manifest.indexOf("    bot:"))
      .split("\n")
      .slice(1)
      .map((l) => l.match(/^\s+- ([\w:.]+)/)?.[1])
      .filter(Boolean);
    expect(scopes.slice(0, 5)).toEqual([
      "commands",
      "chat:write",
      "chat:write.public",
      "files:write",
      "users:read",
    ]);
    expect(manifest).not.toMatch(/\t/);
  });
});

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

describe("package, Docker and compose", () => {
  const pkg = JSON.parse(read("package.json")) as {
    bin: Record<string, string>;
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    allowScripts?: Record<string, boolean>;
  };
  it("exposes the CLI and the setup scripts", () => {
    expect(pkg.bin).toEqual({ hostops: "./bin/hostops.js" });
    expect(read("bin/hostops.js")).toMatch(/^#!\/usr\/bin\/env node/);
    expect(read("bin/hostops.js")).toContain('import("../dist/cli.js")');
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

  it("the Dockerfile builds and checks in one stage and runs compiled code on pinned Node 24, non-root", () => {
    const docker = read("Dockerfile");
    expect(docker).toMatch(/^ARG NODE_IMAGE=node:24\.\d+\.\d+-[\w-]+$/m);
    expect(docker.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    // The builder fails on a type error or a Biome finding before it compiles.
    expect(docker).toMatch(/^RUN npm run typecheck && npm run check && npm run build/m);
    expect(docker).toMatch(/npm ci --omit=dev/);
    expect(docker).toMatch(/^COPY --from=deps \/app\/node_modules /m);
    expect(docker).toMatch(/^COPY --from=build \/src\/dist \.\/dist$/m);
    expect(docker).toMatch(/^COPY migrations /m);
    // The runtime stage holds no sources and no tests, and runs no tsx.
    const runtime = docker.slice(docker.lastIndexOf("\nFROM "));
    expect(runtime).not.toMatch(/^COPY (src|test|bench|\.) /m);
    expect(runtime).not.toContain("tsx");
    expect(runtime).toMatch(/^USER node$/m);
    // No anonymous volume: with Postgres nothing is written.
    expect(docker).not.toMatch(/^VOLUME /m);
    expect(docker).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(docker).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(docker).toContain("--read-only --tmpfs /tmp");
    expect(docker).toContain("--init");
  });

  it("compose: Postgres, init, a stop grace, log rotation, read-only, metrics on loopback only", () => {
    const compose = read("docker-compose.yml");
    expect(compose).toMatch(/^ {2}postgres:\n\s+image: postgres:/m);
    expect(compose).toMatch(/^ {2}hostops:\n\s+build: \./m);
    expect(compose).toMatch(/DATABASE_URL: \$\{DATABASE_URL:-postgres:\/\/hostops:/);
    expect(compose).toMatch(/HOSTOPS_SECRET_KEY: \$\{HOSTOPS_SECRET_KEY:\?/);
    expect(compose).toMatch(/condition: service_healthy/);
    const hostops = compose.slice(compose.indexOf("\n  hostops:"), compose.indexOf("\nvolumes:"));
    expect(hostops).toMatch(/^ {4}init: true$/m);
    expect(hostops).toMatch(/^ {4}stop_grace_period: \d+s$/m);
    expect(hostops).toMatch(/^ {4}read_only: true$/m);
    expect(hostops).toMatch(/^ {4}logging: \*logging$/m);
    expect(compose).toMatch(/max-size: "\d+m"\n\s+max-file: "\d+"/);
    // No data volume for the bot: its data is in Postgres.
    expect(hostops).not.toMatch(/^ {4}volumes:/m);
    // The metrics port is published on loopback only; the Slack port is the only public one.
    const published = [...hostops.matchAll(/^ {6}- "([^"]+)"$/gm)].map((m) => m[1]);
    const $ = "$";
    expect(published).toEqual([
      `${$}{HOSTOPS_HTTP_PORT:-3000}:3000`,
      `127.0.0.1:${$}{HOSTOPS_METRICS_PORT:-9464}:9464`,
    ]);
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
