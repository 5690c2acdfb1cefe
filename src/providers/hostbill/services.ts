/**
 * HostBill services: the service list and one service (with the server's hostname and IP where
 * GET /server has them), their prices, and cancellation. "line N" = a line in
 * seeds/hostens-client-api.txt.
 */
import { safeText } from "../_shared/redact.ts";
import { type ActionResult, ProviderError, type Service } from "../types.ts";
import { isPrivilegeRefusal } from "./client.ts";
import { type HostBillContext, REFUSALS } from "./context.ts";
import {
  billingCycleMonths,
  type HostBillServerBrief,
  type HostBillServerDetails,
  type HostBillService,
  serviceStatus,
} from "./schemas.ts";
import { cleanRaw } from "./tasks.ts";

export async function listServices(c: HostBillContext): Promise<Service[]> {
  const services = await c.api.listServices();
  if (services.length === 0) return [];
  // One GET /server gives hostname and IP of every active server; service id = server id
  // (PROVIDERS.md 1.2 "Ids"). Suspended or terminated servers are not listed (HS-8).
  const servers = await activeServers(c);
  const currency = services.some(({ value }) => !value.currency) ? await c.accountCurrency() : "";
  return services.map(({ value, raw }) => toService(value, raw, currency, { brief: servers.get(value.id) }));
}

export async function getService(c: HostBillContext, id: string): Promise<Service> {
  const sid = c.checkId(id, "service");
  const { value, raw } = await c.api.getService(sid);
  let server: { details: HostBillServerDetails; raw: unknown } | undefined;
  try {
    const s = await c.api.getServer(sid);
    server = { details: s.value, raw: s.raw };
  } catch (err) {
    // Hosting, SSL and other non-server services have no /server record; a contact login
    // may not see it, and Time4VPS may ask to wait between calls on one server: the service
    // is shown without its server details then.
    const skip =
      err instanceof ProviderError &&
      (err.code === "NOT_FOUND" ||
        err.code === "VALIDATION" ||
        err.code === "RATE_LIMITED" ||
        isPrivilegeRefusal(err));
    if (!skip) throw err;
  }
  return toService(value, raw, value.currency ? "" : await c.accountCurrency(), server);
}

export async function cancelService(
  c: HostBillContext,
  id: string,
  opts: { immediate: boolean; reason: string },
): Promise<ActionResult> {
  const sid = c.checkId(id, "service");
  const { value: svc } = await c.api.getService(sid);
  await c.api.cancelService(sid, opts.immediate, opts.reason);
  const label = safeText(svc.label || svc.domain || svc.name || `#${sid}`);
  const when = opts.immediate
    ? "it is terminated immediately"
    : `it ends at the end of the paid period (next due ${isoDay(svc.next_due)})`;
  return { summary: `Cancellation of ${c.name} service ${label} requested: ${when}.` };
}

/** The servers of GET /server by id; an account or contact that may not list them gets none. */
async function activeServers(c: HostBillContext): Promise<Map<string, HostBillServerBrief>> {
  try {
    return new Map((await c.api.listServers()).map((s) => [s.server_id, s]));
  } catch (err) {
    if (err instanceof ProviderError && REFUSALS.has(err.code)) {
      c.log?.debug({ provider: c.kind, code: err.code }, "server list not readable here");
      return new Map();
    }
    throw err;
  }
}

function toService(
  svc: HostBillService,
  raw: unknown,
  currency: string,
  server?: { brief?: HostBillServerBrief; details?: HostBillServerDetails; raw?: unknown },
): Service {
  const ip = server?.details?.ip || server?.brief?.ip || "";
  const hostname = safeText(server?.details?.domain || server?.brief?.domain || svc.domain);
  const months = billingCycleMonths(svc.billingcycle);
  const out: Service = {
    id: svc.id,
    // Texts shown in chat are sanitized when they look like they carry a secret.
    label: safeText(
      svc.label || server?.brief?.label || server?.details?.label || svc.domain || svc.name || `#${svc.id}`,
    ),
    product: safeText(svc.name),
    status: serviceStatus(svc.status),
    // next_due is a calendar date "YYYY-MM-DD" (line 1961), read as UTC midnight.
    expiresAt: svc.next_due,
    // HostBill has no service autorenew setting: services renew through invoices.
    autorenew: null,
    raw: server?.raw === undefined ? cleanRaw(raw) : { service: cleanRaw(raw), server: cleanRaw(server.raw) },
  };
  if (hostname) out.hostname = hostname;
  if (ip.includes(":")) out.ipv6 = ip;
  else if (ip) out.ipv4 = ip;
  // `total` is the recurring price for one `billingcycle` (lines 1958-1960); without a known
  // currency the amount would mislead, so it is left out.
  const cur = svc.currency || currency;
  if (svc.total !== null && months !== undefined && cur) {
    out.renewalPrice = { amount: svc.total, currency: cur };
    out.billingCycleMonths = months;
  }
  return out;
}

function isoDay(d: Date | null): string {
  return d ? d.toISOString().slice(0, 10) : "unknown";
}
