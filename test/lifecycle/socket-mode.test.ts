import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { type Hostops, startHostops } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.ts";
import { BOT_TOKEN } from "../helpers/config.ts";
import { freshPostgres } from "../helpers/db.ts";

const APP_TOKEN = "xapp-1-A111-2222-socketmodetesttoken";
const CHANNEL = "C0SOCKET";
const USER = "U0SOCKET";

/**
 * Slack in Socket Mode, offline: the fake Web API hands out the URL of a local `ws` server that
 * speaks the envelope protocol (hello, envelopes, acks), and can drop the connection.
 */
describe("Slack Socket Mode against a fake Socket Mode server (Postgres)", () => {
  let slack: FakeSlack;
  let wss: WebSocketServer;
  let app: Hostops;
  let drop: () => Promise<void>;
  const sockets: WebSocket[] = [];
  const acks: { envelope_id: string; payload?: unknown }[] = [];
  const logs: string[] = [];
  let envelopes = 0;

  const readyz = async () => {
    const res = await fetch(`http://127.0.0.1:${app.port}/readyz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const current = () => {
    const s = sockets.at(-1);
    if (!s) throw new Error("no Socket Mode connection");
    return s;
  };
  /** Sends an envelope on the live connection and resolves with the client's ack. */
  const envelope = async (type: string, payload: unknown) => {
    const id = `env-${++envelopes}`;
    current().send(JSON.stringify({ envelope_id: id, type, accepts_response_payload: true, payload }));
    await expect.poll(() => acks.some((a) => a.envelope_id === id)).toBe(true);
    return id;
  };

  beforeAll(async () => {
    slack = await startFakeSlack();
    wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise((r) => wss.once("listening", r));
    wss.on("connection", (ws) => {
      sockets.push(ws);
      ws.on("message", (raw) => acks.push(JSON.parse(raw.toString())));
      ws.send(
        JSON.stringify({
          type: "hello",
          num_connections: 1,
          debug_info: { host: "fake", approximate_connection_time: 3600 },
          connection_info: { app_id: "A1" },
        }),
      );
    });
    slack.socketUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
    const pg = await freshPostgres("socketmode");
    drop = pg.drop;
    app = await startHostops({
      config: loadConfig({
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: slack.apiUrl,
        DATABASE_URL: pg.url,
        HOSTOPS_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
        PORT: "0",
      }),
      log: createLogger({ level: "debug", sink: { write: (l) => logs.push(l) } }),
      overrides: { noTimers: true },
    });
  });
  afterAll(async () => {
    await app?.stop({ graceMs: 0 });
    for (const s of wss?.clients ?? []) s.terminate();
    await new Promise((r) => wss?.close(r));
    await slack?.close();
    await drop?.();
  });

  it("connects with the app token (hello) and reports ready", async () => {
    const open = slack.calls.find((c) => c.method === "apps.connections.open");
    expect(open?.auth).toBe(`Bearer ${APP_TOKEN}`);
    expect(await readyz()).toEqual({
      status: 200,
      body: { status: "ready", database: true, platforms: { slack: true } },
    });
  });

  it("acks a slash command envelope and answers it on its response_url", async () => {
    const responseUrl = slack.responseUrl("socket-cmd");
    const id = await envelope("slash_commands", {
      command: "/hosting",
      text: "help",
      team_id: "T1",
      user_id: USER,
      user_name: "socket",
      channel_id: CHANNEL,
      trigger_id: "trig-socket-1",
      response_url: responseUrl,
      api_app_id: "A1",
    });
    expect(acks.find((a) => a.envelope_id === id)).toBeDefined();
    const reply = await slack.waitFor((c) => c.method === "response:socket-cmd");
    expect(JSON.stringify(reply.body)).toContain("/hosting");
    // The command's log line carries the trigger id and the duration.
    const line = logs
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === "command handled" && l.requestId === "trig-socket-1");
    expect(line).toMatchObject({ command: "help", platform: "slack" });
    expect(typeof line.ms).toBe("number");
  });

  it("acks an interactive envelope (a button) and answers it", async () => {
    const responseUrl = slack.responseUrl("socket-click");
    await envelope("interactive", {
      type: "block_actions",
      team: { id: "T1" },
      user: { id: USER, name: "socket", team_id: "T1" },
      api_app_id: "A1",
      channel: { id: CHANNEL },
      container: { type: "message", channel_id: CHANNEL, message_ts: "1.1" },
      trigger_id: "trig-socket-2",
      response_url: responseUrl,
      actions: [
        {
          type: "button",
          action_id: "confirm:deny",
          block_id: "b1",
          value: "00000000-0000-4000-8000-000000000000",
          action_ts: "1",
        },
      ],
    });
    const reply = await slack.waitFor((c) => c.method === "response:socket-click");
    expect(JSON.stringify(reply.body)).toContain("does not exist");
  });

  it("the server drops the connection: /readyz 503 naming slack, then the client reconnects", async () => {
    const opened = slack.calls.filter((c) => c.method === "apps.connections.open").length;
    const connections = sockets.length;
    current().terminate();
    await expect.poll(async () => (await readyz()).body.failing).toEqual(["slack"]);
    expect((await readyz()).status).toBe(503);
    // The client asks for a new URL and connects again (after its reconnect delay, about 5 s).
    await expect.poll(() => sockets.length, { timeout: 15_000 }).toBe(connections + 1);
    expect(slack.calls.filter((c) => c.method === "apps.connections.open").length).toBeGreaterThan(opened);
    await expect.poll(async () => (await readyz()).status, { timeout: 5_000 }).toBe(200);
    // Commands work on the new connection.
    const responseUrl = slack.responseUrl("socket-after");
    await envelope("slash_commands", {
      command: "/hosting",
      text: "help",
      team_id: "T1",
      user_id: USER,
      channel_id: CHANNEL,
      trigger_id: "trig-socket-3",
      response_url: responseUrl,
      api_app_id: "A1",
    });
    await slack.waitFor((c) => c.method === "response:socket-after");
  });

  it("Bolt's and the Socket Mode client's own lines come through pino as JSON, tagged source=slack", () => {
    const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBe(logs.length); // every line is JSON
    const fromSlack = lines.filter((l) => l.source === "slack");
    expect(fromSlack.length).toBeGreaterThan(0);
    expect(logs.join("\n")).not.toContain(APP_TOKEN);
    expect(logs.join("\n")).not.toContain(BOT_TOKEN);
  });
});
