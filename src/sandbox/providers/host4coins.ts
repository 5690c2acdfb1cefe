import { readFileSync } from "node:fs";
import { type FakeRequest, type FakeResponse, startFakeServer } from "./fake-server.ts";
import type { ProviderFake } from "./types.ts";

/**
 * A fake Host4Coins REST v1 (shared/seeds/host4coins-api-v1.txt) for tests and the try-it sandbox.
 * Paths live under /api/v1/ like the real endpoint (seed line 5). Every request needs the
 * `apipublic` and `apiprivate` headers (lines 22-26); anything else gets HTTP 401 (line 15).
 *
 * The seed documents statuses but never an error body (lines 9-20, H4C-12), so error answers here
 * carry a short `{"error": "..."}`: the driver must cope without it and never relies on it.
 * Where the seed leaves a JSON type open (H4C-1) the fake picks one: ids and catalog numbers as
 * strings (as in the catalog example), sats amounts and the balance as numbers, dates as
 * "YYYY-MM-DD HH:MM:SS" in UTC.
 */

export interface H4cRenewOption {
  id: string;
  name: string;
  description: string;
  price: string;
  currency: string;
  period: string;
}

/** A service as GET /services shows it (seed lines 210-223), plus what the details add. */
export interface H4cServiceRow {
  id: string;
  family: string;
  description: string;
  start_dt: string;
  end_dt: string;
  status: string;
  operating_system: string;
  ssh_key: string;
  host_name: string;
  ipv4: string;
  ipv6: string;
  autorenew: string;
  /** `renew_options` of the details: "None" or a list (seed line 247). Not shown in the list. */
  renew_options: H4cRenewOption[] | "None";
}

export interface H4cInvoiceRow {
  btcpay_id: string;
  date: string;
  amount: number;
  btcpay_status: string;
}

export interface H4cDomainRow {
  id: string;
  family: string;
  description: string;
  start_dt: string;
  end_dt: string;
  status: string;
  autorenew: string;
}

export interface H4cTaskRow {
  service_id: string;
  service_family: string;
  service_description: string;
  host_name: string;
  action: string;
  status_extended: string;
  status: string;
  dt_pending: string;
}

export interface H4cActivityRow {
  date: string;
  reason: string;
  amount: number;
  method: string;
}

export interface Host4CoinsFakeData {
  /** Satoshis (the unit is not documented; see src/providers/host4coins/readme.md). */
  balance: number | string;
  services: H4cServiceRow[];
  invoices: H4cInvoiceRow[];
  domains: H4cDomainRow[];
  tasks: H4cTaskRow[];
  activity: H4cActivityRow[];
  sshKeys: { name: string; value: string }[];
  operatingSystems: Record<string, string>;
}

