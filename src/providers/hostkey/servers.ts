/**
 * HOSTKEY servers as services: the token's server list (auth/info), one server (eq/show plus its
 * WHMCS billing data), the operating systems it can be reinstalled with, and the status, price and
 * cycle normalization. "line N" = a line in shared/seeds/hostkey-invapi.txt.
 */
import { type OperatingSystem, ProviderError, type Service, type ServiceStatus } from "../types.ts";
import { currencyFromAffixes } from "./billing.ts";
import * as api from "./client.ts";
import type { BillingData, EqShow } from "./schemas.ts";
import { stripHostkeySecrets } from "./secrets.ts";
import { type HostkeySession, isNoServers } from "./session.ts";

/** eq/show is heavy (HK-22): this many servers are fetched at once. */
const SHOW_CONCURRENCY = 4;

export async function listServices(s: HostkeySession): Promise<Service[]> {
  // eq/list returns only ids (HK-22); the token's own server list is in auth/info (line 717).
  let info: Awaited<ReturnType<typeof api.authInfo>>;
  try {
    info = await s.withSession((t) => api.authInfo(s.http, t));
  } catch (err) {
    // An account without servers gets no session at all: that is an empty list, not an outage.
    if (isNoServers(err)) return [];
    throw err;
  }
  const ids = [...new Set(info.servers ?? [])];
  const services = await mapLimit(ids, SHOW_CONCURRENCY, async (id) => {
    try {
      return await loadService(s, id);
    } catch (err) {
      // The token caches its server list (line 2767): a released server can still be listed.
      if (err instanceof ProviderError && err.code === "NOT_FOUND") {
        s.log.warn({ provider: "hostkey", serverId: id }, "listed server not found; skipped");
        return undefined;
      }
      throw err;
    }
  });
  return services.filter((svc): svc is Service => svc !== undefined);
}

export async function getService(s: HostkeySession, id: string): Promise<Service> {
  return loadService(s, serverId(id));
}

export async function listOperatingSystems(s: HostkeySession, serviceId: string): Promise<OperatingSystem[]> {
  const sid = serverId(serviceId);
  // os/list's `instance_id` is a preset id, which eq/show does not give (it names the preset);
  // so list every OS and keep those tagged for this server's kind (bm, vm, gpu, vgpu; line 2134).
  const [show, list] = await Promise.all([
    s.withSession((t) => api.eqShow(s.http, t, sid)),
    api.osList(s.http),
  ]);
  const kind = serverKind(show.data);
  return list
    .filter((os) => os.active === undefined || os.active === 1 || os.active === "1" || os.active === true)
    .filter((os) => !kind || !os.tags.some((t) => SERVER_KINDS.has(t)) || os.tags.includes(kind))
    .map((os) => ({ id: os.id, name: os.name }));
}

/** HOSTKEY server ids are integers (`id | * | int | server ID`, eq/show table, line 3183). */
export function serverId(id: string): string {
  const v = String(id).trim();
  if (!/^\d+$/.test(v))
    throw new ProviderError("VALIDATION", `HOSTKEY server ids are numbers; "${v.slice(0, 40)}" is not one.`, {
      provider: "hostkey",
      retryable: false,
    });
  return v;
}

async function loadService(s: HostkeySession, id: string): Promise<Service> {
  const [show, billing] = await Promise.all([
    s.withSession((t) => api.eqShow(s.http, t, id)),
    billingData(s, id),
  ]);
  return toService(id, show.data, show.raw, billing);
}

/** Price and cycle for the runway forecast; a failure only drops them (the service still lists). */
async function billingData(
  s: HostkeySession,
  id: string,
): Promise<{ data: BillingData; raw: unknown } | undefined> {
  try {
    return await s.withSession((t) => api.getBillingData(s.http, t, id));
  } catch (err) {
    if (err instanceof ProviderError && err.code === "AUTH_FAILED") throw err;
    const code = err instanceof ProviderError ? err.code : "UNEXPECTED_RESPONSE";
    s.log.warn({ provider: "hostkey", serverId: id, code }, "billing data unavailable; no renewal price");
    return undefined;
  }
}

