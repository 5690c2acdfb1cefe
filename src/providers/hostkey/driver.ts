/**
 * HOSTKEY invapi driver ("line N" = a line in shared/seeds/hostkey-invapi.txt; see readme.md): the
 * ProviderDriver class, which delegates to its parts. session.ts holds the session token (auth/login,
 * renewed before `token_expire` and once on rejection); servers.ts the service reads; billing.ts the
 * credit and invoices; actions.ts power, reinstall and cancellation; tasks.ts task results; pin.ts
 * the account PIN; secrets.ts secret tags and root passwords.
 */
import { type Logger, silentLogger } from "../../observability/logger.ts";
import type { DriverContext } from "../_shared/entry.ts";
import type {
  ActionResult,
  Capability,
  Invoice,
  Money,
  OperatingSystem,
  PinOption,
  ProviderDriver,
  Service,
  TaskStatus,
} from "../types.ts";
import * as actions from "./actions.ts";
import * as billing from "./billing.ts";
import * as api from "./client.ts";
import * as servers from "./servers.ts";
import { HostkeySession, isNoServers } from "./session.ts";
import * as tasks from "./tasks.ts";

export {
  generateRootPassword,
  isValidRootPassword,
  ROOT_PASS_SPECIALS,
  stripHostkeySecrets,
} from "./secrets.ts";
export { callbackState } from "./tasks.ts";

export interface HostkeyCredentials {
  apiKey: string;
  /** What the admin said about the account's PIN; absent = "auto" (learn from HOSTKEY). */
  pinMode?: "auto" | "ask" | "never";
}

const CAPABILITIES = [
  "getBalance",
  "listServices",
  "getService",
  "listInvoices",
  "reboot",
  "powerOn",
  "powerOff",
  "listOperatingSystems",
  "reinstall",
  "cancelService",
  "getTask",
] as const satisfies readonly Capability[];

export class HostkeyDriver implements ProviderDriver {
  readonly kind = "hostkey" as const;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(CAPABILITIES);
  readonly pinMode: "auto" | "ask" | "never";
  private readonly log: Logger;
  private readonly session: HostkeySession;
  /** Final task results, bounded (tasks.ts): HOSTKEY forgets a callback key once it was read. */
  private readonly finishedTasks = tasks.createFinishedTasks();

  constructor(ctx: DriverContext<HostkeyCredentials>) {
    this.pinMode = ctx.credentials.pinMode ?? "auto";
    this.log = ctx.log ?? silentLogger;
    const http = api.createHostkeyHttp({
      baseUrl: ctx.baseUrl,
      apiKey: ctx.credentials.apiKey,
      timeoutMs: ctx.timeoutMs,
      retries: ctx.retries,
      log: ctx.log,
    });
    this.session = new HostkeySession(http, ctx.credentials.apiKey, this.log);
  }

  async verifyCredentials(): Promise<void> {
    try {
      await this.session.login();
    } catch (err) {
      // HOSTKEY knows the key but opens no session for an account without servers (its Terraform
      // provider says the same): the account can be added; its lists stay empty until a server exists.
      if (isNoServers(err)) {
        this.log.info({ provider: "hostkey" }, "HOSTKEY account has no servers (NO_APPROPRIATE_SERVERS)");
        return;
      }
      throw err;
    }
  }

  getBalance(): Promise<Money> {
    return billing.getBalance(this.session);
  }

  listServices(): Promise<Service[]> {
    return servers.listServices(this.session);
  }

  getService(id: string): Promise<Service> {
    return servers.getService(this.session, id);
  }

  listInvoices(): Promise<Invoice[]> {
    return billing.listInvoices(this.session);
  }

  reboot(id: string, opts?: PinOption): Promise<ActionResult> {
    return actions.power(this.session, "reboot", "the reboot", id, opts);
  }

  powerOn(id: string, opts?: PinOption): Promise<ActionResult> {
    return actions.power(this.session, "on", "powering on", id, opts);
  }

  powerOff(id: string, opts?: PinOption): Promise<ActionResult> {
    return actions.power(this.session, "off", "powering off", id, opts);
  }

  listOperatingSystems(serviceId: string): Promise<OperatingSystem[]> {
    return servers.listOperatingSystems(this.session, serviceId);
  }

  reinstall(id: string, opts: { osId: string; sshKey?: string; pin?: string }): Promise<ActionResult> {
    return actions.reinstall(this.session, id, opts);
  }

  cancelService(id: string, opts: { immediate: boolean; reason: string }): Promise<ActionResult> {
    return actions.cancelService(this.session, id, opts);
  }

  getTask(ref: string): Promise<TaskStatus> {
    return tasks.getTask(this.session, this.finishedTasks, ref);
  }
}
