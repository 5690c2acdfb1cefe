import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local fake of the Slack Web API and of response_url, plus a signer for requests to the bot.
 * Web API calls arrive form-encoded with `blocks`/`view` as JSON strings (as the real client sends them).
 */
export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  auth?: string;
  at: number;
}

/** A workspace the fake knows: the bot token an install of it yields, and who that token is. */
export interface FakeWorkspace {
  teamId: string;
  teamName: string;
  botToken: string;
  botUserId: string;
  botId: string;
  /** Who clicked "Allow". */
  installerUserId?: string;
}

export interface FakeSlack {
  apiUrl: string;
  origin: string;
  calls: SlackCall[];
  /** Users the fake reports as workspace admins (users.info). */
  admins: Set<string>;
  /** Lifecycle tests: auth.test fails with this error (e.g. "invalid_auth": a revoked token). */
  authError?: string;
  /** Lifecycle tests: apps.connections.open fails with this error (a revoked app token). */
  appTokenError?: string;
  /** Lifecycle tests: every Web API call answers 503 (Slack unreachable). */
  down: boolean;
  /** Socket Mode: the WebSocket URL apps.connections.open hands out. */
  socketUrl?: string;
  /** The app's OAuth credentials the fake accepts at oauth.v2.access. */
  clientId: string;
  clientSecret: string;
  /**
   * What Slack does when a person clicks "Allow": a one-time code for this workspace (to put in
   * the redirect to /slack/oauth_redirect). oauth.v2.access exchanges it once for the bot token.
   */
  issueCode(workspace: FakeWorkspace): string;
  /** The token stops working (uninstall, revocation): every call with it answers token_revoked. */
  revokeToken(token: string): void;
  /** Files received by the upload step (file id -> bytes, from the PNG signature on when there is one). */
  uploads: Map<string, Buffer>;
  responseUrl(id?: string): string;
  /** Resolves with the first call (past or future) that matches. */
  waitFor(pred: (c: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall>;
  responses(): SlackCall[];
  close(): Promise<void>;
}

let tsCounter = 1_700_000_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export async function startFakeSlack(
  opts: { clientId?: string; clientSecret?: string } = {},
): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const admins = new Set<string>();
  const clientId = opts.clientId ?? "1234567890.1234567890";
  const clientSecret = opts.clientSecret ?? "fake-client-secret-5c1a";
  /** code -> workspace, until exchanged (a code works once, like Slack's). */
  const codes = new Map<string, FakeWorkspace>();
  const byToken = new Map<string, FakeWorkspace>();
  const revoked = new Set<string>();
  let codeCounter = 0;
  const uploads = new Map<string, Buffer>();
  const waiters: { pred: (c: SlackCall) => boolean; resolve: (c: SlackCall) => void }[] = [];
  const record = (c: SlackCall) => {
    calls.push(c);
    for (const w of [...waiters])
      if (w.pred(c)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(c);
      }
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      chunks.push(c);
    });
    req.on("end", () => {
      const bytes = Buffer.concat(chunks);
      const url = new URL(req.url ?? "/", "http://fake");
      if (url.pathname.startsWith("/upload/")) {
        // The upload step of files.uploadV2: the file's bytes, as the client sends them.
        const png = bytes.indexOf(PNG_SIGNATURE);
        record({
          method: `upload:${url.pathname.slice(8)}`,
          body: { size: bytes.length, png: png >= 0, contentType: req.headers["content-type"] },
          auth: req.headers.authorization,
          at: Date.now(),
        });
        uploads.set(url.pathname.slice(8), png >= 0 ? bytes.subarray(png) : bytes);
        res.end("OK - 1");
        return;
      }
      const raw = bytes.toString("utf8");
      const isJson = (req.headers["content-type"] ?? "").includes("application/json");
      const body: Record<string, unknown> = isJson
        ? JSON.parse(raw || "{}")
        : Object.fromEntries(new URLSearchParams(raw));
      for (const k of ["blocks", "view", "attachments", "files"])
        if (typeof body[k] === "string") body[k] = JSON.parse(body[k] as string);
      if (url.pathname.startsWith("/api/")) {
        const method = url.pathname.slice(5);
        record({ method, body, auth: req.headers.authorization, at: Date.now() });
        if (fake.down) {
          res.statusCode = 503;
          res.end("upstream unavailable");
          return;
        }
        const out: Record<string, unknown> = { ok: true };
        const token = (req.headers.authorization ?? "").replace(/^Bearer /, "") || String(body.token ?? "");
        const answer = (o: Record<string, unknown>) => {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify(o));
        };
        if (token && revoked.has(token)) return answer({ ok: false, error: "token_revoked" });
        if (method === "oauth.v2.access") {
          // https://docs.slack.dev/reference/methods/oauth.v2.access: the app's id and secret, and
          // a code that works once.
          if (body.client_id !== clientId) return answer({ ok: false, error: "invalid_client_id" });
          if (body.client_secret !== clientSecret) return answer({ ok: false, error: "bad_client_secret" });
          const ws = codes.get(String(body.code ?? ""));
          if (!ws) return answer({ ok: false, error: "invalid_code" });
          codes.delete(String(body.code));
          byToken.set(ws.botToken, ws);
          return answer({
            ok: true,
            access_token: ws.botToken,
            token_type: "bot",
            scope: "commands,chat:write,chat:write.public,files:write,users:read",
            bot_user_id: ws.botUserId,
            app_id: "A1",
            team: { id: ws.teamId, name: ws.teamName },
            enterprise: null,
            is_enterprise_install: false,
            authed_user: { id: ws.installerUserId ?? "UINSTALLER" },
          });
        }
        if (method === "auth.test") {
          const ws = byToken.get(token);
          Object.assign(
            out,
            ws
              ? { user_id: ws.botUserId, bot_id: ws.botId, team_id: ws.teamId, team: ws.teamName }
              : { user_id: "UBOT", bot_id: "BBOT", team_id: "T1" },
          );
        }
        if (method === "auth.test" && fake.authError)
          Object.assign(out, { ok: false, error: fake.authError });
        if (method === "apps.connections.open")
          Object.assign(
            out,
            fake.appTokenError ? { ok: false, error: fake.appTokenError } : { url: fake.socketUrl },
          );
        if (method === "users.info") {
          const id = String(body.user);
          Object.assign(out, { user: { id, is_admin: admins.has(id), is_owner: false } });
        }
        if (method === "chat.postMessage" || method === "chat.update")
          Object.assign(out, { channel: body.channel, ts: body.ts ?? `${tsCounter++}.000100` });
        if (method === "files.getUploadURLExternal") {
          const id = `F${tsCounter++}`;
          Object.assign(out, { upload_url: `${origin}/upload/${id}`, file_id: id });
        }
        if (method === "files.completeUploadExternal")
          Object.assign(out, {
            files: ((body.files as { id: string; title?: string }[] | undefined) ?? []).map((f) => ({
              id: f.id,
              title: f.title,
            })),
          });
        if (method === "views.open" || method === "views.update")
          Object.assign(out, { view: { id: body.view_id ?? `V${tsCounter++}` } });
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(out));
        return;
      }
      if (url.pathname.startsWith("/response/")) {
        record({ method: `response:${url.pathname.slice(10)}`, body, at: Date.now() });
        res.end("ok");
        return;
      }
      res.statusCode = 404;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let n = 0;
  const fake: FakeSlack = {
    apiUrl: `${origin}/api/`,
    origin,
    calls,
    admins,
    down: false,
    clientId,
    clientSecret,
    issueCode: (ws) => {
      const code = `code-${ws.teamId}-${++codeCounter}`;
      codes.set(code, ws);
      return code;
    },
    revokeToken: (t) => {
      revoked.add(t);
    },
    uploads,
    responseUrl: (id) => `${origin}/response/${id ?? `r${++n}`}`,
    waitFor: (pred, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const hit = calls.find(pred);
        if (hit) return resolve(hit);
        const timer = setTimeout(() => reject(new Error("fake Slack: no matching call")), timeoutMs);
        waiters.push({
          pred,
          resolve: (c) => {
            clearTimeout(timer);
            resolve(c);
          },
        });
      }),
    responses: () => calls.filter((c) => c.method.startsWith("response:")),
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
  return fake;
}

