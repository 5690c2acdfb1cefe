import { randomBytes } from "node:crypto";
import { type FakeRequest, type FakeResponse, startFakeServer } from "./fake-server.ts";
import infoFixture from "./fixtures/hostkey/auth-info.json" with { type: "json" };
import loginFixture from "./fixtures/hostkey/auth-login.json" with { type: "json" };
import stageFixture from "./fixtures/hostkey/eq-callback-stage.json" with { type: "json" };
import pinFailureFixture from "./fixtures/hostkey/eq-check-pin-failure.json" with { type: "json" };
import orderErrorFixture from "./fixtures/hostkey/eq-order-instance-error.json" with { type: "json" };
import showFixture from "./fixtures/hostkey/eq-show.json" with { type: "json" };
import osListFixture from "./fixtures/hostkey/os-list.json" with { type: "json" };
import billingFixture from "./fixtures/hostkey/whmcs-get-billing-data.json" with { type: "json" };
import clientFixture from "./fixtures/hostkey/whmcs-get-client.json" with { type: "json" };
import invoicesFixture from "./fixtures/hostkey/whmcs-get-invoices.json" with { type: "json" };
import type { ProviderFake } from "./types.ts";

/**
 * A fake HOSTKEY invapi (shared/seeds/hostkey-invapi.txt, "line N" below): every call is a form
 * POST to `/<module>.php` with `action=…`. The answers are the seed's examples (fixtures/hostkey,
 * see its README for the syntax fixes), with dates moved relative to now.
 *
 * Not in the seed, so chosen here (and marked where used):
 * - an invalid or expired token, and a wrong API key, answer `{"code": -1, "message":
 *   "authentication required"}` with HTTP 200 (PROVIDERS.md §1.4, [ext] newer HOSTKEY docs);
 * - async actions answer `{"result":"OK","action":"on","callback":"<32 hex>"}` and
 *   `eq_callback.php action=check&key=` answers "Not ready" until done, then the final payload once
 *   (the key is deleted after OK) ([ext] docs.hostkey.com "Asynchronous actions");
 * - other failures use the documented `{"result": -1, "error": "…"}` shape (line 2721) with our text.
 */

type Json = Record<string, unknown>;

export interface HostkeyFakeServer {
  /** The eq/show answer (line 3186). */
  show: Json;
  /** The whmcs/get_billing_data answer (line 1357). */
  billing: Json;
  /** Power state (eq/show has no field for it; eq/status is async and undocumented). */
  power: "on" | "off";
  /** Cancellation requests received (whmcs/request_cancellation). */
  cancellation?: { type: 0 | 1; reason: string };
  /** The root password of the last reinstall, for tests to check its strength. */
  lastRootPass?: string;
  reinstalling?: boolean;
}

export interface HostkeyFakeData {
  apiKey: string;
  /**
   * The account PIN (eq/set_pin); a missing or wrong PIN gets the documented failure (line 968).
   * null: the account switched its PIN off, and calls without one go through (HOSTKEY's own clients
   * never send one).
   */
  pin: string | null;
  /** Where auth/login puts the token: in `result` (the seed) or at the top level (Terraform provider). */
  loginShape: "nested" | "top";
  /** The answer to a rejected token; the default is the [ext] `{"code": -1, …}`. */
  authFailure: Json;
  /** An account without servers: auth/login answers NO_APPROPRIATE_SERVERS (Terraform provider). */
  noServers: boolean;
  servers: HostkeyFakeServer[];
  /** Ids the token lists (`servers` of auth/login and auth/info); defaults to every server's id. */
  tokenServers?: string[];
  /** The whmcs/get_client answer (line 1009). */
  client: Json;
  /** `invoices.invoice[]` of whmcs/get_invoices (line 1620), newest first. */
  invoices: Json[];
  /** Invoices per page when no `limitnum` is sent; the seed shows 5 of 6 (line 1622). */
  invoicePageSize: number;
  /** When false the fake ignores limitstart/limitnum, as an API without paging would. */
  honourPaging: boolean;
  /** `os_list` of os/list (line 2122). */
  osList: Json[];
  /** Polls answered "Not ready" before a power task completes (0: the next poll completes it). */
  taskPendingPolls: number;
  tokenTtlSeconds: number;
  /** Delay of each eq/show answer, so tests can observe the driver's concurrency. */
  showDelayMs: number;
}

