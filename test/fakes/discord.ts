import http from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * A local fake Discord: REST (the routes a bot uses for commands, interaction responses, webhook
 * follow-ups and channel messages) and the gateway (HELLO, IDENTIFY -> READY + GUILD_CREATE,
 * heartbeat ACKs, dispatches) on one port. The real discord.js client connects to it with
 * `rest: { api: fake.restBase }` (GET /gateway/bot points it at the fake's WebSocket).
 *
 * Every REST call is recorded with a monotonic timestamp and a sequence number, so tests can
 * check order ("the defer came before the provider answered") without sleeping: `waitForCall`.
 * Discord's own rules are checked where a bot can break them: the first response to an
 * interaction within 3 s and only once, message and modal limits. A broken rule is answered the
 * way Discord answers it (HTTP 400/404 with its error codes) and recorded in `violations`.
 */

/** The parts of Discord JSON the fake checks and tests read (the wire format, snake_case). */
export interface WireComponent {
  type: number;
  custom_id?: string;
  label?: string;
  style?: number;
  value?: string;
  values?: string[];
  placeholder?: string;
  required?: boolean;
  options?: { label: string; value: string; default?: boolean }[];
  components?: WireComponent[];
  /** Inside a Label (type 18). */
  component?: WireComponent;
}

export interface WireEmbed {
  title?: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
}

export interface WireMessage {
  id?: string;
  content?: string;
  embeds?: WireEmbed[];
  components?: WireComponent[];
  flags?: number;
  allowed_mentions?: { parse?: string[]; replied_user?: boolean };
  message_reference?: { message_id: string; fail_if_not_exists?: boolean };
}

/** A request body: a message, an interaction callback, or (commands PUT) see `RestCall.json`. */
export interface WireBody extends WireMessage {
  type?: number;
  /** Thread creation. */
  name?: string;
  data?: WireMessage & {
    custom_id?: string;
    title?: string;
    choices?: { name: string; value: string }[];
  };
}

export interface RestCall {
  seq: number;
  /** performance.now() when the request arrived. */
  at: number;
  method: string;
  /** Without the /api/v10 prefix, URL-decoded (`@original`). */
  path: string;
  query: URLSearchParams;
  /** The JSON body, read as a message or callback (empty object when there is none). */
  body: WireBody;
  /** The JSON body as parsed, whatever its shape (command registration sends an array). */
  json: unknown;
  auth?: string;
  /** HTTP status the fake answered. */
  status: number;
  /** Files of a multipart request (attachments), with their form field names. */
  files: { field: string; name: string; bytes: Buffer }[];
}

export interface FakeMember {
  id: string;
  username: string;
  /** Permission bit set as Discord sends it (decimal string). */
  permissions: string;
}

export interface SentInteraction {
  id: string;
  token: string;
  sentAt: number;
}

export interface FakeDiscordOptions {
  appId?: string;
  botUserId?: string;
  guildId?: string;
  channelId?: string;
  /** Discord's deadline for the first response (default 3000 ms). */
  ackDeadlineMs?: number;
}

const PERMS = {
  administrator: 1n << 3n,
  manageGuild: 1n << 5n,
  sendMessages: 1n << 11n,
  useCommands: 1n << 31n,
};

export const ADMIN_PERMISSIONS = String(PERMS.administrator | PERMS.sendMessages | PERMS.useCommands);
export const MEMBER_PERMISSIONS = String(PERMS.sendMessages | PERMS.useCommands);
export const MANAGER_PERMISSIONS = String(PERMS.manageGuild | PERMS.sendMessages | PERMS.useCommands);

/** Discord's message limits (what the fake rejects). */
const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTotal: 6000,
  description: 4096,
  title: 256,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  rows: 5,
  perRow: 5,
  customId: 100,
  buttonLabel: 80,
};

export type OptionInput = { name: string; type: number; value: unknown; focused?: boolean };