/** Sends a request to the bot signed the way Slack signs it (v0 HMAC-SHA256 over ts:body). */
export async function signedPost(
  url: string,
  body: string,
  opts: { secret: string; contentType?: string; timestamp?: number; signature?: string },
): Promise<Response> {
  const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const sig =
    opts.signature ?? `v0=${createHmac("sha256", opts.secret).update(`v0:${ts}:${body}`).digest("hex")}`;
  return fetch(url, {
    method: "POST",
    body,
    headers: {
      "content-type": opts.contentType ?? "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": ts,
      "x-slack-signature": sig,
    },
  });
}

export const form = (o: Record<string, string>) => new URLSearchParams(o).toString();

/** Helpers that build the three payload kinds Slack sends to the bot. */
export function slashCommand(
  text: string,
  o: { user: string; channel: string; team?: string; responseUrl: string },
) {
  return form({
    command: "/hosting",
    text,
    team_id: o.team ?? "T1",
    user_id: o.user,
    user_name: o.user.toLowerCase(),
    channel_id: o.channel,
    trigger_id: `trig-${Math.random().toString(36).slice(2)}`,
    response_url: o.responseUrl,
    api_app_id: "A1",
  });
}

export function buttonClick(
  actionId: string,
  value: string,
  o: { user: string; channel: string; team?: string; responseUrl: string; messageTs?: string },
) {
  return form({
    payload: JSON.stringify({
      type: "block_actions",
      team: { id: o.team ?? "T1" },
      user: { id: o.user, name: o.user.toLowerCase(), team_id: o.team ?? "T1" },
      api_app_id: "A1",
      channel: { id: o.channel },
      container: { type: "message", channel_id: o.channel, message_ts: o.messageTs ?? "1.1" },
      trigger_id: `trig-${Math.random().toString(36).slice(2)}`,
      response_url: o.responseUrl,
      actions: [{ type: "button", action_id: actionId, block_id: "b1", value, action_ts: "1" }],
    }),
  });
}

