import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { type FakeRequest, type FakeResponse, startFakeServer } from "./fake-server.ts";
import type { ProviderFake } from "./types.ts";

/**
 * Fake HostBill "User API" serving both Hostens and Time4VPS (same API, PROVIDERS.md section 3):
 * HTTP Basic auth answered like HostBill (`{"error":["wronglogin"]}` with HTTP 200), the documented
 * routes with the documented example shapes (fixtures/hostbill/, copied from the seeds), and
 * mutable demo data whose dates are relative to the start time. Time4VPS has no domain routes:
 * they answer 404 there. See fixtures/hostbill/README.md for what the seeds leave open.
 */

/**
 * "hostbill" is a third HostBill host under another name (the sandbox calls it Acme Hosting): the
 * Hostens example shapes, in GBP, with or without the domain routes (`domains`).
 */
export type HostBillFakeKind = "hostens" | "time4vps" | "hostbill";

type Json = Record<string, unknown>;

function fixture<T = Json>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/hostbill/${name}`, import.meta.url), "utf8")) as T;
}

/** The first example of a fixture's list (the template the demo data is made from). */
function firstOf<T>(items: T[], name: string): T {
  const [item] = items;
  if (item === undefined) throw new Error(`fixtures/hostbill/${name} holds no example`);
  return item;
}

/** A service as GET /service/@id shows it, plus the list-only `category` fields. */
export interface FakeService {
  id: string;
  date_created: string;
  domain: string;
  firstpayment: string;
  total: string;
  billingcycle: string;
  next_due: string;
  next_invoice: string;
  status: string;
  label: string;
  username: string;
  /** Only Hostens shows it (hostens-service.json); Time4VPS's example has none. */
  password?: string;
  name: string;
  category: string;
  category_url: string;
}

/** GET /server/@server_id shape (hostens-server.json) plus the list fields of GET /server. */
export type FakeServer = Json & {
  domain: string;
  ip: string;
  status: string;
  os: string;
  label: string;
  date_created: string;
  type: string;
  active_task: unknown;
  last_tasks: unknown;
};

export interface FakeInvoice {
  id: string;
  date: string;
  dateorig: string;
  duedate: string;
  paybefore: string;
  total: string;
  datepaid: string;
  status: string;
  merge_id: null;
  number: string;
  currency: string;
}

export interface FakeDomain {
  id: string;
  name: string;
  date_created: string;
  firstpayment: string;
  recurring_amount: string;
  period: string;
  expires: string;
  status: string;
  next_due: string;
  next_invoice: string;
  idprotection: string;
  nameservers: string[];
  autorenew: string;
}

export interface FakeTask {
  id: string;
  serverId: string;
  name: string;
  activated: string;
  assigned: string;
  completed: string;
  results: string;
  /** Results text once done (may carry a password, like the real API's). */
  finalResults: string;
  polls: number;
}

export interface HostBillFakeData {
  client: Json;
  currency: string;
  accBalance: string;
  accCredit: string;
  services: FakeService[];
  /** Keyed by server id, which is the service id (PROVIDERS.md 1.2 "Ids"). */
  servers: Record<string, FakeServer>;
  invoices: FakeInvoice[];
  /** Hostens only. */
  domains: FakeDomain[];
  oses: { os: string; title: string }[];
  payments: Record<string, string>;
}

export interface HostBillFakeOptions {
  kind?: HostBillFakeKind;
  /** Whether the domain routes exist (default: every kind but Time4VPS). */
  domains?: boolean;
  port?: number;
  /** Replaces parts of the demo data. */
  data?: Partial<HostBillFakeData>;
  /** Clock for the demo dates (default: now). */
  now?: Date;
  /** Polls that still see a task running before it completes (default 0: the next poll sees it done). */
  taskPollsBeforeDone?: number;
  /**
   * The `results` a finished task answers, by task name (e.g. to plant a password in the markup
   * of a reinstall). Default: the real Time4VPS form for a reinstall (see reinstallResults).
   */
  taskResults?: Partial<Record<string, string>>;
}

/**
 * The results of a finished reinstall as Time4VPS writes them: the new root password hidden in
 * an HTML link (github.com/vladmesh/codegen_orchestrator shared/tests/unit/test_time4vps_client.py,
 * test/fixtures/real/time4vps/SOURCES.md).
 */
export function reinstallResults(password: string): string {
  return `Password: \t<a onclick='this.innerHTML = "${password}"'>Click here to show password</a>`;
}

export interface HostBillFake extends ProviderFake {
  kind: HostBillFakeKind;
  /** The live, mutable data the fake serves (reboots, renewals and cancellations change it). */
  state: HostBillFakeData;
  tasks: Map<string, FakeTask>;
  cancellations: { serviceId: string; immediate: unknown; reason: unknown }[];
  /** Next request answers HTTP 200 `{"error":[message]}` (default "wronglogin", the documented one). */
  armEnvelopeError(message?: string): void;
}

const DAY_MS = 86_400_000;
/** "YYYY-MM-DD", `offset` days from `now` (UTC). */
export function fakeDay(now: Date, offset: number): string {
  return new Date(now.getTime() + offset * DAY_MS).toISOString().slice(0, 10);
}
const isoSeconds = (d: Date) => `${d.toISOString().slice(0, 19)}+00:00`;

/** Demo data: documented shapes, dates relative to `now`; one service due in 3 days, one overdue invoice. */
export function hostbillDemoData(
  fakeKind: HostBillFakeKind,
  now: Date = new Date(),
  withDomains = fakeKind !== "time4vps",
): HostBillFakeData {
  // The other host serves the Hostens example shapes (its own fixtures would be guesses).
  const kind = fakeKind === "hostbill" ? "hostens" : fakeKind;
  const day = (n: number) => fakeDay(now, n);
  const details = fixture<{ client: Json }>("details.json");
  const balance = fixture<{ details: { currency: string } }>("balance.json");
  const invoiceTpl = firstOf(fixture<{ invoices: FakeInvoice[] }>("invoices.json").invoices, "invoices.json");
  const serviceTpl = fixture<{ service: FakeService }>(`${kind}-service.json`).service;
  const listTpl = firstOf(fixture<{ services: FakeService[] }>("services.json").services, "services.json");
  const serverTpl = fixture<FakeServer>(`${kind}-server.json`);
  const serverListTpl = fixture<FakeServer>(`${kind}-server-list.json`);
  const domainTpl = fixture<{ details: FakeDomain }>("domain.json").details;
  const vps = kind === "hostens" ? "Linux VPS" : "Linux 4";
  const vpsCategory =
    kind === "hostens"
      ? { category: "VPS", category_url: "vps" }
      : { category: "Linux VPS", category_url: "linux-vps" };

  const svc = (over: Partial<FakeService>): FakeService => {
    const s: FakeService = {
      ...serviceTpl,
      category: listTpl.category,
      category_url: listTpl.category_url,
      ...over,
    };
    if (kind === "time4vps") delete s.password;
    return s;
  };
  const services: FakeService[] = [
    // The seed's own example (lines 1985-2001), due in 40 days.
    svc({ date_created: day(-325), next_due: day(40), next_invoice: day(33) }),
    svc({
      id: "302",
      domain: "vps1.example.com",
      name: vps,
      total: "4.99",
      firstpayment: "4.99",
      status: "Active",
      next_due: day(3),
      next_invoice: day(-4),
      date_created: day(-90),
      username: "root",
      ...vpsCategory,
    }),
    svc({
      id: "303",
      domain: "vps2.example.com",
      name: vps,
      total: "47.88",
      firstpayment: "47.88",
      billingcycle: "Annually",
      status: "Pending",
      next_due: day(0),
      next_invoice: day(0),
      date_created: day(0),
      username: "",
      ...vpsCategory,
    }),
    svc({
      id: "304",
      domain: "old.example.com",
      name: vps,
      total: "4.99",
      firstpayment: "4.99",
      status: "Suspended",
      next_due: day(-12),
      next_invoice: day(-19),
      date_created: day(-200),
      username: "root",
      ...vpsCategory,
    }),
  ];
  // GET /server/@id has no id field; GET /server adds server_id from the key.
  const server = (over: Partial<FakeServer>): FakeServer => ({
    ...serverTpl,
    date_created: String(serverListTpl.date_created),
    type: String(serverListTpl.type),
    ...over,
    active_task: null,
    last_tasks: null,
  });
  const servers: Record<string, FakeServer> = {
    "302": server({ domain: "vps1.example.com", label: "web", status: "Active", date_created: day(-90) }),
    "304": server({
      domain: "old.example.com",
      label: "old",
      ip: "124.124.124.126",
      additional_ip: [],
      status: "Suspended",
      date_created: day(-200),
    }),
  };

  const currency = fakeKind === "hostbill" ? "GBP" : kind === "time4vps" ? "EUR" : balance.details.currency;
  const invoice = (over: Partial<FakeInvoice>): FakeInvoice => ({ ...invoiceTpl, currency, ...over });
  const invoices: FakeInvoice[] = [
    // The seed's paid invoice (lines 753-769), a month ago.
    invoice({
      date: day(-30),
      dateorig: day(-30),
      duedate: day(-23),
      paybefore: day(-23),
      datepaid: `${day(-30)} 12:40:47`,
    }),
    invoice({
      id: "308977",
      date: day(-2),
      dateorig: day(-2),
      duedate: day(5),
      paybefore: day(5),
      total: "4.99",
      datepaid: "0000-00-00 00:00:00",
      status: "Unpaid",
      number: "2016/12/2",
    }),
    invoice({
      id: "308978",
      date: day(-20),
      dateorig: day(-20),
      duedate: day(-13),
      paybefore: day(-13),
      total: "9.99",
      datepaid: "0000-00-00 00:00:00",
      status: "Unpaid",
      number: "2016/12/3",
    }),
    invoice({
      id: "308979",
      date: day(-60),
      dateorig: day(-60),
      duedate: day(-53),
      paybefore: day(-53),
      total: "4.99",
      datepaid: "0000-00-00 00:00:00",
      status: "Cancelled",
      number: "2016/12/4",
    }),
  ];

  const domain = (over: Partial<FakeDomain>): FakeDomain => ({
    ...domainTpl,
    nameservers: [...domainTpl.nameservers],
    ...over,
  });
  const domains: FakeDomain[] =
    kind === "hostens" && withDomains
      ? [
          // The seed's example (lines 971-992), expiring in 20 days.
          domain({ date_created: day(-345), expires: day(20), next_due: day(20), next_invoice: day(6) }),
          domain({
            id: "48",
            name: "example-shop.com",
            date_created: day(-359),
            expires: day(6),
            next_due: day(6),
            next_invoice: day(-8),
            autorenew: "0",
          }),
          domain({
            id: "49",
            name: "old-project.net",
            date_created: day(-395),
            expires: day(-30),
            next_due: day(-30),
            next_invoice: day(-44),
            status: "Expired",
            autorenew: "0",
          }),
        ]
      : [];

  return {
    client: details.client,
    currency,
    accBalance: "14.98",
    accCredit: "25.50",
    services,
    servers,
    invoices,
    domains,
    oses: [
      ...fixture<{ os: string; title: string }[]>("oses.json"),
      { os: "ubuntu-22.04-x86_64", title: "Ubuntu 22.04" },
      { os: "debian-12-x86_64", title: "Debian 12" },
    ],
    payments: fixture<{ payments: Record<string, string> }>("payment.json").payments,
  };
}

/** Cents arithmetic for the fake's own bookkeeping. */
const cents = (s: string) => Math.round(Number(s) * 100);
const money = (c: number) => (c / 100).toFixed(2);

export async function startHostBillFake(opts: HostBillFakeOptions = {}): Promise<HostBillFake> {
  const kind = opts.kind ?? "hostens";
  const withDomains = opts.domains ?? kind !== "time4vps";
  const now = opts.now ?? new Date();
  const state: HostBillFakeData = { ...hostbillDemoData(kind, now, withDomains), ...opts.data };
  const tasks = new Map<string, FakeTask>();
  const cancellations: HostBillFake["cancellations"] = [];
  const pollsBeforeDone = opts.taskPollsBeforeDone ?? 0;
  let nextTaskId = 77995; // reboot.json
  let nextOrder = 563647680; // domain-order.json + 1
  let nextInvoice = 308980;

  const credentials = { username: "api@example.com", password: "fake-HostBill-pass-7f3a" };
  const wrongCredentials = { username: "api@example.com", password: "wrong-HostBill-pass-0000" };
  const expectedAuth = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;

  const ok = (json: unknown): FakeResponse => ({ status: 200, json });
  const error = (message: string, status = 200): FakeResponse => ({ status, json: { error: [message] } });
  const notFound = (what: string) => error(`${what} not found`, 404);

  const findService = (id: string) => state.services.find((s) => s.id === id);
  const findDomain = (id: string) => state.domains.find((d) => d.id === id);

  function serviceDetail(s: FakeService): Json {
    const { category: _c, category_url: _u, ...detail } = s;
    return detail;
  }
  function serviceListItem(s: FakeService): Json {
    const { id, domain, total, status, billingcycle, next_due, category, category_url, name } = s;
    return { id, domain, total, status, billingcycle, next_due, category, category_url, name };
  }
  function serverDetail(id: string): Json | undefined {
    const srv = state.servers[id];
    if (!srv) return undefined;
    const { date_created: _d, type: _t, ...detail } = srv;
    return detail;
  }
  function domainListItem(d: FakeDomain): Json {
    const days = Math.round(
      (Date.parse(`${d.expires}T00:00:00Z`) - Date.parse(`${fakeDay(new Date(), 0)}T00:00:00Z`)) / DAY_MS,
    );
    const { id, name, expires, recurring_amount, date_created, status, period, autorenew } = d;
    return {
      id,
      name,
      expires,
      recurring_amount,
      date_created,
      status,
      period,
      autorenew,
      daytoexpire: String(days),
    };
  }

  function startTask(serverId: string, name: string, finalResults: string): FakeResponse {
    const srv = state.servers[serverId];
    if (!srv) return notFound("Server");
    // "You can run one task per server at a time" (line 3401); the error text is not documented.
    if (srv.active_task) return error("You can run one task per server at a time");
    const id = String(nextTaskId++);
    const task: FakeTask = {
      id,
      serverId,
      name,
      activated: isoSeconds(new Date()),
      assigned: "",
      completed: "",
      results: "",
      finalResults,
      polls: 0,
    };
    tasks.set(id, task);
    // The official WHMCS module shows `active_task.activated` while a server is busy.
    srv.active_task = { id: Number(id), name, activated: task.activated };
    return ok({ task_id: Number(id) });
  }

  function pollTask(serverId: string, taskId: string): FakeResponse {
    const task = tasks.get(taskId);
    if (!task || task.serverId !== serverId) return error("Invalid task ID");
    task.polls += 1;
    const at = isoSeconds(new Date());
    if (task.polls > pollsBeforeDone && task.completed === "") {
      task.assigned ||= at;
      task.completed = at;
      task.results = task.finalResults;
      const srv = state.servers[serverId];
      if (srv) {
        srv.active_task = null;
        const { name, activated, assigned, completed, results } = task;
        srv.last_tasks = [{ name, activated, assigned, completed, results }];
      }
    } else if (task.completed === "" && task.polls > 0) {
      task.assigned ||= at;
    }
    const { name, activated, assigned, completed, results } = task;
    return ok({ name, activated, assigned, completed, results });
  }

  /** A route's path parameters (its regex groups, in order; at most two). */
  type Params = [first: string, second: string];
  type Route = [method: string, path: RegExp, handler: (params: Params, body: Json) => FakeResponse];
  const routes: Route[] = [
    ["GET", /^\/details$/, () => ok({ client: state.client })],
    [
      "GET",
      /^\/balance$/,
      () =>
        ok({
          success: true,
          details: { currency: state.currency, acc_balance: state.accBalance, acc_credit: state.accCredit },
        }),
    ],
    ["GET", /^\/invoice$/, () => ok({ invoices: state.invoices })],
    ["GET", /^\/invoice\/(\d+)$/, ([id]) => invoiceDetail(id)],
    ["GET", /^\/payment$/, () => ok({ payments: state.payments })],
    ["GET", /^\/service$/, () => ok({ services: state.services.map(serviceListItem) })],
    [
      "GET",
      /^\/service\/(\d+)$/,
      ([id]) => {
        const s = findService(id);
        return s ? ok({ service: serviceDetail(s) }) : notFound("Service");
      },
    ],
    ["POST", /^\/service\/(\d+)\/cancel$/, ([id], body) => cancelService(id, body)],
    ["GET", /^\/server$/, () => serverList()],
    [
      "GET",
      /^\/server\/(\d+)$/,
      ([id]) => {
        const d = serverDetail(id);
        return d ? ok(d) : notFound("Server");
      },
    ],
    ["GET", /^\/server\/(\d+)\/oses$/, ([id]) => (state.servers[id] ? ok(state.oses) : notFound("Server"))],
    ["GET", /^\/server\/(\d+)\/task\/(\d+)$/, ([id, task]) => pollTask(id, task)],
    [
      "POST",
      /^\/server\/(\d+)\/reboot$/,
      ([id]) => startTask(id, "server_reboot", opts.taskResults?.server_reboot ?? "VM rebooted successfully"),
    ],
    ["POST", /^\/server\/(\d+)\/reinstall$/, ([id], body) => reinstall(id, body)],
  ];
  // The 19 domain routes exist on Hostens only (PROVIDERS.md 3.2); Time4VPS answers 404.
  if (withDomains)
    routes.push(
      ["GET", /^\/domain$/, () => ok({ domains: state.domains.map(domainListItem) })],
      [
        "GET",
        /^\/domain\/(\d+)$/,
        ([id]) => {
          const d = findDomain(id);
          return d ? ok({ details: d }) : notFound("Domain");
        },
      ],
      ["PUT", /^\/domain\/(\d+)\/ns$/, ([id], body) => setNameservers(id, body)],
      ["POST", /^\/domain\/(\d+)\/renew$/, ([id], body) => renewDomain(id, body)],
    );

  function invoiceDetail(id: string): FakeResponse {
    const inv = state.invoices.find((i) => i.id === id);
    if (!inv) return notFound("Invoice");
    const tpl = fixture<{ invoice: Json }>("invoice.json").invoice;
    const total = Number(inv.total);
    return ok({
      invoice: {
        ...tpl,
        id: inv.id,
        status: inv.status,
        date: inv.date,
        duedate: inv.duedate,
        paybefore: inv.paybefore,
        datepaid: inv.datepaid,
        subtotal: total,
        tax: 0,
        total,
        number: inv.number,
        currency: inv.currency,
      },
    });
  }

  function cancelService(id: string, body: Json): FakeResponse {
    const s = findService(id);
    if (!s) return notFound("Service");
    cancellations.push({ serviceId: s.id, immediate: body.immediate, reason: body.reason });
    if (body.immediate === true || body.immediate === "true") {
      s.status = "Cancelled";
      const srv = state.servers[s.id];
      if (srv) srv.status = "Cancelled";
    }
    return ok(fixture("service-cancel.json"));
  }

  function serverList(): FakeResponse {
    // Only active servers (line 3403); documented as one bare object, served as a list (HS-6).
    const active = Object.entries(state.servers).filter(([, s]) => s.status === "Active");
    return ok(
      active.map(([id, s]) => ({
        server_id: Number(id),
        domain: s.domain,
        ip: s.ip,
        date_created: s.date_created,
        synch_date: "2017-01-31 15:35:00",
        label: s.label,
        type: s.type,
      })),
    );
  }

  function reinstall(id: string, body: Json): FakeResponse {
    const srv = state.servers[id];
    if (!srv) return notFound("Server");
    const os = state.oses.find((o) => o.os === body.os);
    if (!os) return error("Invalid OS template");
    // The new root password comes back in the task results ([ext] PROVIDERS.md 1.2).
    const started = startTask(
      id,
      "server_recreate",
      opts.taskResults?.server_recreate ?? reinstallResults(randomBytes(6).toString("hex")),
    );
    if ((started.json as Json | undefined)?.task_id !== undefined) srv.os = os.os;
    return started;
  }

  function setNameservers(id: string, body: Json): FakeResponse {
    const d = findDomain(id);
    if (!d) return notFound("Domain");
    const ns = body.nameservers;
    if (ns !== undefined && !(Array.isArray(ns) && ns.every((n) => typeof n === "string")))
      return error("Invalid nameservers");
    // "if $nameservers is left empty, default namesevers will be used" (line 1087).
    d.nameservers =
      Array.isArray(ns) && ns.length > 0 ? [...(ns as string[])] : ["ns1.hostens.com", "ns2.hostens.com"];
    return ok(fixture("domain-ns.json"));
  }

  function renewDomain(id: string, body: Json): FakeResponse {
    const d = findDomain(id);
    if (!d) return notFound("Domain");
    const years = Number(body.years);
    if (!Number.isInteger(years) || years < 1 || years > 10) return error("Invalid number of years");
    if (!(String(body.pay_method) in state.payments)) return error("Invalid payment method");
    const base = new Date(Math.max(Date.parse(`${d.expires}T00:00:00Z`), Date.now()));
    base.setUTCFullYear(base.getUTCFullYear() + years);
    d.expires = base.toISOString().slice(0, 10);
    d.next_due = d.expires;
    d.status = "Active";
    const total = money(cents(d.recurring_amount) * years);
    const invoiceId = String(nextInvoice++);
    const today = new Date();
    state.invoices.push({
      id: invoiceId,
      date: fakeDay(today, 0),
      dateorig: fakeDay(today, 0),
      duedate: fakeDay(today, 7),
      paybefore: fakeDay(today, 7),
      total,
      datepaid: "0000-00-00 00:00:00",
      status: "Unpaid",
      merge_id: null,
      number: `${today.getUTCFullYear()}/${invoiceId}`,
      currency: state.currency,
    });
    state.accBalance = money(cents(state.accBalance) + cents(total));
    // POST /domain/@id/renew documents no answer (HS-16): answer like POST /domain/order.
    const order = fixture<Json & { items: Json }>("domain-order.json");
    return ok({
      ...order,
      order_num: nextOrder++,
      invoice_id: invoiceId,
      total,
      items: { ...order.items, type: "Domain Renew", name: d.name },
    });
  }

  function route(req: FakeRequest): FakeResponse {
    if (!req.path.startsWith("/api/")) return notFound("Page");
    // HTTP Basic on every call; HostBill answers a bad login with HTTP 200 (PROVIDERS.md 1.2).
    if (req.headers.authorization !== expectedAuth) return error("wronglogin");
    const path = req.path.slice("/api".length).replace(/\/+$/, "");
    const body = (req.body && typeof req.body === "object" ? req.body : {}) as Json;
    for (const [method, re, handler] of routes) {
      const match = re.exec(path);
      if (method === req.method && match) {
        const [, first = "", second = ""] = match;
        return handler([first, second], body);
      }
    }
    return notFound("Route");
  }

  const server = await startFakeServer((req) => route(req), { port: opts.port });
  return {
    ...server,
    kind,
    baseUrl: `${server.origin}/api`,
    credentials,
    wrongCredentials,
    state,
    tasks,
    cancellations,
    armEnvelopeError(message = "wronglogin") {
      server.fault({ kind: "json", json: { error: [message] } }, { times: 1 });
    },
  };
}

export const startHostensFake = (opts: Omit<HostBillFakeOptions, "kind"> = {}) =>
  startHostBillFake({ ...opts, kind: "hostens" });
export const startTime4vpsFake = (opts: Omit<HostBillFakeOptions, "kind"> = {}) =>
  startHostBillFake({ ...opts, kind: "time4vps" });
