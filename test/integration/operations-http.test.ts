import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hostops, startHostops } from "../../src/app.ts";
import type { Database } from "../../src/db/client.ts";
import { findRoute, operationalRoutes } from "../../src/http/routes.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { buttonClick, type FakeSlack, signedPost, slashCommand, startFakeSlack } from "../fakes/slack.ts";
import { SIGNING_SECRET, testConfig } from "../helpers/config.ts";

const ADMIN = "UADMIN1";
const CHANNEL = "C0METRICS";

/** The sum of the samples of `name` (Prometheus text format) whose labels include `labels`; 0 when none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = line.match(/^(\w+)(?:\{([^}]*)\})?\s+(\S+)$/);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

describe("health and readiness on the Slack port, metrics on a loopback port of their own", () => {
  let slack: FakeSlack;
  let provider: HostBillFake;
  let app: Hostops;
  let base: string;
  let metricsBase: string;

  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.admins.add(ADMIN);
    provider = await startHostBillFake({ kind: "hostens" });
    app = await startHostops({
      config: testConfig({ SLACK_API_URL: slack.apiUrl, METRICS_PORT: "0" }),
      overrides: { memoryDb: true, providerRetries: 0, slackProcessBeforeResponse: true, noTimers: true },
    });
    base = `http://127.0.0.1:${app.port}`;
    metricsBase = `http://127.0.0.1:${app.metrics?.port}`;
    const account = await app.core.accounts.add({
      platform: "slack",
      workspaceId: "T1",
      label: "eu",
      kind: "hostens",
      baseUrl: provider.baseUrl,
      credentials: provider.credentials,
      createdBy: ADMIN,
    });
    await app.core.accounts.bind(account, CHANNEL, ADMIN);
  });
  afterAll(async () => {
    await app?.stop();
    await provider?.close();
    await slack?.close();
  });

  const metrics = async () => {
    const res = await fetch(`${metricsBase}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };
  const command = async (text: string) => {
    const responseUrl = slack.responseUrl();
    const res = await signedPost(
      `${base}/slack/events`,
      slashCommand(text, { user: ADMIN, channel: CHANNEL, responseUrl }),
      { secret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    return slack.waitFor((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
  };

  it("/healthz answers 200 while the process is up", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("/readyz answers 200 with the database and each configured chat platform", async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", database: true, platforms: { slack: true } });
  });

  it("paths match exactly: a trailing slash or a longer path is not a route", async () => {
    for (const path of ["/healthz/", "/readyz/", "/healthz/x", "/healthzz"])
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    for (const path of ["/metrics/", "/metrics/x", "/metricsx", "/"])
      expect((await fetch(`${metricsBase}${path}`)).status, path).toBe(404);
    expect((await fetch(`${metricsBase}/metrics?x=1`)).status).toBe(200);
  });

  it("/metrics is not served on the public port, and the metrics listener serves nothing else", async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${metricsBase}/healthz`)).status).toBe(404);
    // METRICS_HOST defaults to loopback: nothing outside the machine (or container) reaches it.
    expect(app.metrics?.address).toBe("127.0.0.1");
  });

  it("/metrics serves the Prometheus text format with the hostops metrics", async () => {
    const res = await fetch(`${metricsBase}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of [
      "hostops_commands_total",
      "hostops_provider_call_seconds",
      "hostops_alerts_posted_total",
      "hostops_confirmation_requests",
    ])
      expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain("# TYPE hostops_provider_call_seconds histogram");
    expect(text).toContain("process_cpu_seconds_total");
  });

  it("counts a command by name and outcome, and its provider calls with their latency", async () => {
    const before = await metrics();
    await command("services");
    await command("grant nobody superuser");
    const after = await metrics();
    const ok = { command: "services", outcome: "ok", platform: "slack" };
    expect(sample(after, "hostops_commands_total", ok)).toBe(
      sample(before, "hostops_commands_total", ok) + 1,
    );
    const invalid = { command: "grant", outcome: "invalid", platform: "slack" };
    expect(sample(after, "hostops_commands_total", invalid)).toBe(
      sample(before, "hostops_commands_total", invalid) + 1,
    );
    const calls = (t: string) =>
      sample(t, "hostops_provider_call_seconds_count", { provider: "hostens", outcome: "ok" });
    expect(calls(after)).toBeGreaterThan(calls(before));
    // A latency histogram: buckets up to +Inf and a sum of seconds.
    expect(sample(after, "hostops_provider_call_seconds_bucket", { provider: "hostens", le: "+Inf" })).toBe(
      sample(after, "hostops_provider_call_seconds_count", { provider: "hostens" }),
    );
    expect(sample(after, "hostops_provider_call_seconds_sum", { provider: "hostens" })).toBeGreaterThan(0);
  });

  it("shows confirmation requests by state, pending and then succeeded", async () => {
    await command("reboot 302 eu");
    const pending = await metrics();
    expect(sample(pending, "hostops_confirmation_requests", { state: "pending" })).toBe(1);
    const card = [...slack.calls].reverse().find((c) => c.method === "chat.postMessage")!;
    const approve = (
      card.body.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]
    )
      .find((b) => b.type === "actions")!
      .elements!.find((e) => e.action_id.startsWith("confirm:approve"))!;
    const responseUrl = slack.responseUrl();
    await signedPost(
      `${base}/slack/events`,
      buttonClick(approve.action_id, approve.value, { user: ADMIN, channel: CHANNEL, responseUrl }),
      { secret: SIGNING_SECRET },
    );
    await slack.waitFor((c) => c.method === `response:${responseUrl.split("/response/")[1]}`);
    await app.core.background.idle();
    const done = await metrics();
    expect(sample(done, "hostops_confirmation_requests", { state: "pending" })).toBe(0);
    expect(
      sample(done, "hostops_confirmation_requests", { state: "succeeded" }) +
        sample(done, "hostops_confirmation_requests", { state: "executing" }),
    ).toBe(1);
  });

  it("counts the alerts posted", async () => {
    const total = (t: string) => sample(t, "hostops_alerts_posted_total");
    const before = total(await metrics());
    const out = await command("alerts run");
    expect(JSON.stringify(out.body)).toMatch(/[1-9]\d* new alerts? posted/);
    expect(total(await metrics())).toBeGreaterThan(before);
  });
});

describe("without Slack's HTTP receiver (Socket Mode, Discord only)", () => {
  let app: Hostops;
  beforeAll(async () => {
    app = await startHostops({
      config: testConfig({ SLACK_BOT_TOKEN: undefined, SLACK_SIGNING_SECRET: undefined }),
      overrides: { memoryDb: true, noTimers: true, listenHost: "127.0.0.1" },
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("serves /healthz and /readyz on a server of its own, exact paths only, and no metrics without METRICS_PORT", async () => {
    const base = `http://127.0.0.1:${app.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    for (const path of ["/healthz/", "/readyz/x", "/metrics"])
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    expect(app.metrics).toBeUndefined();
  });
});

describe("/readyz when something is down", () => {
  let server: http.Server;
  let dbUp = true;
  let platforms: Record<string, boolean> = {};
  beforeAll(async () => {
    const db = {
      ping: async () => {
        if (!dbUp) throw new Error("connection refused");
      },
    } as unknown as Database;
    const routes = operationalRoutes({ db, platforms: () => platforms });
    server = http.createServer(async (req, res) => {
      const r = findRoute(routes, req.url, req.method);
      if (r) await r.handler(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });
  const readyz = async () => {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`);
    return { status: res.status, body: await res.json() };
  };

  it("answers 503 when the database does not answer", async () => {
    dbUp = false;
    platforms = { slack: true };
    expect(await readyz()).toEqual({
      status: 503,
      body: { status: "not ready", failing: ["database"], database: false, platforms: { slack: true } },
    });
  });

  it("answers 503 when a configured chat platform is not connected, 200 when all are", async () => {
    dbUp = true;
    platforms = { slack: true, discord: false };
    expect(await readyz()).toMatchObject({ status: 503, body: { failing: ["discord"] } });
    platforms = { slack: true, discord: true };
    expect(await readyz()).toEqual({
      status: 200,
      body: { status: "ready", database: true, platforms: { slack: true, discord: true } },
    });
  });
});