export interface FakeDiscord {
  port: number;
  /** Give this to discord.js as `rest.api` (or as DISCORD_API_URL). */
  restBase: string;
  appId: string;
  guildId: string;
  channelId: string;
  calls: RestCall[];
  violations: string[];
  /** Registered application commands per scope ("global" or the guild id). */
  commands: Map<string, Record<string, unknown>[]>;
  members: { admin: FakeMember; manager: FakeMember; member: FakeMember };
  /** Resolves with the first recorded call (past or future) matching `pred`. */
  waitForCall(
    pred: (c: RestCall) => boolean,
    opts?: { timeoutMs?: number; after?: number },
  ): Promise<RestCall>;
  /** Calls answering interaction `id` (callback, @original, follow-ups), in order. */
  callsFor(i: SentInteraction): RestCall[];
  /** `/hosting <group?> <sub> options…` */
  slash(
    path: string[],
    options?: OptionInput[],
    opts?: { member?: FakeMember; channelId?: string; extra?: object },
  ): SentInteraction;
  autocomplete(path: string[], options: OptionInput[], opts?: { member?: FakeMember }): SentInteraction;
  button(customId: string, opts?: { member?: FakeMember; message?: WireMessage }): SentInteraction;
  /**
   * A form submit. A string value is a text input, an array a select menu (in a Label). With
   * `message`, the form was opened from that message's button.
   */
  modalSubmit(
    customId: string,
    fields: Record<string, string | string[]>,
    opts?: { member?: FakeMember; message?: WireMessage },
  ): SentInteraction;
  /** The message an interaction's response created (the reply or the deferred placeholder, as edited). */
  original(i: SentInteraction): WireMessage | undefined;
  /** Number of gateway connections made so far (a second bot start makes a second one). */
  connections(): number;
  /** Lifecycle tests: GET /gateway/bot answers 401 (a revoked token). */
  rejectToken: boolean;
  /** Lifecycle tests: the gateway closes every connection and, while down, refuses new ones. */
  gatewayDown: boolean;
  dropGateway(): void;
  /** Threads started from messages: thread id (= the message's id) -> its channel and name. */
  threads: Map<string, { parentId: string; name: string }>;
  /** Answer thread creation with 403 Missing Permissions (a bot invited without thread rights). */
  refuseThreads(refuse: boolean): void;
  close(): Promise<void>;
}

