import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { auditLog, confirmationRequests } from "../../src/db/schema.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { PROVIDER_KINDS, type ProviderKind } from "../../src/providers/types.ts";
import { startHost4coinsFake } from "../fakes/providers/host4coins.ts";
import { startHostBillFake } from "../fakes/providers/hostbill.ts";
import { type HostkeyFake, startHostkeyFake } from "../fakes/providers/hostkey.ts";
import { startTheHostFake } from "../fakes/providers/thehost.ts";
import type { ProviderFake } from "../fakes/providers/types.ts";
import {
  buttonClick,
  type FakeSlack,
  type SlackCall,
  signedPost,
  slashCommand,
  startFakeSlack,
  viewSubmission,
} from "../fakes/slack.ts";
import { BOT_TOKEN, SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { once } from "../helpers/once.ts";

const ADMIN = "UADMIN1";
const CHANNEL = "C0LOGS";
/** Long and distinctive, so a match in the captured output cannot be a timestamp by chance. */
const PIN = "739148265013";
const SECRET_KEY = Buffer.alloc(32, 11).toString("base64");
const WRONG_PASSWORD = "wrong-Pa55-never-logged-4411";

/** The secret credential values of a fake (the non-secret ones, logins and usernames, may appear). */
const SECRET_FIELDS: Record<ProviderKind, string[]> = {
  host4coins: ["apiPublic", "apiPrivate"],
  hostens: ["password"],
  time4vps: ["password"],
  hostkey: ["apiKey"],
  thehost: ["password"],
  hostbill: ["password"],
};

/**
 * A full flow through the real Slack adapter with every kind of secret in play — bot token,
 * signing secret, credential key, provider passwords, API keys, authinfo=, a HOSTKEY PIN and a
 * session token — logged at trace level into a captured sink: none of them may show up there.
 */
describe("no secret reaches the logs in a full Slack flow", () => {
  let slack: FakeSlack;
  let app: Hostops;
  let events: string;
  const fakes = new Map<ProviderKind, ProviderFake>();
  const lines: string[] = [];

  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.admins.add(ADMIN);
    fakes.set("host4coins", await startHost4coinsFake());
    fakes.set("hostens", await startHostBillFake({ kind: "hostens" }));
    fakes.set("time4vps", await startHostBillFake({ kind: "time4vps" }));
    fakes.set("hostkey", await startHostkeyFake({ data: { pin: PIN } }));
    fakes.set("thehost", await startTheHostFake());
    fakes.set("hostbill", await startHostBillFake({ kind: "hostbill" }));
    app = await startHostops({
      config: testConfig({ SLACK_API_URL: slack.apiUrl, HOSTOPS_SECRET_KEY: SECRET_KEY }),
      log: createLogger({ level: "trace", sink: { write: (l) => lines.push(l) } }),
      overrides: {
        memoryDb: true,
        providerRetries: 0,
        slackProcessBeforeResponse: true,
        noTimers: true,
        taskPollMs: 1,
      },
    });
    events = `http://127.0.0.1:${app.port}/slack/events`;
  });
  afterAll(async () => {
    await app?.stop();
    for (const f of fakes.values()) await f.close();
    await slack?.close();
  });

  const post = (body: string) => signedPost(events, body, { secret: SIGNING_SECRET });
  const respondedTo = (responseUrl: string) =>
    slack.waitFor((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
  const command = async (text: string) => {
    const responseUrl = slack.responseUrl();
    await post(slashCommand(text, { user: ADMIN, channel: CHANNEL, responseUrl }));
    return respondedTo(responseUrl);
  };
  const viewOpenedAfter = (before: number) =>
    slack.waitFor((c) => c.method === "views.open" && slack.calls.indexOf(c) >= before);
  const lastCard = (): SlackCall =>
    [...slack.calls].reverse().find((c) => c.method === "chat.postMessage" && !c.body.thread_ts)!;
  const approveButton = (card: SlackCall) => {
    const actions = (
      card.body.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]
    ).find((b) => b.type === "actions");
    return actions!.elements!.find((e) => e.action_id.startsWith("confirm:approve"))!;
  };

  async function addThroughModal(kind: ProviderKind, credentials: Record<string, string>) {
    const before = slack.calls.length;
    await post(
      slashCommand(`accounts add ${kind}`, {
        user: ADMIN,
        channel: CHANNEL,
        responseUrl: slack.responseUrl(),
      }),
    );
    const open = await viewOpenedAfter(before);
    const view = open.body.view as { callback_id: string; private_metadata: string };
    const values: Record<string, string> = {
      label: `${kind}-main`,
      base_url: fakes.get(kind)!.baseUrl,
      display_name: "Acme Hosting",
    };
    for (const [k, v] of Object.entries(credentials)) values[`cred_${k}`] = v;
    const res = await post(viewSubmission(view, values, { user: ADMIN }));
    return (await res.json()) as { response_action: string; errors?: Record<string, string>; view?: unknown };
  }

  // The flow's steps, run once by whichever test needs them first (test/helpers/once.ts): the log
  // test needs all of them.
  const addAll = once(async () => {
    const wrong = await addThroughModal("time4vps", {
      username: "api@example.com",
      password: WRONG_PASSWORD,
    });
    expect(wrong.response_action).toBe("errors");
    for (const kind of PROVIDER_KINDS) {
      const ack = await addThroughModal(kind, fakes.get(kind)!.credentials);
      expect(ack.response_action, `${kind}: ${JSON.stringify(ack.errors)}`).toBe("update");
      expect(JSON.stringify((await command(`bind ${kind}-main`)).body)).toContain("Bound");
    }
  });
  const listAll = once(async () => {
    await addAll();
    return command("services");
  });

  it(
    "adds an account of every provider through the modal (and refuses a wrong password)",
    () => addAll(),
    60_000,
  );

  it("lists services of every account", async () => {
    const out = JSON.stringify((await listAll()).body);
    for (const kind of ["host4coins", "hostens", "time4vps", "hostkey"])
      expect(out).toContain(`${kind}-main`);
    expect(out).toContain("TheHost cannot list services");
  }, 60_000);

  const reboots = once(async () => {
    await addAll();
    await command("reboot 302 hostens-main");
    const card = lastCard();
    const approve = approveButton(card);
    const responseUrl = slack.responseUrl();
    await post(buttonClick(approve.action_id, approve.value, { user: ADMIN, channel: CHANNEL, responseUrl }));
    await respondedTo(responseUrl);
    await app.core.background.idle();
    const hostens = fakes.get("hostens")!;
    expect(hostens.count((r) => r.method === "POST" && /\/server\/302\/reboot$/.test(r.path))).toBe(1);

    const hostkey = fakes.get("hostkey") as HostkeyFake;
    const [server] = await app.core.accounts.driverFor(
      (await app.core.accounts.findByLabel("slack", "T1", "hostkey-main"))!,
    ).listServices!();
    await command(`reboot ${server!.id} hostkey-main`);
    const hkCard = lastCard();
    const hkApprove = approveButton(hkCard);
    // HOSTKEY's PIN is optional: the first approval goes without it, HOSTKEY refuses (this account
    // has one), nothing is done, and the same request then asks for the PIN.
    const firstUrl = slack.responseUrl();
    await post(
      buttonClick(hkApprove.action_id, hkApprove.value, {
        user: ADMIN,
        channel: CHANNEL,
        responseUrl: firstUrl,
      }),
    );
    expect(JSON.stringify((await respondedTo(firstUrl)).body)).toContain("rejected the PIN");
    const before = slack.calls.length;
    await post(
      buttonClick(hkApprove.action_id, hkApprove.value, {
        user: ADMIN,
        channel: CHANNEL,
        responseUrl: slack.responseUrl(),
      }),
    );
    const pinView = (await viewOpenedAfter(before)).body.view as {
      callback_id: string;
      private_metadata: string;
    };
    expect(pinView.callback_id).toBe("confirm:pin");
    const res = await post(viewSubmission(pinView, { pin: PIN }, { user: ADMIN }));
    expect(res.status).toBe(200);
    await app.core.background.idle();
    const [request] = await app.db.db
      .select()
      .from(confirmationRequests)
      .where(eq(confirmationRequests.id, hkApprove.value));
    expect(request!.status).toBe("succeeded");
    expect(hostkey.requests.some((r) => (r.body as Record<string, string>)?.pin === PIN)).toBe(true);
  });

  it("runs an approved reboot, and a HOSTKEY reboot approved with the PIN", () => reboots(), 60_000);

  it("wrote a log of the flow in which no secret appears, raw or encoded", async () => {
    for (const step of [addAll, listAll, reboots]) await step();
    // The sink is the redacting one: a secret logged on purpose comes out scrubbed.
    // (A PIN is a secret only while its call runs, so it is not part of the probe.)
    app.core.log.warn({ probe: `key ${fakes.get("hostens")!.credentials.password}` }, "redaction probe");
    expect(lines.at(-1)).toContain('"probe":"key [redacted]"');
    const log = lines.join("");
    // The flow was logged (a trace-level sink sees provider calls and commands), as JSON lines.
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();

    const secrets = [BOT_TOKEN, SIGNING_SECRET, SECRET_KEY, PIN, WRONG_PASSWORD];
    for (const [kind, fields] of Object.entries(SECRET_FIELDS))
      for (const f of fields) secrets.push(fakes.get(kind as ProviderKind)!.credentials[f]!);
    const thehost = fakes.get("thehost")!.credentials;
    secrets.push(`${thehost.login}:${thehost.password}`, encodeURIComponent(thehost.password!));
    // Session tokens HOSTKEY handed out during the flow.
    secrets.push(...(fakes.get("hostkey") as HostkeyFake).tokens.keys());
    expect(secrets.length).toBeGreaterThan(12);
    for (const s of secrets) {
      expect(s.length).toBeGreaterThanOrEqual(8);
      expect(log, `a secret (${s.slice(0, 3)}…) is in the log`).not.toContain(s);
      expect(log).not.toContain(JSON.stringify(s).slice(1, -1));
    }
    expect(log).not.toMatch(/authinfo=(?!\[redacted\])/i);

    // Nor in the audit log, which is written from the same flow.
    const audit = JSON.stringify(await app.db.db.select().from(auditLog));
    for (const s of secrets) expect(audit).not.toContain(s);
  }, 60_000);
});
