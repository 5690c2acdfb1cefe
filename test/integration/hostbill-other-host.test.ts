import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { runCli } from "../../src/cli.ts";
import { loadConfig } from "../../src/config.ts";
import { PROVIDER_NAMES } from "../../src/providers/types.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { cleanEnv, memoryIo } from "../helpers/process.ts";

const SECRET_KEY = Buffer.alloc(32, 19).toString("base64");
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "hostops-hostbill-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const cli = async (argv: string[], env: NodeJS.ProcessEnv, input = "") => {
  const io = memoryIo(input);
  const code = await runCli(argv, { stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, env });
  return { code, ...io.out };
};

/**
 * A HostBill account under a custom name, end to end in the sandbox: the third HostBill simulator
 * is "Acme Hosting"; every read, an approved reboot and the alert scan name it so, never by the
 * generic kind name.
 */
describe("HostBill (other host) in the sandbox", () => {
  let out = "";
  const script = [
    "accounts list",
    "services demo-hostbill",
    "balance demo-hostbill",
    "invoices demo-hostbill --unpaid",
    "domains demo-hostbill",
    "reboot 302 demo-hostbill",
    "1",
    "yes",
    "alerts run",
  ].join("\n");

  // One sandbox run; each test below reads its part of the transcript.
  let run: { code: number; stdout: string; stderr: string };
  beforeAll(async () => {
    run = await cli(["sandbox"], cleanEnv({ HOSTOPS_DATA_DIR: tempDir() }), `${script}\n`);
    out = run.stdout;
  }, 180_000);

  it("runs the commands on demo-hostbill", () => {
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain(PROVIDER_NAMES.hostbill);
  });

  const part = (from: string, to?: string) =>
    out.slice(out.indexOf(`hosting> ${from}`), to ? out.indexOf(`hosting> ${to}`) : undefined);

  it("lists it as Acme Hosting", () => {
    expect(part("accounts list", "services")).toMatch(/demo-hostbill\s+Acme Hosting/);
  });

  it("shows its services, balance, unpaid invoices and domains", () => {
    const services = part("services demo-hostbill", "balance");
    expect(services).toContain("demo-hostbill (Acme Hosting)");
    expect(services).toContain("4 service(s)");
    expect(part("balance demo-hostbill", "invoices")).toMatch(/25\.50 GBP/);
    const invoices = part("invoices demo-hostbill", "domains");
    expect(invoices).toContain("308977");
    expect(invoices).toContain("308978");
    expect(part("domains demo-hostbill", "reboot")).toContain("testname.com");
  });

  it("runs an approved reboot through its API", () => {
    const reboot = part("reboot 302 demo-hostbill", "alerts run");
    expect(reboot).toContain("(Acme Hosting)");
    expect(reboot).toContain("Approved. Reboot of server 302");
  });

  it("alerts about it by its name", () => {
    const alerts = part("alerts run");
    expect(alerts).toContain("Acme Hosting");
    expect(alerts).toMatch(/Service web \(Linux VPS\) expires in 3 days/);
  });

  it("never shows the generic kind name", () => {
    expect(out).not.toContain(PROVIDER_NAMES.hostbill);
  });
});

/**
 * The admin CLI adds a HostBill account at a host without domains: base URL and name are
 * required, domains are detected as absent, and `domains` says so by the host's name.
 */