export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const appId = opts.appId ?? "100000000000000001";
  const botUserId = opts.botUserId ?? "100000000000000002";
  const guildId = opts.guildId ?? "200000000000000001";
  const channelId = opts.channelId ?? "300000000000000001";
  const ackDeadlineMs = opts.ackDeadlineMs ?? 3000;
  const calls: RestCall[] = [];
  const violations: string[] = [];
  const commands = new Map<string, Record<string, unknown>[]>();
  const waiters: { pred: (c: RestCall) => boolean; after: number; resolve: (c: RestCall) => void }[] = [];
  const interactions = new Map<
    string,
    { id: string; token: string; sentAt: number; acked: boolean; original?: WireMessage }
  >();
  const messages = new Map<string, WireMessage>();
  const threads = new Map<string, { parentId: string; name: string }>();
  let threadsRefused = false;
  let seq = 0;
  let idSeq = 0n;
  let gatewaySeq = 0;
  let connectionCount = 0;
  /** Open gateway connections, newest last: dispatches go to the newest (the running bot). */
  const sockets: WebSocket[] = [];
  let port = 0;

  const snowflake = () => String(1_300_000_000_000_000_000n + ++idSeq);

  const member = (id: string, username: string, permissions: string): FakeMember => ({
    id,
    username,
    permissions,
  });
  const members = {
    admin: member("500000000000000001", "alice", ADMIN_PERMISSIONS),
    manager: member("500000000000000002", "mallory", MANAGER_PERMISSIONS),
    member: member("500000000000000003", "bob", MEMBER_PERMISSIONS),
  };

  function message(channel: string, body: WireMessage | undefined, extra: object = {}): WireMessage {
    const m = {
      id: snowflake(),
      channel_id: channel,
      guild_id: guildId,
      content: body?.content ?? "",
      author: {
        id: botUserId,
        username: "hostops",
        discriminator: "0",
        bot: true,
        avatar: null,
        global_name: null,
      },
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: body?.embeds ?? [],
      components: body?.components ?? [],
      pinned: false,
      type: 0,
      flags: body?.flags ?? 0,
      ...extra,
    };
    messages.set(m.id, m);
    return m;
  }

  /** Discord's checks of a message body a bot sends; returns the problems found. */
  function checkMessage(body: WireMessage | undefined): string[] {
    const problems: string[] = [];
    if (!body || typeof body !== "object") return problems;
    if (typeof body.content === "string" && body.content.length > LIMITS.content)
      problems.push("content > 2000");
    const embeds = body.embeds ?? [];
    if (embeds.length > LIMITS.embeds) problems.push("more than 10 embeds");
    let total = 0;
    for (const e of embeds) {
      total += (e.title ?? "").length + (e.description ?? "").length + (e.footer?.text ?? "").length;
      if ((e.title ?? "").length > LIMITS.title) problems.push("embed title > 256");
      if ((e.description ?? "").length > LIMITS.description) problems.push("embed description > 4096");
      if ((e.fields ?? []).length > LIMITS.fields) problems.push("more than 25 fields");
      for (const f of e.fields ?? []) {
        total += f.name.length + f.value.length;
        if (!f.name || !f.value) problems.push("empty field name or value");
        if (f.name.length > LIMITS.fieldName) problems.push("field name > 256");
        if (f.value.length > LIMITS.fieldValue) problems.push("field value > 1024");
      }
    }
    if (total > LIMITS.embedTotal) problems.push(`embeds total ${total} > 6000`);
    const rows = body.components ?? [];
    if (rows.length > LIMITS.rows) problems.push("more than 5 rows");
    const ids = new Set<string>();
    for (const row of rows) {
      if ((row.components ?? []).length > LIMITS.perRow) problems.push("more than 5 buttons in a row");
      for (const c of row.components ?? []) {
        if (c.custom_id !== undefined) {
          if (c.custom_id.length > LIMITS.customId) problems.push(`custom_id > 100: ${c.custom_id}`);
          if (ids.has(c.custom_id)) problems.push(`duplicate custom_id ${c.custom_id}`);
          ids.add(c.custom_id);
        }
        if ((c.label ?? "").length > LIMITS.buttonLabel) problems.push("button label > 80");
      }
    }
    if (!body.allowed_mentions || (body.allowed_mentions.parse ?? []).length > 0)
      problems.push("allowed_mentions missing or not empty");
    return problems;
  }

  function checkModal(data: WireBody["data"]): string[] {
    const problems: string[] = [];
    if ((data?.custom_id ?? "").length > LIMITS.customId) problems.push("modal custom_id > 100");
    if ((data?.title ?? "").length > 45) problems.push("modal title > 45");
    const rows = data?.components ?? [];
    if (rows.length < 1 || rows.length > 5) problems.push("modal needs 1-5 components");
    for (const r of rows)
      for (const c of r.components ?? []) {
        if ((c.label ?? "").length > 45) problems.push(`text input label > 45: ${c.label}`);
        if ((c.placeholder ?? "").length > 100) problems.push("placeholder > 100");
        if ((c.custom_id ?? "").length > 100) problems.push("text input custom_id > 100");
      }
    return problems;
  }

  type Answer = { status: number; json?: unknown };
  const json = (j: unknown, status = 200): Answer => ({ status, json: j });
  const empty = (): Answer => ({ status: 204 });
  const invalid = (problems: string[]): Answer => {
    violations.push(...problems);
    return json({ code: 50035, message: "Invalid Form Body", errors: problems }, 400);
  };

  function route(method: string, path: string, body: WireBody, raw: unknown): Answer {
    if (method === "GET" && path === "/gateway/bot" && fake.rejectToken)
      return json({ message: "401: Unauthorized", code: 0 }, 401);
    if (method === "GET" && path === "/gateway/bot")
      return json({
        url: `ws://127.0.0.1:${port}`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 14_400_000, max_concurrency: 1 },
      });
    let m = /^\/applications\/(\d+)\/(?:guilds\/(\d+)\/)?commands$/.exec(path);
    if (m) {
      const scope = m[2] ?? "global";
      if (method === "GET") return json(commands.get(scope) ?? []);
      if (method === "PUT") {
        const list = (Array.isArray(raw) ? (raw as Record<string, unknown>[]) : []).map((c, i) => ({
          id: String(900000000000000000n + BigInt(i)),
          application_id: appId,
          version: snowflake(),
          ...(m?.[2] ? { guild_id: m[2] } : {}),
          ...c,
        }));
        commands.set(scope, list);
        return json(list);
      }
    }
    m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path);
    if (m && method === "POST") {
      const it = interactions.get(m[1] ?? "");
      if (!it || it.token !== m[2]) return json({ code: 10062, message: "Unknown interaction" }, 404);
      if (it.acked) {
        violations.push(`interaction ${it.id} acknowledged twice`);
        return json({ code: 40060, message: "Interaction has already been acknowledged." }, 400);
      }
      if (performance.now() - it.sentAt > ackDeadlineMs) {
        violations.push(`interaction ${it.id} acknowledged after ${ackDeadlineMs} ms`);
        return json({ code: 10062, message: "Unknown interaction" }, 404);
      }
      const type = body?.type as number | undefined;
      // 4 reply, 7 update: message bodies; 9 modal; 5/6 defers and 8 autocomplete carry no message.
      const problems =
        type === 9 ? checkModal(body.data) : type === 4 || type === 7 ? checkMessage(body.data) : [];
      if (problems.length) return invalid(problems);
      it.acked = true;
      if (body?.type === 4 || body?.type === 5) it.original = message(channelId, body.data ?? {});
      return empty();
    }
    m = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(path);
    if (m) {
      const it = [...interactions.values()].find((x) => x.token === m?.[2]);
      if (!it) return json({ code: 10015, message: "Unknown Webhook" }, 404);
      if (!it.acked) return json({ code: 10015, message: "Unknown Webhook" }, 404);
      const which = m[3];
      if (method === "POST" && !which) {
        const problems = checkMessage(body);
        if (problems.length) return invalid(problems);
        return json(message(channelId, body, { webhook_id: appId }));
      }
      if (which === "@original") {
        if (method === "DELETE") {
          it.original = undefined;
          return empty();
        }
        if (method === "GET")
          return it.original ? json(it.original) : json({ code: 10008, message: "Unknown Message" }, 404);
        if (method === "PATCH") {
          const problems = checkMessage(body);
          if (problems.length) return invalid(problems);
          it.original = { ...(it.original ?? message(channelId, {})), ...body };
          return json(it.original);
        }
      }
      if (which && method === "PATCH") return json(message(channelId, body, { id: which }));
      if (which && method === "DELETE") return empty();
    }
    // Start a thread from a message: the thread takes the message's id; one thread per message.
    m = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(path);
    if (m && method === "POST") {
      const [, parentId = channelId, messageId = ""] = m;
      if (threadsRefused) return json({ code: 50013, message: "Missing Permissions" }, 403);
      const name = typeof body.name === "string" ? body.name : "";
      if (name.length < 1 || name.length > 100) return invalid([`thread name of ${name.length} characters`]);
      if (threads.has(messageId))
        return json({ code: 160004, message: "A thread has already been created for this message" }, 400);
      threads.set(messageId, { parentId, name });
      return json({ id: messageId, type: 11, guild_id: guildId, parent_id: parentId, name });
    }
    m = /^\/channels\/(\d+)\/messages(?:\/(\d+))?$/.exec(path);
    if (m) {
      const [, channel = channelId, id] = m;
      if (method === "POST" && !id) {
        const problems = checkMessage(body);
        if (problems.length) return invalid(problems);
        return json(
          message(
            channel,
            body,
            body?.message_reference ? { message_reference: body.message_reference } : {},
          ),
        );
      }
      if (method === "PATCH" && id) {
        const problems = checkMessage(body);
        if (problems.length) return invalid(problems);
        const prev = messages.get(id) ?? message(channel, {});
        const next = { ...prev, ...body, id, edited_timestamp: new Date().toISOString() };
        messages.set(id, next);
        return json(next);
      }
    }
    return json({ code: 0, message: `Unknown route ${method} ${path}` }, 404);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const bytes = Buffer.concat(chunks);
      const raw = bytes.toString("utf8");
      const url = new URL(req.url ?? "/", "http://fake");
      const path = decodeURIComponent(url.pathname).replace(/^\/api(\/v\d+)?/, "");
      const contentType = req.headers["content-type"] ?? "";
      let parsed: unknown = raw;
      const files: RestCall["files"] = [];
      if (contentType.includes("application/json") && raw) parsed = JSON.parse(raw);
      else if (contentType.includes("multipart/form-data")) {
        // Messages with attachments: payload_json plus one part per file (as @discordjs/rest sends them).
        const form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
        const payload = form.get("payload_json");
        if (typeof payload === "string") parsed = JSON.parse(payload);
        for (const [field, value] of form)
          if (typeof value !== "string")
            files.push({ field, name: value.name, bytes: Buffer.from(await value.arrayBuffer()) });
      }
      const body = (parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {}) as WireBody;
      const at = performance.now();
      const answer = route(req.method ?? "GET", path, body, parsed);
      const call: RestCall = {
        seq: ++seq,
        at,
        method: req.method ?? "GET",
        path,
        query: url.searchParams,
        body,
        json: parsed,
        auth: req.headers.authorization,
        status: answer.status,
        files,
      };
      if (path !== "/gateway/bot") {
        calls.push(call);
        for (const w of [...waiters])
          if (call.seq > w.after && w.pred(call)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(call);
          }
      }
      res.statusCode = answer.status;
      // A 204 with a JSON content type makes @discordjs/rest parse an empty body and fail.
      if (answer.json === undefined) return void res.end();
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(answer.json));
    });
  });

  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws) => {
    if (fake.gatewayDown) return void ws.close(1012, "down");
    connectionCount++;
    sockets.push(ws);
    ws.on("close", () => sockets.splice(sockets.indexOf(ws), 1));
    send(ws, { op: 10, d: { heartbeat_interval: 45_000 }, s: null, t: null });
    ws.on("message", (raw) => {
      const msg = JSON.parse(raw.toString()) as { op: number };
      if (msg.op === 1) send(ws, { op: 11, d: null, s: null, t: null });
      // RESUME after a dropped connection: the session goes on.
      if (msg.op === 6) dispatch("RESUMED", {});
      if (msg.op === 2) {
        dispatch("READY", {
          v: 10,
          session_type: "normal",
          session_id: `session-${connectionCount}`,
          resume_gateway_url: `ws://127.0.0.1:${port}`,
          user: {
            id: botUserId,
            username: "hostops",
            discriminator: "0",
            global_name: null,
            avatar: null,
            bot: true,
            flags: 0,
          },
          guilds: [{ id: guildId, unavailable: true }],
          application: { id: appId, flags: 0 },
          shard: [0, 1],
        });
        dispatch("GUILD_CREATE", guildPayload());
      }
    });
  });

  function send(ws: WebSocket, payload: unknown) {
    ws.send(JSON.stringify(payload));
  }
  function dispatch(t: string, d: unknown) {
    const socket = sockets[sockets.length - 1];
    if (!socket) throw new Error("no gateway connection: is the bot started?");
    send(socket, { op: 0, t, s: ++gatewaySeq, d });
  }

  function guildPayload() {
    return {
      id: guildId,
      name: "Test Guild",
      icon: null,
      owner_id: "500000000000000009",
      unavailable: false,
      member_count: 3,
      large: false,
      joined_at: new Date().toISOString(),
      roles: [
        {
          id: guildId,
          name: "@everyone",
          permissions: MEMBER_PERMISSIONS,
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      channels: [
        {
          id: channelId,
          type: 0,
          name: "hosting",
          position: 0,
          permission_overwrites: [],
          guild_id: guildId,
        },
        {
          id: "300000000000000002",
          type: 0,
          name: "other",
          position: 1,
          permission_overwrites: [],
          guild_id: guildId,
        },
      ],
      members: [],
      threads: [],
      emojis: [],
      stickers: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      features: [],
      premium_tier: 0,
      preferred_locale: "en-US",
      system_channel_flags: 0,
      nsfw_level: 0,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
    };
  }

  function memberPayload(m: FakeMember) {
    return {
      user: { id: m.id, username: m.username, discriminator: "0", global_name: m.username, avatar: null },
      roles: [],
      permissions: m.permissions,
      joined_at: new Date().toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
      nick: null,
      avatar: null,
      premium_since: null,
      pending: false,
      communication_disabled_until: null,
    };
  }

  function sendInteraction(
    type: number,
    data: unknown,
    o: { member?: FakeMember; channelId?: string; extra?: object } = {},
  ) {
    const id = snowflake();
    const token = `tok-${id}`;
    const channel = o.channelId ?? channelId;
    const sentAt = performance.now();
    interactions.set(id, { id, token, sentAt, acked: false });
    dispatch("INTERACTION_CREATE", {
      id,
      application_id: appId,
      type,
      data,
      guild_id: guildId,
      channel_id: channel,
      channel: { id: channel, type: 0, guild_id: guildId, name: "hosting" },
      member: memberPayload(o.member ?? members.admin),
      token,
      version: 1,
      app_permissions: ADMIN_PERMISSIONS,
      locale: "en-US",
      guild_locale: "en-US",
      entitlements: [],
      authorizing_integration_owners: { "0": guildId },
      context: 0,
      attachment_size_limit: 8_388_608,
      ...o.extra,
    });
    return { id, token, sentAt };
  }

  function commandData(path: string[], options: OptionInput[]) {
    const leaf = options.map((o) => ({
      name: o.name,
      type: o.type,
      value: o.value,
      ...(o.focused ? { focused: true } : {}),
    }));
    const [first = "", second] = path;
    const nested =
      second === undefined
        ? [{ type: 1, name: first, options: leaf }]
        : [{ type: 2, name: first, options: [{ type: 1, name: second, options: leaf }] }];
    const registered = [...commands.values()].flat().find((c) => c.name === "hosting");
    const users = options.filter((o) => o.type === 6).map((o) => String(o.value));
    return {
      id: registered?.id ?? "900000000000000000",
      name: "hosting",
      type: 1,
      guild_id: guildId,
      options: nested,
      ...(users.length
        ? {
            resolved: {
              users: Object.fromEntries(
                users.map((u) => [
                  u,
                  {
                    id: u,
                    username: `user${u.slice(-3)}`,
                    discriminator: "0",
                    avatar: null,
                    global_name: null,
                  },
                ]),
              ),
            },
          }
        : {}),
    };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;

  const fake: FakeDiscord = {
    port,
    restBase: `http://127.0.0.1:${port}/api`,
    appId,
    guildId,
    channelId,
    calls,
    violations,
    commands,
    members,
    waitForCall(pred, o = {}) {
      const after = o.after ?? 0;
      const hit = calls.find((c) => c.seq > after && pred(c));
      if (hit) return Promise.resolve(hit);
      return new Promise<RestCall>((resolve, reject) => {
        const w = {
          pred,
          after,
          resolve: (c: RestCall) => {
            clearTimeout(timer);
            resolve(c);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          const seen = calls.map((c) => `${c.seq} ${c.method} ${c.path} -> ${c.status}`).join("\n  ");
          reject(
            new Error(`no matching Discord REST call within ${o.timeoutMs ?? 10_000} ms; calls:\n  ${seen}`),
          );
        }, o.timeoutMs ?? 10_000);
        waiters.push(w);
      });
    },
    callsFor(i) {
      return calls.filter(
        (c) => c.path.startsWith(`/interactions/${i.id}/`) || c.path.includes(`/${i.token}`),
      );
    },
    slash(path, options = [], o = {}) {
      return sendInteraction(2, commandData(path, options), o);
    },
    autocomplete(path, options, o = {}) {
      return sendInteraction(4, commandData(path, options), o);
    },
    button(customId, o = {}) {
      return sendInteraction(
        3,
        { custom_id: customId, component_type: 2 },
        { member: o.member, extra: { message: o.message ?? message(channelId, { content: "card" }) } },
      );
    },
    modalSubmit(customId, fields, o = {}) {
      return sendInteraction(
        5,
        {
          custom_id: customId,
          components: Object.entries(fields).map(([k, v], i) =>
            Array.isArray(v)
              ? { type: 18, id: i * 2 + 1, component: { type: 3, id: i * 2 + 2, custom_id: k, values: v } }
              : { type: 1, id: i * 2 + 1, components: [{ type: 4, id: i * 2 + 2, custom_id: k, value: v }] },
          ),
        },
        { member: o.member, extra: o.message ? { message: o.message } : {} },
      );
    },
    original: (i) => interactions.get(i.id)?.original,
    connections: () => connectionCount,
    rejectToken: false,
    gatewayDown: false,
    dropGateway() {
      for (const c of wss.clients) c.close(4000, "dropped");
    },
    threads,
    refuseThreads(refuse) {
      threadsRefused = refuse;
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
