import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import { outboundPolicy, setOutboundPolicy } from "../../src/providers/_shared/outbound.ts";
import { type HostkeyFake, startHostkeyFake } from "../fakes/providers/hostkey.ts";
import { type FakeSlack, signedPost, startFakeSlack, viewSubmission } from "../fakes/slack.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";
import { actorFor, coreWithHostens } from "./helpers.ts";

/**
 * The account form puts each failure on the field to correct: only a credential rejection on a
 * credential field; unreachable hosts, DNS, redirects, the address guard and answers that are not
 * the provider's API on the base URL field (which Slack, Discord and the console let the person
 * correct and resubmit).
 */

const initialPolicy = outboundPolicy();
afterEach(() => setOutboundPolicy(initialPolicy));

describe("account form errors land on the right field", () => {
  let env: Awaited<ReturnType<typeof coreWithHostens>>;
  let hostkey: HostkeyFake;
  let closedPort: number;
  let html: http.Server;
  beforeAll(async () => {
    env = await coreWithHostens();
    hostkey = await startHostkeyFake();
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    closedPort = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    html = http.createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end("<html><body>Welcome to our hosting!</body></html>");
    });
    await new Promise<void>((r) => html.listen(0, "127.0.0.1", r));
  });
  afterAll(async () => {
    await env.close();
    await hostkey.close();
    await new Promise<void>((r) => html.close(() => r()));
  });
  afterEach(() => hostkey.clearFaults());

  let n = 0;
  const submit = (baseUrl: string, apiKey = hostkey.credentials.apiKey!) =>
    env.app.dispatcher.modal(
      actorFor("UADMIN", { userIsPlatformAdmin: true }),
      "accounts:add",
      '{"kind":"hostkey"}',
      {
        label: `hk${++n}`,
        cred_apiKey: apiKey,
        base_url: baseUrl,
      },
    );
  const fieldOf = (out: Awaited<ReturnType<typeof submit>>) =>
    out.kind === "fieldErrors" ? Object.keys(out.errors) : [`(${out.kind})`];
  const textOf = (out: Awaited<ReturnType<typeof submit>>) =>
    out.kind === "fieldErrors" ? Object.values(out.errors).join(" ") : "";

  it("a credential rejection is on the credential field", async () => {
    const out = await submit(hostkey.baseUrl, hostkey.wrongCredentials.apiKey);
    expect(fieldOf(out)).toEqual(["cred_apiKey"]);
    expect(textOf(out)).toMatch(/HOSTKEY rejected the credentials/);
  });

  it("a redirect is on the base URL, naming where it pointed", async () => {
    hostkey.fault({ kind: "status", status: 302, headers: { location: "https://elsewhere.example/login" } });
    const out = await submit(hostkey.baseUrl);
    expect(fieldOf(out)).toEqual(["base_url"]);
    expect(textOf(out)).toMatch(/redirect to elsewhere\.example/);
  });

  it("a host that refuses connections is on the base URL", async () => {
    const out = await submit(`http://127.0.0.1:${closedPort}/`);
    expect(fieldOf(out)).toEqual(["base_url"]);
    expect(textOf(out)).toMatch(/Could not reach HOSTKEY \(ECONNREFUSED\)/);
  });

  it("a web page instead of the API is on the base URL", async () => {
    const out = await submit(`http://127.0.0.1:${(html.address() as AddressInfo).port}/`);
    expect(fieldOf(out)).toEqual(["base_url"]);
    expect(textOf(out)).toMatch(/HTML page.*Check the base URL/);
  });

  it("a name that does not resolve is on the base URL", async () => {
    const out = await submit("https://no-such-host.invalid/");
    expect(fieldOf(out)).toEqual(["base_url"]);
    expect(textOf(out)).toMatch(/host name was not found|Could not reach/);
  });

  it("the guard (a literal address) is on the base URL before anything is sent", async () => {
    setOutboundPolicy({ allowPrivate: [] });
    const before = hostkey.requests.length;
    const out = await submit(hostkey.baseUrl);
    expect(fieldOf(out)).toEqual(["base_url"]);
    expect(textOf(out)).toMatch(/The base URL points to a loopback address/);
    expect(hostkey.requests.length).toBe(before);
  });

  it("the guard (a name resolving to loopback) is on the base URL, nothing sent", async () => {
    setOutboundPolicy({ allowPrivate: [] });
    const before = hostkey.requests.length;
    const out = await submit(hostkey.baseUrl.replace("127.0.0.1", "localhost"));
    expect(fieldOf(out)).toEqual(["base_url"]);
    expect(textOf(out)).toMatch(/localhost is a loopback address/);
    expect(hostkey.requests.length).toBe(before);
  });

  it("a URL with a user name and password is on the base URL and not echoed", async () => {
    const out = await submit(hostkey.baseUrl.replace("http://", "http://me:hunter2@"));
    expect(fieldOf(out)).toEqual(["base_url"]);
    expect(textOf(out)).toMatch(/must not contain a user name or password/);
    expect(textOf(out)).not.toContain("hunter2");
  });

  it("in chat, an account whose base URL the guard now refuses says so and how to correct it", async () => {
    setOutboundPolicy({ allowPrivate: [] });
    const before = env.fake.requests.length;
    const out = await env.app.dispatcher.text(actorFor("UADMIN"), "balance");
    const text = out.kind === "reply" ? out.reply.text : "";
    expect(text).toMatch(/base URL points to a loopback address/);
    expect(text).toMatch(/accounts edit eu/);
    expect(env.fake.requests.length).toBe(before);
  });

  it("a credential the provider's rules refuse is on that credential field", async () => {
    const out = await env.app.dispatcher.modal(
      actorFor("UADMIN", { userIsPlatformAdmin: true }),
      "accounts:add",
      '{"kind":"thehost"}',
      { label: "th1", cred_login: "has:colon", cred_password: "pw-12345", base_url: "" },
    );
    expect(fieldOf(out)).toEqual(["cred_login"]);
  });
});

describe("Slack: the base URL error is shown on the modal's base URL field", () => {
  let slack: FakeSlack;
  let app: Hostops;
  let hostkey: HostkeyFake;
  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.admins.add("UADMIN");
    hostkey = await startHostkeyFake();
    app = await startHostops({
      config: testConfig({ SLACK_API_URL: slack.apiUrl }),
      overrides: { memoryDb: true, noTimers: true, slackProcessBeforeResponse: true, providerRetries: 0 },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await slack?.close();
    await hostkey?.close();
  });

  it("a redirect answers response_action errors keyed base_url, so the person corrects it in place", async () => {
    hostkey.fault({ kind: "status", status: 307, headers: { location: "https://other.example/" } });
    const res = await signedPost(
      `http://127.0.0.1:${app.port}/slack/events`,
      viewSubmission(
        {
          callback_id: "accounts:add",
          private_metadata: JSON.stringify({ c: "C1", s: '{"kind":"hostkey"}', x: [] }),
        },
        { label: "hk", cred_apiKey: hostkey.credentials.apiKey!, base_url: hostkey.baseUrl },
        { user: "UADMIN" },
      ),
      { secret: SIGNING_SECRET },
    );
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(Object.keys(body.errors)).toEqual(["base_url"]);
    expect(body.errors.base_url).toMatch(/redirect to other\.example/);
  });
});
