import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";
import { start } from "../../src/start.ts";
import { host4coinsDemoData } from "../fakes/providers/host4coins.ts";
import { hostbillDemoData } from "../fakes/providers/hostbill.ts";
import { HOSTKEY_FAKE_PIN, hostkeyDemoData } from "../fakes/providers/hostkey.ts";
import { cleanEnv, memoryIo, REPO, run } from "../helpers/process.ts";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "hostops-console-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The lines of `out` from the one starting with `header` up to the next account section or prompt. */
function section(out: string, header: string): string {
  const lines = out.split("\n");
  const i = lines.findIndex((l) => l.startsWith(header));
  if (i < 0) return "";
  const end = lines.findIndex((l, j) => j > i && (/^demo-\S+ \(/.test(l) || l.startsWith("hosting")));
  return lines.slice(i, end < 0 ? undefined : end).join("\n");
}

describe("the terminal console", () => {
  it("`npm start`'s entry (dist/main.js) with no chat platform runs a command script from stdin; exit 1 when a command failed", async () => {
    const dir = tempDir();
    const r = await run(process.execPath, [join(REPO, "dist/main.js")], {
      env: cleanEnv({ HOSTOPS_DATA_DIR: dir }),
      input: "help\n# a comment, skipped\n\nservices\n/hosting accounts list\nfrobnicate\n",
    });
    // `services` (nothing bound yet) and `frobnicate` failed: the script's status says so.
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("hostops: 2 of 4 commands failed");
    expect(r.stderr).toContain("no chat platform in use; running the /hosting commands read from stdin");
    // The first start says what takes its time, and where the data lives.
    expect(r.stderr).toContain(`hostops: preparing the embedded database in ${dir} (first start`);
    expect(r.stderr).toContain(join(dir, "secret.key"));
    // Log lines stay out of the conversation: they go to a file in the data dir.
    expect(r.stdout + r.stderr).not.toMatch(/"level":|WARN|INFO/);
    expect(readFileSync(join(dir, "console.log"), "utf8")).toContain('"msg":"command handled"');
    // A transcript: each command after the prompt, then its answer, in order.
    const at = (s: string) => r.stdout.indexOf(s);
    expect(at("hosting> help")).toBeGreaterThanOrEqual(0);
    expect(at("hostops commands")).toBeGreaterThan(at("hosting> help"));
    expect(at("hosting> services")).toBeGreaterThan(at("hostops commands"));
    expect(r.stdout).toContain("No provider account is bound to this channel");
    expect(r.stdout).toContain("No accounts yet");
    expect(r.stdout).toContain("Unknown command frobnicate.");
    // Blank lines and # comments are echoed but not run: the only unknown command is frobnicate.
    expect(r.stdout.match(/Unknown command/g)).toHaveLength(1);
    // The embedded database and its generated credential key are in the data dir.
    expect(existsSync(join(dir, "secret.key"))).toBe(true);
  }, 120_000);

  it("refuses bad start options with the usage", async () => {
    const io = memoryIo();
    expect(await start({ argv: ["--bind", "slack:T1:C1"], env: cleanEnv(), ...io })).toBe(2);
    expect(io.out.stderr).toContain("--bind is for the sandbox");
    const io2 = memoryIo();
    expect(await start({ argv: ["--nope"], env: cleanEnv(), ...io2 })).toBe(2);
    expect(io2.out.stderr).toContain("Usage: npm start");
  });
});

describe("the sandbox (`hostops sandbox`, same as npm start -- --sandbox)", () => {
  const script = [
    "services",
    // An approval is a second, explicit step: anything but "yes" leaves the request pending.
    "reboot 302 demo-hostens",
    "1",
    "no",
    "1",
    "yes",
    // HOSTKEY's PIN is optional: the first approval goes without it; this demo account has one, so
    // HOSTKEY refuses, nothing is done, and the same request asks for the PIN (a secret, not echoed).
    "reboot 34533 demo-hostkey",
    "1",
    "yes",
    "1",
    "yes",
    "9999",
    // A wrong PIN leaves the request waiting; a script gets one attempt per form, so approve again.
    "1",
    "yes",
    HOSTKEY_FAKE_PIN,
    // The two-person rule: the requester cannot approve a renewal (refused before "Type yes");
    // another local admin can.
    "renew 101 demo-host4coins",
    "1",
    ".as BOB",
    "1",
    "yes",
    "alerts run",
    "forecast",
    // A bound label where the OS goes is the account.
    "reinstall 302 demo-hostens",
    // Numbers press the buttons of the last command only.
    "frobnicate",
    "1",
  ].join("\n");
  // One sandbox run; each test below reads its part of the transcript.
  let out = "";
  let err = "";
  let code: number | undefined;
  beforeAll(async () => {
    const io = memoryIo(`${script}\n`);
    code = await runCli(["sandbox"], {
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      env: cleanEnv({ HOSTOPS_DATA_DIR: tempDir() }),
    });
    out = io.out.stdout;
    err = io.out.stderr;
  }, 180_000);

  it("starts the five provider simulators, binds the demo accounts and runs the script", () => {
    expect(err).toContain("hostops: starting the provider simulators and an in-memory database…");
    expect(err).toContain("sandbox, no chat platform in use");
    // The wrong PIN, the self-approval, `frobnicate` and the `1` after it failed.
    expect(err).toContain("hostops: 4 of 16 commands failed");
    expect(code).toBe(1);
  });

  it("`services` lists the demo services of every provider; TheHost answers that it cannot", () => {
    const ids = {
      "demo-host4coins (Host4Coins)": host4coinsDemoData().services.map((s) => String(s.id)),
      "demo-hostens (Hostens)": hostbillDemoData("hostens").services.map((s) => s.id),
      "demo-time4vps (Time4VPS)": hostbillDemoData("time4vps").services.map((s) => s.id),
      "demo-hostkey (HOSTKEY)": hostkeyDemoData().servers.map((s) =>
        String((s.show.server_data as { id: unknown }).id),
      ),
    };
    const services = out.slice(out.indexOf("hosting> services"), out.indexOf("hosting> reboot"));
    for (const [header, list] of Object.entries(ids)) {
      const part = section(services, header);
      expect(part, header).toContain(`${list.length} service(s)`);
      for (const id of list) expect(part, `${header} ${id}`).toMatch(new RegExp(`^\\s+${id}\\s`, "m"));
    }
    // TheHost only resells domains: its API has no services, and the console says so.
    expect(services).toContain("TheHost cannot list services from the API (account demo-thehost).");
  });

  it("turns the approval buttons into numbered choices and asks for an explicit yes", () => {
    const reboot = out.slice(out.indexOf("hosting> reboot 302"), out.indexOf("hosting> reboot 34533"));
    expect(reboot).toContain("[1] Approve  [2] Deny");
    expect(reboot).toContain("Type yes to approve: no\nNot approved; nothing was done.");
    expect(reboot).toContain("Type yes to approve: yes");
    expect(reboot).toContain("Approved. Reboot of server 302");
    // The outcome of the provider's task is posted in the card's thread before the console exits.
    expect(out).toContain("✅ Reboot succeeded: Reboot of server 302");
  });

  it("asks for the HOSTKEY PIN only once HOSTKEY wants it, as a hidden field, and takes a wrong PIN again", () => {
    const hk = out.slice(out.indexOf("hosting> reboot 34533"), out.indexOf("hosting> renew"));
    expect(hk).toContain("[1] Approve  [2] Deny");
    expect(hk).toContain("rejected the PIN");
    expect(hk).toContain("[1] Approve (PIN)  [2] Deny");
    expect(hk).toContain("HOSTKEY PIN (hidden, optional): (hidden)");
    expect(hk).not.toContain(HOSTKEY_FAKE_PIN);
    expect(hk).not.toContain("9999");
    expect(hk).not.toContain("Unknown command");
    expect(hk).toContain("HOSTKEY accepted the reboot of server 34533");
  });

  it("keeps the two-person rule: another local admin (.as BOB) approves a renewal", () => {
    const renew = out.slice(out.indexOf("hosting> renew"), out.indexOf("hosting (BOB)> alerts run"));
    // Checked before asking for the explicit yes.
    expect(renew).toContain(
      "hosting> 1\n⚠ Two-person rule: someone other than the requester must approve this.\nhosting> .as BOB",
    );
    expect(renew).toContain("Now acting as BOB");
    expect(renew).toMatch(/Approved by:\s+@BOB/);
    expect(renew).toContain("Host4Coins accepted the renewal");
  });

  it("posts the demo alerts: expiring services, an unpaid invoice and a low balance", () => {
    const alerts = out.slice(out.indexOf("hosting (BOB)> alerts run"));
    expect(alerts).toMatch(/Service web \(Linux VPS\) expires in 3 days/);
    expect(alerts).toMatch(/Invoice \S+ \([\d.]+ \w+\) is (unpaid|overdue)/);
    expect(alerts).toMatch(/Balance of demo-hostens is [\d.]+ USD, below the minimum/);
    expect(alerts).toMatch(/\[\d+\] Snooze/);
    expect(alerts).toMatch(/new alerts posted in this channel/);
  });

  it("`forecast` writes the chart to a PNG file, names it, and summarizes it in words", () => {
    const forecast = out.slice(
      out.indexOf("hosting (BOB)> forecast"),
      out.indexOf("hosting (BOB)> reinstall"),
    );
    expect(forecast).toMatch(/Forecast: \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/);
    expect(forecast).toMatch(/demo-hostens \(USD\): [\d.]+ today/);
    const path = /Picture saved to (\S+\.png)/.exec(forecast)?.[1] ?? "";
    const png = readFileSync(path);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(1200);
  });

  it("takes a bound label typed where the OS goes as the account, and says so", () => {
    const part = out.slice(out.indexOf("hosting (BOB)> reinstall"), out.indexOf("hosting (BOB)> frobnicate"));
    expect(part).toContain("Taking demo-hostens as the account (the same as --account demo-hostens).");
    expect(part).toContain("Hostens offers 3 operating systems for 302.");
  });

  it("numbered choices belong to the last command: after a failed one, 1 presses nothing", () => {
    const tail = out.slice(out.indexOf("hosting (BOB)> frobnicate"));
    expect(tail).toContain("⚠ Unknown command frobnicate. /hosting help lists the commands.");
    expect(tail).toContain(
      "hosting (BOB)> 1\n⚠ There is no button to press (1): the last command printed none.",
    );
  });
});