const SERVER_KINDS = new Set(["bm", "vm", "gpu", "vgpu"]);

function serverKind(show: EqShow): string | undefined {
  const hw = show.hardware;
  if (!hw) return undefined;
  if (hw.gpu) return hw.vm ? "vgpu" : "gpu";
  return hw.vm ? "vm" : "bm";
}

/**
 * eq/show `status`: "rent" (and "Active") = active. "power_off" is a powered-off machine (HOSTKEY's
 * Terraform provider maps power_off, poweroff, off and stopped to power state "off", eq_power.go),
 * not a suspension, whatever the seed's wording (line 3157, HK-23): a suspension shows in billing.
 */
function serverStatus(status: string | null): ServiceStatus {
  switch (status?.trim().toLowerCase()) {
    case "rent":
    case "active":
      return "active";
    case "power_off":
    case "poweroff":
    case "off":
    case "stopped":
      return "stopped";
    default:
      return "unknown";
  }
}

/** WHMCS product status from whmcs/get_billing_data `billing_status` ("Active", line 1365). */
function billingStatus(status: string | null | undefined): ServiceStatus {
  switch (status?.toLowerCase()) {
    case "active":
      return "active";
    case "pending":
      return "pending";
    case "suspended":
      return "suspended";
    case "terminated":
    case "cancelled":
      return "cancelled";
    default:
      return "unknown";
  }
}

const CYCLE_MONTHS: Record<string, number> = {
  monthly: 1,
  quarterly: 3,
  "semi-annually": 6,
  annually: 12,
  biennially: 24,
  triennially: 36,
};

function toService(
  requestedId: string,
  show: EqShow,
  raw: unknown,
  billing: { data: BillingData; raw: unknown } | undefined,
): Service {
  const sd = show.server_data;
  const b = billing?.data;
  const fromBilling = billingStatus(b?.billing_status);
  const fromServer = serverStatus(sd.status ?? sd.Condition_Component);
  const status =
    fromBilling === "pending" || fromBilling === "suspended" || fromBilling === "cancelled"
      ? fromBilling
      : fromServer !== "unknown"
        ? fromServer
        : fromBilling;
  const currency = b ? currencyFromAffixes(b.currencyprefix, b.currencysuffix) : undefined;
  const cycle = b?.billing_cycle ? CYCLE_MONTHS[b.billing_cycle.toLowerCase()] : undefined;
  const hostname = show.tags.hostname ?? sd.hostname ?? undefined;
  const id = sd.id ?? requestedId;
  const service: Service = {
    id,
    label: hostname ?? `Server ${id}`,
    product:
      show.preset_description ?? show.preset ?? sd.hwconfig ?? show.hardware?.config ?? sd.type ?? "Server",
    status,
    // server_data.due_date "2024-01-14" (line 3211) is the end of the paid period.
    expiresAt: sd.due_date ?? sd.datePeriod ?? b?.next_due_date ?? null,
    // Renewal is paid by invoice; auto-payment is an account-wide option, not per server.
    autorenew: null,
    raw: { server: stripHostkeySecrets(raw), billing: billing ? stripHostkeySecrets(billing.raw) : null },
  };
  if (hostname) service.hostname = hostname;
  const ipv4 = show.IP.ipv4 ?? show.ip.ipv4;
  const ipv6 = show.IP.ipv6 ?? show.ip.ipv6;
  if (ipv4) service.ipv4 = ipv4;
  if (ipv6) service.ipv6 = ipv6;
  if (b?.billing_reccuring && currency) service.renewalPrice = { amount: b.billing_reccuring, currency };
  if (cycle) service.billingCycleMonths = cycle;
  return service;
}

/** Runs `fn` over `items` with at most `limit` calls in flight; keeps the order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
