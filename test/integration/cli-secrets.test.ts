import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import { providers } from "../../src/providers/registry.ts";
import { start } from "../../src/start.ts";
import { startHostkeyFake } from "../fakes/providers/hostkey.ts";
import type { ProviderFake } from "../fakes/providers/types.ts";
import { cleanEnv, memoryIo } from "../helpers/process.ts";

const SECRET_KEY = Buffer.alloc(32, 9).toString("base64");

/**
 * The CLI never echoes what might be a secret: argv ends up in terminals, scrollback and CI logs.
 * Credential fields given as flags are refused by name, stray arguments and long values are
 * named (cut to a few characters), and missing HOSTOPS_CRED_* variables are named.
 */
describe("the CLI and secrets on the command line", () => {
  const env = cleanEnv({ HOSTOPS_SECRET_KEY: SECRET_KEY });
  let hostkey: ProviderFake;
  beforeAll(async () => {
    hostkey = await startHostkeyFake();
  });
  afterAll(async () => {
    await hostkey.close();
  });

  const cli = async (argv: string[], input = "", extra: Record<string, string> = {}) => {
    const io = memoryIo(input);
    const code = await runCli(argv, {
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      env: { ...env, ...extra },
      overrides: { memoryDb: true },
    });
    return { code, out: io.out.stdout + io.out.stderr };
  };

  const SECRET = "Zq8-very-secret-value-4417";

  // Every provider's credential fields, spelled the ways a person might (from the registry, so a
  // new provider's fields are covered without touching this test).
  const spellings = Object.values(providers).flatMap((p) =>
    p.credentialFields.flatMap((f) => {
      const words = f.key
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .toLowerCase()
        .split(" ");
      return [words.join("-"), words.join("_"), words.join(""), f.key].map((s) => `--${s}`);
    }),
  );

  it.each([...new Set(spellings)])("%s is refused by name, the value never printed", async (flag) => {
    for (const argv of [
      ["accounts", "add", "--provider", "host4coins", "--label", "x", `${flag}=${SECRET}`],
      ["accounts", "add", "--provider", "host4coins", "--label", "x", flag, SECRET],
    ]) {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/credentials are never read from the command line/);
      expect(r.out).toContain(flag);
      expect(r.out).not.toContain(SECRET);
      expect(r.out).not.toContain(SECRET.slice(0, 8));
    }
  });

  it.each([
    ["a stray positional argument", ["accounts", "list", SECRET]],
    ["a second stray argument", ["grant", "--user", "U1", "--role", "viewer", "extra", SECRET]],
    ["an unknown command", [SECRET]],
    ["an unknown sub-command", ["accounts", SECRET]],
    ["an unknown option with a value", ["accounts", "list", `--${SECRET}=${SECRET}`]],
    ["a workspace that is not one", ["accounts", "list", "--workspace", SECRET]],
    [
      "an over-long value",
      ["accounts", "add", "--provider", "hostkey", "--label", `${SECRET}${"x".repeat(400)}`],
    ],
    ["the sandbox's own options", ["sandbox", "--bind", SECRET]],
    ["the sandbox's stray argument", ["console", SECRET]],
  ])("%s is named, not printed", async (_what, argv) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.out).not.toContain(SECRET);
    expect(r.out).not.toContain(SECRET.slice(0, 8));
  });

  it("says what was wrong with the arguments it does not print", async () => {
    expect((await cli(["accounts", "list", SECRET])).out).toMatch(
      /Unexpected argument "Zq8…" \(26 characters\)/,
    );
    expect((await cli(["accounts", "add", "--provider", "hostkey", "--label", "y".repeat(500)])).out).toMatch(
      /--label is 500 characters long; at most 300/,
    );
    // A typo of a command is still shown: it is a plain word.
    expect((await cli(["acounts", "list"])).out).toMatch(/Unknown command "acounts"/);
  });

  it("names the missing HOSTOPS_CRED_* variables", async () => {
    const some = await cli(["accounts", "add", "--provider", "host4coins", "--label", "h4c"], "", {
      HOSTOPS_CRED_API_PUBLIC: "pub-1234",
    });
    expect(some.code).toBe(2);
    expect(some.out).toMatch(/missing: HOSTOPS_CRED_API_PRIVATE/);
    const empty = await cli(["accounts", "add", "--provider", "host4coins", "--label", "h4c"], "", {
      HOSTOPS_CRED_API_PUBLIC: "pub-1234",
      HOSTOPS_CRED_API_PRIVATE: "",
    });
    expect(empty.out).toMatch(/missing: HOSTOPS_CRED_API_PRIVATE/);
    const none = await cli(["accounts", "add", "--provider", "host4coins", "--label", "h4c"], "");
    expect(none.out).toMatch(/HOSTOPS_CRED_API_PUBLIC and HOSTOPS_CRED_API_PRIVATE/);
  }, 180_000);

  it("a stdin key that is not a credential field is not printed whole", async () => {
    const r = await cli(
      ["accounts", "add", "--provider", "hostkey", "--label", "hk"],
      JSON.stringify({ apiKey: "k-1234", [SECRET]: "x" }),
    );
    expect(r.out).toMatch(/Unknown credential key/);
    expect(r.out).not.toContain(SECRET);
  }, 60_000);

  it("a base URL refused by the guard is named on its field, and nothing reaches the provider", async () => {
    const before = hostkey.requests.length;
    const r = await cli(
      ["accounts", "add", "--provider", "hostkey", "--label", "hk", "--base-url", hostkey.baseUrl],
      JSON.stringify(hostkey.credentials),
      { HOSTOPS_ALLOW_PRIVATE_PROVIDER_URLS: "0" },
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/base_url: The base URL points to a loopback address/);
    expect(hostkey.requests.length).toBe(before);
  }, 60_000);

  it("start's own argument errors do not print the argument either", async () => {
    const io = memoryIo("");
    const code = await start({
      argv: ["--bind", SECRET],
      env,
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
    });
    expect(code).toBe(2);
    expect(io.out.stderr).not.toContain(SECRET);
  });
});
