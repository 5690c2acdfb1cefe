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
    // View Channel 1<<10, Send Messages 1<<11, Embed Links 1<<14, Read Message History 1<<16.
    expect(url.searchParams.get("permissions")).toBe(String((1 << 10) | (1 << 11) | (1 << 14) | (1 << 16)));
    expect(BOT_PERMISSIONS).toBe(84992n);
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
  };
  it("exposes the CLI and the setup scripts", () => {
    expect(pkg.bin).toEqual({ hostops: "./bin/hostops.js" });
    expect(read("bin/hostops.js")).toMatch(/^#!\/usr\/bin\/env node/);
    expect(read("bin/hostops.js")).toContain('import("../src/cli.ts")');
    expect(pkg.scripts["discord:invite"]).toBe("tsx scripts/discord-invite.ts");
    expect(pkg.scripts["discord:register"]).toBe("tsx scripts/discord-register.ts");
    // The image runs the TypeScript with tsx: it must be a production dependency.
    expect(pkg.dependencies.tsx).toBeDefined();
  });

  it("the Dockerfile is multi-stage, production-only, non-root, with a /healthz health check", () => {
    const docker = read("Dockerfile");
    expect(docker.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(docker).toMatch(/npm ci --omit=dev/);
    expect(docker).toMatch(/COPY --from=deps \/app\/node_modules/);
    expect(docker).toMatch(/^USER node$/m);
    expect(docker).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(docker).toMatch(/^CMD \["node", "--import", "tsx", "src\/main\.ts"\]$/m);
    for (const dir of ["src", "migrations", "bin"]) expect(docker).toMatch(new RegExp(`^COPY ${dir} `, "m"));
  });

  it("compose runs Postgres and the bot with DATABASE_URL and HOSTOPS_SECRET_KEY from the environment", () => {
    const compose = read("docker-compose.yml");
    expect(compose).toMatch(/^ {2}postgres:\n\s+image: postgres:/m);
    expect(compose).toMatch(/^ {2}hostops:\n\s+build: \./m);
    expect(compose).toMatch(/DATABASE_URL: \$\{DATABASE_URL:-postgres:\/\/hostops:/);
    expect(compose).toMatch(/HOSTOPS_SECRET_KEY: \$\{HOSTOPS_SECRET_KEY:\?/);
    expect(compose).toMatch(/condition: service_healthy/);
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
