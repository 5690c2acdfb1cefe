/**
 * The HostBill User API driver shared by Hostens and Time4VPS: the ProviderDriver object, which
 * delegates to its parts. context.ts holds the client, errors and account currency; services.ts
 * services and cancellation; invoices.ts balance and invoices; servers.ts reboot, reinstall and OS
 * lists; tasks.ts task results and what of them may be shown; domains.ts the domain routes.
 */
import type { DriverContext } from "../_shared/entry.ts";
import type { Capability, ProviderDriver } from "../types.ts";
import type { HostBillKind } from "./client.ts";
import { isPrivilegeRefusal } from "./client.ts";
import { createHostBillContext, type HostBillCredentials } from "./context.ts";
import * as domains from "./domains.ts";
import * as invoices from "./invoices.ts";
import * as servers from "./servers.ts";
import * as services from "./services.ts";
import * as tasks from "./tasks.ts";

export type { HostBillCredentials } from "./context.ts";
export { redactTaskText } from "./tasks.ts";

export interface HostBillFeatures {
  /** Hostens documents the 19 domain routes; Time4VPS has none (PROVIDERS.md 3.2). */
  domains: boolean;
}

const CAPABILITIES_BASE: Capability[] = [
  "getBalance",
  "listServices",
  "getService",
  "listInvoices",
  "reboot",
  "listOperatingSystems",
  "reinstall",
  "cancelService",
  "getTask",
];
const CAPABILITIES_DOMAINS: Capability[] = ["listDomains", "renewDomain", "setNameservers"];

/**
 * The HostBill User API driver shared by Hostens and Time4VPS. Only the base URL and the domain
 * routes differ; the optional domain methods exist only when `features.domains` is set, so the
 * Time4VPS driver neither declares nor has them.
 */
export function createHostBillDriver(
  kind: HostBillKind,
  ctx: DriverContext<HostBillCredentials>,
  features: HostBillFeatures,
): ProviderDriver {
  const c = createHostBillContext(kind, ctx);

  const driver: ProviderDriver = {
    kind,
    capabilities: new Set<Capability>([
      ...CAPABILITIES_BASE,
      ...(features.domains ? CAPABILITIES_DOMAINS : []),
    ]),

    async verifyCredentials() {
      try {
        await c.api.getDetails();
      } catch (err) {
        // A contact login may not see the account details; listing services proves the login.
        if (!isPrivilegeRefusal(err)) throw err;
        await c.api.listServices();
      }
    },

    getBalance: () => invoices.getBalance(c),
    listServices: () => services.listServices(c),
    getService: (id) => services.getService(c, id),
    listInvoices: () => invoices.listInvoices(c),
    listOperatingSystems: (serviceId) => servers.listOperatingSystems(c, serviceId),
    reboot: (id) => servers.reboot(c, id),
    reinstall: (id, opts) => servers.reinstall(c, id, opts),
    cancelService: (id, opts) => services.cancelService(c, id, opts),
    getTask: (ref) => tasks.getTask(c, ref),
  };

  if (features.domains) {
    driver.listDomains = () => domains.listDomains(c);
    driver.renewDomain = (id, opts) => domains.renewDomain(c, id, opts);
    driver.setNameservers = (domainId, nameservers) => domains.setNameservers(c, domainId, nameservers);
  }

  return driver;
}