export interface Host4CoinsFake extends ProviderFake {
  /** Live state: tests and the sandbox read and change it. */
  state: Host4CoinsFakeData;
  /** The instant the demo dates were built from. */
  now: number;
}

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/host4coins/${name}`, import.meta.url), "utf8"));

interface CatalogItem extends H4cRenewOption {
  family: string;
}
const CATALOG = fixture("catalog.json") as {
  catalog: {
    services: CatalogItem[];
    domains: CatalogItem[];
    rates: { currency: string; rate: { rate: string } }[];
  };
  total_count: number;
};
const OPERATING_SYSTEMS = (fixture("operating-systems.json") as { operating_systems: Record<string, string> })
  .operating_systems;
const RRTYPES = fixture("rrtypes.json");

const DAY = 86_400_000;

/** "YYYY-MM-DD HH:MM:SS" in UTC: the seed shows no format (H4C-11), this is one H4C could send. */
export function h4cDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

function option(catalogId: string): H4cRenewOption {
  const item = CATALOG.catalog.services.find((s) => s.id === catalogId);
  if (!item) throw new Error(`no catalog item ${catalogId}`);
  const { id, name, description, price, currency, period } = item;
  return { id, name, description, price, currency, period };
}

/** Demo account: one VPS expiring in 3 days, one unpaid invoice, one expired service and domain. */
export function host4coinsDemoData(now = Date.now()): Host4CoinsFakeData {
  const small = "0.5 vCPU - 0.5 GB RAM - 16 GB Storage";
  return {
    balance: 150000,
    services: [
      {
        id: "101",
        family: "VPS_S",
        description: small,
        start_dt: h4cDate(now - 27 * DAY),
        end_dt: h4cDate(now + 3 * DAY),
        status: "running",
        operating_system: "Debian 10",
        ssh_key: "ssh1",
        host_name: "alpha.h4c-demo.net",
        ipv4: "203.0.113.11",
        ipv6: "2001:db8::11",
        autorenew: "no",
        // Yearly first, so that "cheapest" and "first" differ.
        renew_options: [option("4"), option("1")],
      },
      {
        id: "102",
        family: "VPS_M",
        description: "1 vCPU - 1 GB RAM - 32 GB Storage",
        start_dt: h4cDate(now - 320 * DAY),
        end_dt: h4cDate(now + 40 * DAY),
        status: "running",
        operating_system: "Ubuntu Server 18.04 LTS",
        ssh_key: "ssh1",
        host_name: "bravo.h4c-demo.net",
        ipv4: "203.0.113.12",
        ipv6: "2001:db8::12",
        autorenew: "yes",
        renew_options: [option("2")],
      },
      {
        id: "103",
        family: "VPS_S",
        description: small,
        start_dt: h4cDate(now - 65 * DAY),
        end_dt: h4cDate(now - 5 * DAY),
        status: "expired",
        operating_system: "Debian 10",
        ssh_key: "old-laptop",
        host_name: "charlie.h4c-demo.net",
        ipv4: "203.0.113.13",
        ipv6: "2001:db8::13",
        autorenew: "no",
        renew_options: [option("1")],
      },
      {
        id: "104",
        family: "VPS_L",
        description: "2 vCPU - 4 GB RAM - 80 GB Storage",
        start_dt: h4cDate(now - 600_000),
        end_dt: h4cDate(now + 30 * DAY),
        status: "installing",
        operating_system: "Debian 12",
        ssh_key: "ssh1",
        host_name: "delta.h4c-demo.net",
        ipv4: "203.0.113.14",
        ipv6: "2001:db8::14",
        autorenew: "no",
        renew_options: "None",
      },
    ],
    invoices: [
      {
        btcpay_id: "8Xq2mVt4LsJ9pRw3NkYc7A",
        date: h4cDate(now - 2 * 3_600_000),
        amount: 100000,
        btcpay_status: "new",
      },
      {
        btcpay_id: "3FvBn7KpQw2ZxTe9LmHd4S",
        date: h4cDate(now - 20 * DAY),
        amount: 250000,
        btcpay_status: "complete",
      },
      {
        btcpay_id: "7YhGt5RcVb8NmKq1WsXe6P",
        date: h4cDate(now - 45 * DAY),
        amount: 50000,
        btcpay_status: "expired",
      },
      {
        btcpay_id: "2LpQs8DfGh4JkZx6CvBn9M",
        date: h4cDate(now - 60 * DAY),
        amount: 120000,
        btcpay_status: "confirmed",
      },
    ],
    domains: [
      {
        id: "136",
        family: "DOM_BEST",
        description: "host4coins.best",
        start_dt: h4cDate(now - 345 * DAY),
        end_dt: h4cDate(now + 20 * DAY),
        status: "running",
        autorenew: "yes",
      },
      {
        id: "137",
        family: "DOM_UK",
        description: "h4c-demo.uk",
        start_dt: h4cDate(now - 375 * DAY),
        end_dt: h4cDate(now - 10 * DAY),
        status: "expired",
        autorenew: "no",
      },
    ],
    tasks: [
      {
        service_id: "102",
        service_family: "VPS_M",
        service_description: "1 vCPU - 1 GB RAM - 32 GB Storage",
        host_name: "bravo.h4c-demo.net",
        action: "change_ssh_key",
        status_extended: "SSH key changed, server rebooted",
        status: "done",
        dt_pending: h4cDate(now - 3 * DAY),
      },
      {
        service_id: "103",
        service_family: "VPS_S",
        service_description: small,
        host_name: "charlie.h4c-demo.net",
        action: "change_ssh_key",
        status_extended: "service expired",
        status: "failed",
        dt_pending: h4cDate(now - 6 * DAY),
      },
    ],
    activity: [
      { date: h4cDate(now - 20 * DAY), reason: "added account balance", amount: 250000, method: "lightning" },
      { date: h4cDate(now - 27 * DAY), reason: "bought a new service", amount: 8000, method: "balance" },
    ],
    sshKeys: [
      {
        name: "ssh1",
        value: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoKeyOnlyForTheFakeServer0000000000 demo@h4c",
      },
      {
        name: "old-laptop",
        value: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOldLaptopDemoKey00000000000000000000 old@h4c",
      },
    ],
    operatingSystems: { ...OPERATING_SYSTEMS },
  };
}

export const HOST4COINS_FAKE_CREDENTIALS = {
  apiPublic: "h4c-pub-3f9a1c7d",
  apiPrivate: "h4c-priv-8e2b6f04a9d1",
};
/** Well-formed but unknown to the fake: the right public part with a wrong private part. */
export const HOST4COINS_WRONG_CREDENTIALS = {
  apiPublic: "h4c-pub-3f9a1c7d",
  apiPrivate: "h4c-priv-0000dead0000",
};

const BASE = "/api/v1";

export async function startHost4coinsFake(
  opts: { port?: number; data?: Partial<Host4CoinsFakeData>; now?: number } = {},
): Promise<Host4CoinsFake> {
  const now = opts.now ?? Date.now();
  const state: Host4CoinsFakeData = { ...host4coinsDemoData(now), ...opts.data };
  // Tasks move on in time with the polls: a new task is "pending", done on the next poll.
  const clock = () => (opts.now === undefined ? Date.now() : now);

  const server = await startFakeServer((req) => route(req, state, clock), { port: opts.port });
  return Object.assign(server, {
    kind: "host4coins" as const,
    baseUrl: `${server.origin}${BASE}/`,
    credentials: { ...HOST4COINS_FAKE_CREDENTIALS },
    wrongCredentials: { ...HOST4COINS_WRONG_CREDENTIALS },
    // H4C documents no in-200 error shape (seed lines 9-20); a body with an `error` member is the
    // generic form a REST API uses, and must never pass for a successful read.
    armEnvelopeError: () =>
      server.fault(
        { kind: "json", status: 200, json: { error: "Temporary failure, try again later" } },
        { times: 1 },
      ),
    state,
    now,
  });
}

/** Alias with the product's spelling. */
export const startHost4CoinsFake = startHost4coinsFake;

const json = (body: unknown, status = 200): FakeResponse => ({ status, json: body });
const fail = (status: number, error: string): FakeResponse => json({ error }, status);
const notFound = () => fail(404, "Not found");

function route(req: FakeRequest, s: Host4CoinsFakeData, clock: () => number): FakeResponse {
  if (!req.path.startsWith(`${BASE}/`)) return notFound();
  if (
    req.headers.apipublic !== HOST4COINS_FAKE_CREDENTIALS.apiPublic ||
    req.headers.apiprivate !== HOST4COINS_FAKE_CREDENTIALS.apiPrivate
  )
    return fail(401, "Unauthorized");
  const parts = req.path
    .slice(BASE.length + 1)
    .split("/")
    .filter(Boolean);
  const [head, a, b] = parts;
  const m = req.method;

  if (m === "GET" && parts.length === 1) {
    switch (head) {
      case "catalog":
        return catalog(req.query.get("type"));
      case "balance":
        return json({ balance: s.balance });
      case "rate":
        return json({ rates: CATALOG.catalog.rates });
      case "invoices":
        return json({ invoices: s.invoices, total_count: s.invoices.length });
      case "activity":
        return json({ activity: s.activity, total_count: s.activity.length });
      case "operating_systems":
        return json({
          operating_systems: s.operatingSystems,
          total_count: Object.keys(s.operatingSystems).length,
        });
      case "ssh_keys":
        return json({ ssh_keys: s.sshKeys, total_count: s.sshKeys.length });
      case "services":
        return listServices(req.query, s);
      case "tasks":
        return listTasks(req.query.get("status"), s);
      case "domains":
        return json({ domains: s.domains, total_count: s.domains.length });
    }
  }
  if (head === "livedns" && a === "rrtypes" && m === "GET" && parts.length === 2) return json(RRTYPES);
  if (head === "ssh_key" && a && m === "GET" && parts.length === 2) {
    const key = s.sshKeys.find((k) => k.name === a);
    if (!key) return notFound();
    const used = s.services.filter((x) => x.ssh_key === key.name).map((x) => `${x.host_name} ${x.family}`);
    // `"key": _ssh_key_name_` in the seed (line 193) is taken to be the key's value (H4C-13).
    return json({
      ssh_key: {
        name: key.name,
        key: key.value,
        used_in_services: used.length ? used : "Not used in services",
      },
    });
  }
  if (head === "service" && a) {
    const svc = s.services.find((x) => x.id === a);
    if (parts.length === 2 && m === "GET") return svc ? serviceDetails(svc) : notFound();
    if (parts.length === 2 && m === "PATCH") return svc ? patchService(svc, req.body, s, clock) : notFound();
    if (parts.length === 3 && m === "POST" && b) return svc ? renew(svc, b, s, clock) : notFound();
  }
  if (head === "domain" && a && parts.length === 2 && m === "GET") {
    // Accepts an id or a full name (seed lines 478-481).
    const d = s.domains.find((x) => x.id === a || x.description === a);
    if (!d) return notFound();
    const { autorenew, ...rest } = d;
    return json({
      domain_details: {
        ...rest,
        owner_contact: "1",
        admin_contact: "1",
        billing_contact: "1",
        tech_contact: "1",
        autorenew,
        domain_details: { fqdn: d.description },
      },
      renew_options: "None",
      autorenew: d.status === "running" ? "possible" : "impossible",
    });
  }
  return notFound();
}

function catalog(type: string | null): FakeResponse {
  const t = (type ?? "all").toLowerCase();
  const c = CATALOG.catalog;
  const body = {
    ...(t !== "domain" ? { services: c.services } : {}),
    ...(t !== "service" ? { domains: c.domains } : {}),
    rates: c.rates,
  };
  const count = (body.services?.length ?? 0) + (body.domains?.length ?? 0);
  return json({ catalog: body, total_count: count });
}

const STATUS_LETTERS: Record<string, string> = { p: "pending", r: "running", i: "installing", e: "expired" };

function listServices(q: URLSearchParams, s: Host4CoinsFakeData): FakeResponse {
  // Filters: status long or letter, renew possible/impossible, case insensitive (seed lines 204-205).
  const st = q.get("status")?.toLowerCase();
  const status = st ? (STATUS_LETTERS[st] ?? st) : undefined;
  const renew = q.get("renew")?.toLowerCase();
  const list = s.services
    .filter((x) => !status || x.status === status)
    .filter((x) => !renew || (renew === "possible") === Array.isArray(x.renew_options))
    .map(({ renew_options: _omit, ...row }) => row);
  return json({ services: list, total_count: list.length });
}

function serviceDetails(svc: H4cServiceRow): FakeResponse {
  const { renew_options, ...details } = svc;
  return json({
    service_details: details,
    renew_options,
    // Whether the setting may be changed: only running services (seed line 266).
    autorenew: svc.status === "running" ? "possible" : "impossible",
  });
}

function patchService(
  svc: H4cServiceRow,
  body: unknown,
  s: Host4CoinsFakeData,
  clock: () => number,
): FakeResponse {
  if (!body || typeof body !== "object" || Array.isArray(body)) return fail(400, "Bad request");
  const { autorenew, ssh_key } = body as { autorenew?: unknown; ssh_key?: unknown };
  // One field per request: combining them is not documented (H4C-5).
  if ((autorenew === undefined) === (ssh_key === undefined)) return fail(400, "Bad request");
  if (autorenew !== undefined) {
    const v = typeof autorenew === "string" ? autorenew.toLowerCase() : "";
    if (!["y", "yes", "n", "no"].includes(v)) return fail(400, "autorenew must be yes or no");
    if (svc.status !== "running") return fail(409, "Only a running service can be set for autorenew");
    svc.autorenew = v.startsWith("y") ? "yes" : "no";
    return { status: 200 };
  }
  const key = s.sshKeys.find((k) => k.name === ssh_key);
  if (!key) return fail(400, "Unknown SSH key");
  if (svc.status === "pending") {
    svc.ssh_key = key.name;
    return { status: 200 };
  }
  // "otherwise a task will be created (or updated if already existed)" (seed line 272).
  const open = s.tasks.find(
    (t) =>
      t.service_id === svc.id &&
      t.action === "change_ssh_key" &&
      (t.status === "pending" || t.status === "doing"),
  );
  if (open) open.dt_pending = h4cDate(clock());
  else
    s.tasks.push({
      service_id: svc.id,
      service_family: svc.family,
      service_description: svc.description,
      host_name: svc.host_name,
      action: "change_ssh_key",
      status_extended: `new key ${key.name}, the server will reboot`,
      status: "pending",
      dt_pending: h4cDate(clock()),
    });
  svc.ssh_key = key.name;
  return { status: 200 };
}

function satsFor(option: H4cRenewOption): number {
  const usd = Number(
    CATALOG.catalog.rates.find((r) => r.currency === option.currency)?.rate.rate ?? "100000",
  );
  return Math.round((Number(option.price) * 100_000_000) / usd);
}

function renew(
  svc: H4cServiceRow,
  renewId: string,
  s: Host4CoinsFakeData,
  clock: () => number,
): FakeResponse {
  // "only possible to renew running or some expired services" (seed line 261).
  if (!Array.isArray(svc.renew_options)) return fail(409, "This service can not be renewed");
  const opt = svc.renew_options.find((o) => o.id === renewId);
  if (!opt) return notFound();
  const cost = satsFor(opt);
  if (Number(s.balance) < cost) return fail(402, "Not enough balance");
  s.balance = Number(s.balance) - cost;
  const now = clock();
  const from = Math.max(Date.parse(`${svc.end_dt.replace(" ", "T")}Z`), now);
  const end = new Date(from);
  end.setUTCMonth(end.getUTCMonth() + (opt.period.toUpperCase() === "Y" ? 12 : 1));
  svc.end_dt = h4cDate(end.getTime());
  svc.status = "running";
  s.activity.unshift({ date: h4cDate(now), reason: "renewed a service", amount: cost, method: "balance" });
  return { status: 200 };
}

function listTasks(status: string | null, s: Host4CoinsFakeData): FakeResponse {
  const st = status?.toLowerCase();
  // Without a filter the fake lists the open tasks only (the seed does not say what it lists).
  const list = s.tasks.filter((t) =>
    st === "all" ? true : st ? t.status === st : t.status === "pending" || t.status === "doing",
  );
  const body = json({ tasks: list.map((t) => ({ ...t })), total_count: list.length });
  for (const t of s.tasks) if (t.status === "pending" || t.status === "doing") t.status = "done";
  return body;
}