export interface HostkeyFakeTask {
  key: string;
  action: "on" | "off" | "reboot" | "reinstall";
  serverId: string;
  pendingPolls: number;
  finish(): Json;
}

export interface HostkeyFake extends ProviderFake {
  data: HostkeyFakeData;
  /** Open callback keys. */
  tasks: Map<string, HostkeyFakeTask>;
  /** Live session tokens -> expiry (unix seconds). */
  tokens: Map<string, number>;
  /** Expires every session token, as the 2-hour TTL would. */
  expireTokens(): void;
  /** Most eq/show requests seen in flight at once. */
  stats: { maxShowsInFlight: number };
}

/** The seed's example API key (line 178) and PIN (line 2710). */
export const HOSTKEY_FAKE_API_KEY = "d9815703f6f41d3f-5d52f141ff7ac755";
export const HOSTKEY_FAKE_PIN = "1907";

const DAY_MS = 86_400_000;

/** YYYY-MM-DD of today + `offset` days (UTC). */
export function hostkeyDay(offset: number, now = Date.now()): string {
  return new Date(now + offset * DAY_MS).toISOString().slice(0, 10);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function setTag(show: Json, tag: string, value: string): void {
  const tags = show.tags as Json[];
  const found = tags.find((t) => t.tag === tag);
  if (found) found.value = value;
  else tags.push({ id: 800000 + tags.length, component: "Component1", tag, value, extra: "", internal: 0 });
}

interface ServerSpec {
  id: number;
  hostname: string;
  rootPass: string;
  ip: string;
  due: string;
  status: string;
  vm: boolean;
  type: string;
  hwconfig: string;
  preset: string;
  presetDescription: string;
  os: string;
  billing: { status: string; cycle: string; recurring: string; regDate: string; suspendReason?: string };
}

function makeServer(spec: ServerSpec): HostkeyFakeServer {
  const show = clone(showFixture) as unknown as Json;
  const sd = show.server_data as Json;
  Object.assign(sd, {
    id: spec.id,
    ref_tableName: spec.type,
    type: spec.type,
    Condition_Component: spec.status,
    status: spec.status,
    hwconfig: spec.hwconfig,
    due_date: spec.due,
    datePeriod: `${spec.due} 00:00:00`,
    days_left: Math.round((Date.parse(`${spec.due}T00:00:00Z`) - Date.now()) / DAY_MS),
  });
  const hw = show.hardware as Json;
  hw.vm = spec.vm ? 1 : 0;
  hw.config = spec.hwconfig;
  const ip = (show.IP as Json[])[0];
  if (ip) ip.IP = spec.ip;
  for (const t of show.tags as Json[]) t.component_id = spec.id;
  setTag(show, "hostname", spec.hostname);
  setTag(show, "password", spec.rootPass);
  setTag(show, "OS", spec.os);
  show.preset = spec.preset;
  show.preset_description = spec.presetDescription;
  const billing = clone(billingFixture) as unknown as Json;
  Object.assign(billing, {
    IP: spec.hostname,
    billing_domain: spec.hostname,
    billing_dedicatedip: spec.ip,
    billing_status: spec.billing.status,
    suspend_reason: spec.billing.suspendReason ?? "",
    billing_cycle: spec.billing.cycle,
    billing_reccuring: spec.billing.recurring,
    reg_date: spec.billing.regDate,
    next_due_date: spec.due,
    days_left: sd.days_left,
  });
  return { show, billing, power: spec.status === "power_off" ? "off" : "on" };
}

/**
 * Demo data: the seed's three server ids (line 294) with the eq/show example reshaped per server,
 * one due in 3 days and one suspended and past due; the seed's invoices plus a sixth (the seed says
 * "totalresults": 6 but shows 5), one overdue and one unpaid; the seed's OS list plus two Linux images.
 */
export function hostkeyDemoData(now = Date.now()): HostkeyFakeData {
  const day = (n: number) => hostkeyDay(n, now);
  const servers = [
    makeServer({
      id: 34533,
      hostname: "nl-vmmini",
      rootPass: "wK5Vjwx_BC", // the seed's value (line 3567)
      ip: "31.207.44.105",
      due: day(3),
      status: "rent",
      vm: true,
      type: "VPS",
      hwconfig: "4 vCore/4Gb/60Gb SSD",
      preset: "vm.mini",
      presetDescription: "VM instance 4/4/60 SSD",
      os: "Ubuntu 22.04",
      billing: { status: "Active", cycle: "Monthly", recurring: "5.00", regDate: day(-27) },
    }),
    makeServer({
      id: 32645,
      hostname: "nl-bm-storage",
      rootPass: "Qx9_vT2mLp",
      ip: "31.207.44.120",
      due: day(40),
      status: "rent",
      vm: false,
      type: "Dedicated",
      hwconfig: "BM i3/8/240",
      preset: "bm.v1-mini",
      presetDescription: "BM i3/8/240",
      os: "RockyLinux 8",
      billing: { status: "Active", cycle: "Monthly", recurring: "35.00", regDate: day(-140) },
    }),
    makeServer({
      id: 17405,
      hostname: "fi-vm-legacy",
      rootPass: "Zr4-hN8wQe",
      ip: "95.217.10.17",
      due: day(-2),
      status: "power_off",
      vm: true,
      type: "VPS",
      hwconfig: "1 vCore/1Gb/15Gb SSD",
      preset: "vm.pico",
      presetDescription: "VM instance 1/1/15 SSD",
      os: "Debian 11",
      billing: {
        status: "Suspended",
        cycle: "Quarterly",
        recurring: "9.00",
        regDate: day(-400),
        suspendReason: "Overdue on Payment",
      },
    }),
  ];

  const invoices = clone(invoicesFixture.invoices.invoice) as unknown as Json[];
  // [id, issued, due, paid] in days from now; status and amounts stay as documented.
  const moves: Record<string, [number, number, number | null]> = {
    "23455": [-10, -5, null], // Unpaid and past due: overdue
    "23451": [-4, 3, null], // Unpaid, due with server 34533's renewal
    "23449": [-4, 11, -4],
    "18580": [-34, -19, -34],
    "10116": [-64, -49, -64], // keeps the seed's invalid "2.5.00" subtotal (line 1759)
  };
  for (const inv of invoices) {
    const m = moves[String(inv.id)];
    if (!m) continue;
    inv.date = day(m[0]);
    inv.duedate = day(m[1]);
    inv.datepaid = m[2] === null ? "0000-00-00 00:00:00" : `${day(m[2])} 13:08:58`;
    inv.created_at = `${day(m[0])} 11:20:31`;
    inv.updated_at = m[2] === null ? inv.created_at : `${day(m[2])} 13:08:58`;
  }
  const template = invoices[invoices.length - 1] as Json;
  invoices.push({
    ...template,
    id: 9874,
    date: day(-95),
    duedate: day(-80),
    datepaid: "0000-00-00 00:00:00",
    date_cancelled: `${day(-70)} 09:00:00`,
    subtotal: "35.00",
    credit: "0.00",
    total: "35.00",
    status: "Cancelled",
    created_at: `${day(-95)} 10:00:00`,
    updated_at: `${day(-70)} 09:00:00`,
  });

  const osList = clone(osListFixture.os_list) as unknown as Json[];
  const rocky = osList[0] as Json;
  const linux = (id: number, name: string, family: string, kinds: string[]): Json => ({
    ...clone(rocky),
    id,
    name,
    tags: [
      ...kinds.map((k, i) => ({
        id: 90000 + id * 10 + i,
        tag: k,
        value: "true",
        extra: "",
        component_id: id,
        component: "OS",
        internal: 0,
      })),
      {
        id: 90000 + id * 10 + 9,
        tag: "family",
        value: family,
        extra: "50",
        component_id: id,
        component: "OS",
        internal: 0,
      },
    ],
  });
  osList.push(
    linux(187, "Ubuntu 22.04", "Ubuntu", ["bm", "gpu", "vgpu", "vm"]),
    linux(180, "Debian 11", "Debian", ["vm"]),
  );

  return {
    apiKey: HOSTKEY_FAKE_API_KEY,
    pin: HOSTKEY_FAKE_PIN,
    servers,
    client: clone(clientFixture) as unknown as Json,
    invoices,
    invoicePageSize: 5,
    honourPaging: true,
    osList,
    taskPendingPolls: 0,
    tokenTtlSeconds: 7200,
    showDelayMs: 0,
    loginShape: "nested",
    authFailure: AUTH_REQUIRED,
    noServers: false,
  };
}

function hex32(): string {
  return randomBytes(16).toString("hex");
}

/** The [ext] auth failure (PROVIDERS.md §1.4 "Refresh"); the seed documents none. */
const AUTH_REQUIRED = { code: -1, message: "authentication required" };

function failure(error: string): FakeResponse {
  return { json: { result: -1, error } };
}

export async function startHostkeyFake(
  opts: { port?: number; data?: Partial<HostkeyFakeData> } = {},
): Promise<HostkeyFake> {
  const data: HostkeyFakeData = { ...hostkeyDemoData(), ...opts.data };
  const tokens = new Map<string, number>();
  const tasks = new Map<string, HostkeyFakeTask>();
  const stats = { maxShowsInFlight: 0 };
  let showsInFlight = 0;

  const nowS = () => Math.floor(Date.now() / 1000);
  const serverIds = () =>
    data.tokenServers ?? data.servers.map((s) => String((s.show.server_data as Json).id));
  const findServer = (id: unknown) =>
    serverIds().includes(String(id))
      ? data.servers.find((s) => String((s.show.server_data as Json).id) === String(id))
      : undefined;
  const validToken = (token: unknown) => {
    const exp = typeof token === "string" ? tokens.get(token) : undefined;
    return exp !== undefined && exp > nowS();
  };
  const notFound = (id: unknown) => failure(`No server with ID ${String(id)} found`);

  function issueToken(): { token: string; expire: number } {
    // "If the token is requested again within this time, a valid token will be returned" (line 277).
    for (const [token, expire] of tokens) if (expire > nowS()) return { token, expire };
    const token = hex32();
    const expire = nowS() + data.tokenTtlSeconds;
    tokens.set(token, expire);
    return { token, expire };
  }

  /** True when the call may go on: the account has no PIN, or the right one was sent. */
  const pinOk = (p: Record<string, string>) => data.pin === null || p.pin === data.pin;

  function pinFailure(action: string, id: unknown): FakeResponse {
    // A wrong PIN still says "result": "OK" (line 968).
    return {
      json: { ...clone(pinFailureFixture), context: { action, id: String(id ?? "0") }, key: hex32() },
    };
  }

  function auth(p: Record<string, string>): FakeResponse {
    if (p.action === "login") {
      if (p.key !== data.apiKey) return { json: AUTH_REQUIRED };
      // HOSTKEY's Terraform provider, internal/invapi/client_test.go.
      if (data.noServers)
        return {
          json: { result: -1, error: "No appropriate servers found", code: "NO_APPROPRIATE_SERVERS" },
        };
      const { token, expire } = issueToken();
      const result = {
        ...clone(loginFixture.result),
        token,
        token_expire: expire,
        servers: serverIds().map(Number),
      };
      if (data.loginShape === "top")
        return { json: { token, token_expire: expire, servers: result.servers, role: result.role } };
      return { json: { result } };
    }
    if (!validToken(p.token)) return { json: clone(data.authFailure) };
    if (p.action === "info") {
      const result = {
        ...clone(infoFixture.result),
        servers: Object.fromEntries(serverIds().map((id) => [id, id])),
        token_expire: tokens.get(p.token as string),
      };
      return { json: { result } };
    }
    if (p.action === "logout") {
      tokens.delete(p.token as string);
      return { json: { result: "OK" } };
    }
    return failure("Unknown action");
  }

  function startTask(task: Omit<HostkeyFakeTask, "key">): FakeResponse {
    const key = hex32();
    tasks.set(key, { ...task, key });
    return {
      json: {
        result: "OK",
        action: task.action === "reinstall" ? "order_instance" : task.action,
        callback: key,
      },
    };
  }

  function powerTask(action: "on" | "off" | "reboot", server: HostkeyFakeServer, id: string): FakeResponse {
    const outcome = {
      on: ["Post is on", "Chassis Power Control: Up/On"],
      off: ["Post is off", "Chassis Power Control: Down/Off"],
      reboot: ["Post is rebooted", "Chassis Power Control: Cycle"],
    }[action];
    return startTask({
      action,
      serverId: id,
      pendingPolls: data.taskPendingPolls,
      finish: () => {
        server.power = action === "off" ? "off" : "on";
        return {
          result: "OK",
          scope: outcome[0],
          context: { action, id, location: "NL" },
          debug: outcome[1],
        };
      },
    });
  }

  async function eq(p: Record<string, string>): Promise<FakeResponse> {
    if (!validToken(p.token)) return { json: clone(data.authFailure) };
    switch (p.action) {
      case "show": {
        showsInFlight++;
        stats.maxShowsInFlight = Math.max(stats.maxShowsInFlight, showsInFlight);
        try {
          if (data.showDelayMs > 0) await new Promise((r) => setTimeout(r, data.showDelayMs));
        } finally {
          showsInFlight--;
        }
        const server = findServer(p.id);
        return server ? { json: clone(server.show) } : notFound(p.id);
      }
      case "on":
      case "off":
      case "reboot": {
        const server = findServer(p.id);
        if (!server) return notFound(p.id);
        if (!pinOk(p)) return pinFailure(p.action, p.id);
        return powerTask(p.action, server, String(p.id));
      }
      case "order_instance": {
        if (p.id === undefined)
          return failure("order_instance: ordering new servers is not simulated by this fake");
        const server = findServer(p.id);
        if (!server) return notFound(p.id);
        if (!pinOk(p)) return pinFailure("order_instance", p.id);
        const os = data.osList.find((o) => String(o.id) === p.os_id);
        const kind = (server.show.hardware as Json).vm === 1 ? "vm" : "bm";
        const fits = os && os.active === 1 && (os.tags as Json[]).some((t) => t.tag === kind);
        if (!fits) {
          // The documented incompatibility error (line 2721), with this server's words.
          const text = String(orderErrorFixture.error).replace(
            /extra software .* is/,
            `OS #${p.os_id ?? "?"} is`,
          );
          return failure(
            text.replace("Ubuntu 22.04", `this ${kind === "vm" ? "virtual" : "bare-metal"} server`),
          );
        }
        // HOSTKEY's root password rules (its Terraform provider's validators_root_pass.go).
        const pass = p.root_pass ?? "";
        if (
          !/^[A-Za-z0-9][A-Za-z0-9%_+-]{7,29}$/.test(pass) ||
          !/[A-Z]/.test(pass) ||
          !/[a-z]/.test(pass) ||
          !/[0-9]/.test(pass) ||
          !/[%_+-]/.test(pass)
        )
          return failure(
            "root_pass must be 8-30 characters with upper, lower, digit, and one of % - _ + (no @ or #), not starting with a special character",
          );
        if (server.reinstalling)
          return failure("Reinstall is already in progress, wait until it is complete");
        server.reinstalling = true;
        server.lastRootPass = pass;
        const id = String(p.id);
        return startTask({
          action: "reinstall",
          serverId: id,
          pendingPolls: Math.max(1, data.taskPendingPolls),
          finish: () => {
            server.reinstalling = false;
            setTag(server.show, "OS", String(os.name));
            setTag(server.show, "password", pass);
            if (p.hostname) setTag(server.show, "hostname", p.hostname);
            // Done: "deploy_done" with the server's id and IP (HOSTKEY's Terraform provider tests).
            const ip = String(((server.show.IP as Json[])[0] as Json | undefined)?.IP ?? "");
            return {
              result: "OK",
              scope: "deploy_done",
              context: { action: "reinstall", id, ip, location: "NL" },
            };
          },
        });
      }
      case "update_servers":
        return { json: { result: "OK" } };
      default:
        return failure("Unknown action");
    }
  }

  function whmcs(p: Record<string, string>): FakeResponse {
    if (!validToken(p.token)) return { json: clone(data.authFailure) };
    switch (p.action) {
      case "get_client":
        return { json: clone(data.client) };
      case "get_billing_data": {
        const server = findServer(p.id);
        return server ? { json: clone(server.billing) } : notFound(p.id);
      }
      case "get_invoices": {
        // Paging parameters are WHMCS's own ([ext], PROVIDERS.md §1.4 Pagination).
        const start = data.honourPaging ? Number(p.limitstart ?? 0) : 0;
        const num = data.honourPaging && p.limitnum !== undefined ? Number(p.limitnum) : data.invoicePageSize;
        const page = data.invoices.slice(start, start + num).map((i) => clone(i));
        return {
          json: {
            result: "success",
            totalresults: data.invoices.length,
            numreturned: page.length,
            invoices: { invoice: page },
          },
        };
      }
      case "request_cancellation": {
        const server = findServer(p.id);
        if (!server) return notFound(p.id);
        if (p.cancellation_type !== "0" && p.cancellation_type !== "1")
          return failure("cancellation_type is required: 1 immediate, 0 end of billing period");
        if (server.cancellation) return failure("A cancellation request already exists for this service");
        server.cancellation = {
          type: p.cancellation_type === "1" ? 1 : 0,
          reason: p.terminate_reason_custom ?? "",
        };
        if (server.cancellation.type === 1) server.billing.billing_status = "Cancelled";
        // The seed shows no positive answer (line 1790); WHMCS passthrough calls say "success".
        return { json: { result: "success" } };
      }
      case "get_cancellation_requests":
        return {
          json: {
            result: "OK",
            requests: data.servers
              .filter((s) => s.cancellation)
              .map((s) => ({
                id: (s.show.server_data as Json).id,
                type: s.cancellation?.type,
                reason: s.cancellation?.reason,
              })),
          },
        };
      default:
        return failure("Unknown action");
    }
  }

  function callback(p: Record<string, string>): FakeResponse {
    if (p.action !== "check") return failure("Unknown action");
    const key = p.key ?? p.reinstall_key ?? "";
    const task = tasks.get(key);
    if (!task) return failure("Key not found");
    if (task.pendingPolls > 0) {
      task.pendingPolls--;
      // A running deploy answers "OK" with scope "pending" (Terraform provider tests), or a stage.
      if (task.action === "reinstall")
        return {
          json:
            task.pendingPolls % 2 === 0
              ? { result: "OK", scope: "pending", context: { id: "", ip: "" }, key }
              : {
                  ...clone(stageFixture),
                  context: { action: "reinstall", id: task.serverId, location: "NL" },
                  key,
                },
        };
      return { json: { result: "Not ready", key } };
    }
    // "key … become deleted after successful response OK" ([ext], PROVIDERS.md §1.4 Async).
    tasks.delete(key);
    return { json: { ...task.finish(), key } };
  }

  const server = await startFakeServer(
    async (req: FakeRequest): Promise<FakeResponse> => {
      const form = req.body && typeof req.body === "object" ? (req.body as Record<string, string>) : {};
      const p: Record<string, string> = { ...Object.fromEntries(req.query), ...form };
      switch (req.path) {
        case "/auth.php":
          return auth(p);
        case "/eq.php":
          return eq(p);
        case "/whmcs.php":
          return whmcs(p);
        case "/os.php":
          // "Session token is not required" (line 2112).
          return p.action === "list"
            ? { json: { result: "OK", action: "list", os_list: data.osList.map((o) => clone(o)) } }
            : failure("Unknown action");
        case "/eq_callback.php":
          return callback(p);
        default:
          return { status: 404, text: "404 Not Found" };
      }
    },
    { port: opts.port },
  );

  return {
    ...server,
    kind: "hostkey",
    baseUrl: server.origin,
    credentials: { apiKey: data.apiKey },
    wrongCredentials: { apiKey: "0cab0c5b2e51d7a9-6f0e3d2c1b0a9f8e" },
    armEnvelopeError() {
      // The documented in-200 failure (line 2721), on the next call after the login.
      server.fault(
        { kind: "json", json: { result: -1, error: "Internal error, please try again later" } },
        { times: 1, match: (r) => (r.body as Record<string, string> | undefined)?.action !== "login" },
      );
    },
    data,
    tasks,
    tokens,
    stats,
    expireTokens() {
      for (const token of tokens.keys()) tokens.set(token, nowS() - 1);
    },
  };
}