export function viewSubmission(
  view: { callback_id: string; private_metadata: string; id?: string; blocks?: unknown[]; title?: unknown },
  values: Record<string, string>,
  o: { user: string; team?: string },
) {
  const state = {
    values: Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, { v: { type: "plain_text_input", value: v } }]),
    ),
  };
  return form({
    payload: JSON.stringify({
      type: "view_submission",
      team: { id: o.team ?? "T1" },
      user: { id: o.user, name: o.user.toLowerCase(), team_id: o.team ?? "T1" },
      api_app_id: "A1",
      view: {
        id: view.id ?? "V1",
        type: "modal",
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        title: view.title ?? { type: "plain_text", text: "Form" },
        blocks: view.blocks ?? [],
        state,
      },
    }),
  });
}

/** A button clicked in the App Home tab: no channel, no response_url, the home view as container. */
export function homeButtonClick(actionId: string, value: string, o: { user: string; team?: string }) {
  return form({
    payload: JSON.stringify({
      type: "block_actions",
      team: { id: o.team ?? "T1" },
      user: { id: o.user, name: o.user.toLowerCase(), team_id: o.team ?? "T1" },
      api_app_id: "A1",
      container: { type: "view", view_id: "VHOME" },
      view: { id: "VHOME", type: "home", blocks: [] },
      trigger_id: `trig-${Math.random().toString(36).slice(2)}`,
      actions: [{ type: "button", action_id: actionId, block_id: "b1", value, action_ts: "1" }],
    }),
  });
}

/** The Events API envelope of `app_home_opened` (JSON, signed like every request). */
export function appHomeOpened(o: { user: string; team?: string }): string {
  return JSON.stringify({
    type: "event_callback",
    team_id: o.team ?? "T1",
    api_app_id: "A1",
    event_id: `Ev${Math.random().toString(36).slice(2)}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: "app_home_opened", user: o.user, channel: "DHOME", tab: "home", event_ts: "1.1" },
  });
}