describe("HostBill (other host) from the admin CLI", () => {
  let provider: HostBillFake;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    provider = await startHostBillFake({ kind: "hostbill", domains: false });
    env = cleanEnv({ HOSTOPS_DATA_DIR: tempDir(), HOSTOPS_SECRET_KEY: SECRET_KEY });
  });
  afterAll(async () => {
    await provider?.close();
  });
  const creds = () => JSON.stringify(provider.credentials);

  it("requires the base URL and the provider name", async () => {
    const calls = provider.count();
    const noUrl = await cli(
      ["accounts", "add", "--provider", "hostbill", "--label", "x", "--name", "Acme Hosting"],
      env,
      creds(),
    );
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toMatch(/base_url: The API base URL is required/);
    const noName = await cli(
      ["accounts", "add", "--provider", "hostbill", "--label", "x", "--base-url", provider.baseUrl],
      env,
      creds(),
    );
    expect(noName.code).toBe(1);
    expect(noName.stderr).toMatch(/display_name: The provider's name/);
    const markup = await cli(
      [
        "accounts",
        "add",
        "--provider",
        "hostbill",
        "--label",
        "x",
        "--base-url",
        provider.baseUrl,
        "--name",
        "*Acme*",
      ],
      env,
      creds(),
    );
    expect(markup.code).toBe(1);
    expect(provider.count()).toBe(calls);
  }, 60_000);

  it("adds it after checking the credentials, detects no domains, and names it everywhere", async () => {
    const domainCalls = provider.count((r) => r.path === "/api/domain");
    const add = await cli(
      [
        "accounts",
        "add",
        "--provider",
        "hostbill",
        "--label",
        "acme",
        "--base-url",
        provider.baseUrl,
        "--name",
        "Acme Hosting",
      ],
      env,
      creds(),
    );
    expect(add.stderr).toBe("");
    expect(add.code).toBe(0);
    expect(add.stdout).toContain("Added Acme Hosting account acme");
    expect(provider.count((r) => r.path === "/api/domain")).toBe(domainCalls + 1);

    const all = await cli(["accounts", "list", "--all"], env);
    expect(all.stdout).toMatch(/acme\s+Acme Hosting \(hostbill\)\s+http/);

    const wrong = await cli(
      [
        "accounts",
        "add",
        "--provider",
        "hostbill",
        "--label",
        "acme2",
        "--base-url",
        provider.baseUrl,
        "--name",
        "Acme Hosting",
      ],
      env,
      JSON.stringify({ ...provider.credentials, password: "not-the-password-2718" }),
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("Acme Hosting rejected the credentials.");
  }, 60_000);
});

/**
 * Editing the account asks the API again: moved to a host with the domain routes, the account
 * gains the domain commands; the name can change, and every message follows it.
 */
describe("HostBill (other host): editing an account", () => {
  let app: Hostops;
  let without: HostBillFake;
  let withDomains: HostBillFake;
  beforeAll(async () => {
    without = await startHostBillFake({ kind: "hostbill", domains: false });
    withDomains = await startHostBillFake({ kind: "hostbill", domains: true });
    app = await startHostops({
      config: loadConfig({ PORT: "0", LOG_LEVEL: "silent" }),
      overrides: { memoryDb: true, noTimers: true, noHttpServer: true, providerRetries: 0 },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await without?.close();
    await withDomains?.close();
  });

  it("re-detects the domains and renames the provider", async () => {
    const accounts = app.core.accounts;
    const added = await accounts.add({
      platform: "console",
      workspaceId: "local",
      label: "acme",
      kind: "hostbill",
      baseUrl: without.baseUrl,
      displayName: "Acme Hosting",
      credentials: without.credentials,
      createdBy: "test",
    });
    expect(added.features).toEqual({ domains: false });
    expect(accounts.driverFor(added).capabilities.has("listDomains")).toBe(false);

    await accounts.updateCredentials(added, withDomains.credentials, withDomains.baseUrl, "Acme Cloud");
    const edited = (await accounts.findByLabel("console", "local", "acme"))!;
    expect(edited.displayName).toBe("Acme Cloud");
    expect(edited.features).toEqual({ domains: true });
    const driver = accounts.driverFor(edited);
    expect((await driver.listDomains!()).length).toBe(3);
    const err = (await accounts.driverFor(edited).getService!("abc").catch((e: unknown) => e)) as Error;
    expect(err.message).toContain("Acme Cloud");
  });

  it("refuses an account of this kind without a name, or with markup in it", async () => {
    for (const displayName of [null, "  ", "<!channel>", "*bold*", "x".repeat(41)])
      await expect(
        app.core.accounts.add({
          platform: "console",
          workspaceId: "local",
          label: "bad",
          kind: "hostbill",
          baseUrl: without.baseUrl,
          displayName,
          credentials: without.credentials,
          createdBy: "test",
        }),
      ).rejects.toThrow(/provider's name/);
  });
});
