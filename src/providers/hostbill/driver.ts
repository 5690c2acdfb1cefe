import type { DriverContext } from "../_shared/entry.ts";
import { safeText, sanitizeProviderText, sanitizeRaw } from "../_shared/redact.ts";
import {
  type ActionResult,
  type Capability,
  type Domain,
  type Invoice,
  type Money,
  type OperatingSystem,
  PROVIDER_NAMES,
  type ProviderDriver,
  ProviderError,
  type Service,
  type TaskStatus,
} from "../types.ts";
import {
  createHostBillClient,
  type HostBillClient,
  type HostBillKind,
  isPrivilegeRefusal,
} from "./client.ts";
import {
  billingCycleMonths,
  type HostBillServerBrief,
  type HostBillServerDetails,
  type HostBillService,
  invoiceBaseStatus,
  serviceStatus,
} from "./schemas.ts";

export interface HostBillCredentials {
  username: string;
  password: string;
}

export interface HostBillFeatures {
  /** Hostens documents the 19 domain routes; Time4VPS has none (PROVIDERS.md 3.2). */
  domains: boolean;
}

const ID = /^\d{1,18}$/;

/** Task names seen in the seeds and in the official Time4VPS module ([ext], PROVIDERS.md 1.2). */
const TASK_NAMES: Record<string, string> = {
  server_reboot: "Reboot",
  server_recreate: "Reinstall",
  server_reinstall: "Reinstall",
  server_reset_password: "Password reset",
  reset_root_password: "Password reset",
  server_webconsole: "Web console",
};

const FAILED_TEXT = /\b(fail(ed|ure)?|error|unable|could not|cannot|timed? ?out|aborted)\b/i;

/**
 * Tasks whose `results` may be shown (sanitized). Every other task's results stay hidden: a
 * reinstall (`server_recreate`) or password reset (`server_reset_password`) writes the new root
 * password there, in plain text ("Password:  s3cret", jpalumickas/ivapi fixtures) or hidden in
 * HTML (`Password: \t<a onclick='...this.innerHTML = "s3cret"'>Click...</a>`, read by
 * vladmesh/codegen_orchestrator and the official Time4VPS WHMCS module), and the web console's
 * results carry console credentials. Unknown task names are treated the same way.
 */
const SAFE_RESULT_TASKS = new Set([
  "server_reboot",
  "server_rename",
  "server_changedns",
  "server_changeptr",
  "server_flushfirewall",
  "server_flush_iptables",
]);

/** Task names as a key: lower case, words joined by "_" ("Reset Root Password" -> reset_root_password). */
function taskKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

function resultsShown(name: string): boolean {
  return SAFE_RESULT_TASKS.has(taskKey(name));
}

/**
 * Task texts and other provider texts made safe to show: markup removed, labelled secrets and
 * values revealed by markup redacted, registered secrets scrubbed.
 */
export function redactTaskText(text: string): string {
  return sanitizeProviderText(text);
}

/**
 * Raw records for detail views: secret keys removed, secret-looking text redacted, and the
 * `results` of any task that is not known to be harmless (e.g. `last_tasks` of GET /server/@id)
 * replaced by a pointer to the provider's panel.
 */
function cleanRaw(value: unknown): unknown {
  return sanitizeRaw(value, (key, parent) => {
    const r = parent.results;
    if (key !== "results" || r === null || r === undefined || r === "" || r === false) return undefined;
    const taskName = typeof parent.name === "string" ? parent.name : "";
    return resultsShown(taskName) ? undefined : HIDDEN_RESULTS;
  });
}

const HIDDEN_RESULTS = "[hidden: may carry a password; read it in the provider's client area]";

function startOfTodayUtc(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

function isoDay(d: Date | null): string {
  return d ? d.toISOString().slice(0, 10) : "unknown";
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
  const name = PROVIDER_NAMES[kind];
  const api: HostBillClient = createHostBillClient({
    kind,
    baseUrl: ctx.baseUrl,
    username: ctx.credentials.username,
    password: ctx.credentials.password,
    timeoutMs: ctx.timeoutMs,
    retries: ctx.retries,
    log: ctx.log,
  });

  const fail = (code: ProviderError["code"], message: string) =>
    new ProviderError(code, message, { provider: kind, retryable: false });

  function checkId(id: string, what: string): string {
    const v = String(id).trim();
    if (!ID.test(v)) throw fail("VALIDATION", `"${v.slice(0, 40)}" is not a ${name} ${what} id (a number).`);
    return v;
  }

  /**
   * The account currency. Services carry none in either seed; `/balance` has it (lines 729-733)
   * and so do invoices (line 766). A contact login may lack the balance privilege, so neither
   * call is required: `/balance` first, then the invoice list, else unknown ("" — the price is
   * then left out, never an error). A refusal is remembered for the driver's life; a network or
   * server failure is not, so the next call tries again.
   */
  let currencyKnown: Promise<string> | undefined;
  const REFUSALS = new Set<ProviderError["code"]>([
    "AUTH_FAILED",
    "VALIDATION",
    "NOT_FOUND",
    "UNEXPECTED_RESPONSE",
  ]);
  function accountCurrency(): Promise<string> {
    currencyKnown ??= (async () => {
      let transient = false;
      const attempt = async (read: () => Promise<string>): Promise<string> => {
        try {
          return await read();
        } catch (err) {
          if (!(err instanceof ProviderError)) throw err;
          if (!REFUSALS.has(err.code)) transient = true;
          ctx.log?.debug({ provider: kind, code: err.code }, "account currency not readable here");
          return "";
        }
      };
      const fromBalance = await attempt(async () => (await api.getBalance()).currency.trim().toUpperCase());
      const currency =
        fromBalance ||
        (await attempt(async () => {
          const invoices = await api.listInvoices();
          return invoices.map((i) => i.value.currency.trim().toUpperCase()).find((c) => c !== "") ?? "";
        }));
      if (!currency && transient) currencyKnown = undefined;
      return currency;
    })();
    return currencyKnown;
  }

  /** The servers of GET /server by id; an account or contact that may not list them gets none. */
  async function activeServers(): Promise<Map<string, HostBillServerBrief>> {
    try {
      return new Map((await api.listServers()).map((s) => [s.server_id, s]));
    } catch (err) {
      if (err instanceof ProviderError && REFUSALS.has(err.code)) {
        ctx.log?.debug({ provider: kind, code: err.code }, "server list not readable here");
        return new Map();
      }
      throw err;
    }
  }

  /** Where the person reads what the bot does not post (new root passwords). */
  const panel = (() => {
    try {
      return `${new URL(ctx.baseUrl).origin}/clientarea`;
    } catch {
      return `the ${name} client area`;
    }
  })();

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
      raw:
        server?.raw === undefined ? cleanRaw(raw) : { service: cleanRaw(raw), server: cleanRaw(server.raw) },
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

  /** GET /server/@id, turning "no such server" into a message that says why it matters. */
  async function requireServer(id: string, action: string): Promise<HostBillServerDetails> {
    try {
      return (await api.getServer(id)).value;
    } catch (err) {
      if (err instanceof ProviderError && err.code === "NOT_FOUND")
        throw fail("NOT_FOUND", `${name} has no server with id ${id}; only servers (VPS) can be ${action}.`);
      throw err;
    }
  }

  /** "You can run one task per server at a time" (line 3401): refuse while `active_task` is set. */
  function assertIdle(id: string, server: HostBillServerDetails): void {
    const t = server.active_task;
    // Idle is `null` (line 3474); PHP may also send an empty list or object, 0 or "0".
    if (t === null || t === undefined || t === "" || t === false || t === 0 || t === "0") return;
    if (Array.isArray(t) ? t.length === 0 : typeof t === "object" && Object.keys(t).length === 0) return;
    const taskName =
      typeof t === "string"
        ? t
        : t && typeof t === "object" && "name" in t
          ? String((t as { name: unknown }).name)
          : "";
    const what =
      TASK_NAMES[taskKey(taskName)] ??
      (taskName ? sanitizeProviderText(taskName).replace(/_/g, " ").trim().slice(0, 60) : "another task");
    throw fail(
      "VALIDATION",
      `${name} server ${id} is busy (${what} in progress); try again when it has finished.`,
    );
  }

  function serverLabel(id: string, server: HostBillServerDetails): string {
    const host = safeText(server.domain || server.label);
    return host ? `server ${id} (${host})` : `server ${id}`;
  }

  function taskRef(serverId: string, taskId: string | undefined): string | undefined {
    return taskId === undefined ? undefined : `${serverId}:${taskId}`;
  }

  const driver: ProviderDriver = {
    kind,
    capabilities: new Set<Capability>([
      ...CAPABILITIES_BASE,
      ...(features.domains ? CAPABILITIES_DOMAINS : []),
    ]),

    async verifyCredentials() {
      try {
        await api.getDetails();
      } catch (err) {
        // A contact login may not see the account details; listing services proves the login.
        if (!isPrivilegeRefusal(err)) throw err;
        await api.listServices();
      }
    },

    async getBalance(): Promise<Money> {
      const b = await api.getBalance();
      // Prepaid credit is acc_credit; acc_balance is the unpaid-invoices total (HS-1).
      return { amount: b.acc_credit, currency: b.currency };
    },

    async listServices() {
      const services = await api.listServices();
      if (services.length === 0) return [];
      // One GET /server gives hostname and IP of every active server; service id = server id
      // (PROVIDERS.md 1.2 "Ids"). Suspended or terminated servers are not listed (HS-8).
      const servers = await activeServers();
      const currency = services.some(({ value }) => !value.currency) ? await accountCurrency() : "";
      return services.map(({ value, raw }) =>
        toService(value, raw, currency, { brief: servers.get(value.id) }),
      );
    },

    async getService(id) {
      const sid = checkId(id, "service");
      const { value, raw } = await api.getService(sid);
      let server: { details: HostBillServerDetails; raw: unknown } | undefined;
      try {
        const s = await api.getServer(sid);
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
      return toService(value, raw, value.currency ? "" : await accountCurrency(), server);
    },

    async listInvoices(): Promise<Invoice[]> {
      const invoices = await api.listInvoices();
      const needsCurrency = invoices.some((i) => !i.value.currency);
      // Invoices that name their currency are the usual case; /balance is asked only otherwise.
      const fallback = needsCurrency
        ? invoices.map((i) => i.value.currency).find((c) => c) || (await accountCurrency())
        : "";
      const today = startOfTodayUtc(Date.now());
      return invoices.map(({ value: inv, raw }) => {
        const dueAt = inv.duedate ?? inv.paybefore;
        let status: Invoice["status"] = invoiceBaseStatus(inv.status);
        // Overdue: unpaid and the due day (a calendar date, UTC midnight) is before today.
        if (status === "unpaid" && dueAt && dueAt.getTime() < today) status = "overdue";
        if (inv.total === null)
          throw fail("UNEXPECTED_RESPONSE", `${name} sent an invoice (${inv.id}) without a valid total.`);
        return {
          id: inv.id,
          issuedAt: inv.date,
          dueAt,
          total: { amount: inv.total, currency: inv.currency || fallback },
          status,
          raw: cleanRaw(raw),
        };
      });
    },

    async listOperatingSystems(serviceId): Promise<OperatingSystem[]> {
      const sid = checkId(serviceId, "server");
      try {
        return (await api.listOses(sid)).map((o) => ({ id: o.os, name: o.title || o.os }));
      } catch (err) {
        if (err instanceof ProviderError && err.code === "NOT_FOUND")
          throw fail(
            "NOT_FOUND",
            `${name} has no server with id ${sid}; only servers (VPS) can be reinstalled.`,
          );
        throw err;
      }
    },

    async reboot(id): Promise<ActionResult> {
      const sid = checkId(id, "server");
      const server = await requireServer(sid, "rebooted");
      assertIdle(sid, server);
      const taskId = await api.reboot(sid);
      const ref = taskRef(sid, taskId);
      return {
        summary: `Reboot of ${serverLabel(sid, server)} started${ref ? "" : `; ${name} gave no task id to follow`}.`,
        ...(ref ? { taskRef: ref } : {}),
      };
    },

    async reinstall(id, opts): Promise<ActionResult> {
      const sid = checkId(id, "server");
      const osId = String(opts?.osId ?? "").trim();
      if (!osId)
        throw fail("VALIDATION", `Choose an operating system to reinstall ${name} server ${sid} with.`);
      const server = await requireServer(sid, "reinstalled");
      assertIdle(sid, server);
      // Only an OS from GET /server/@id/oses is valid (line 3547).
      const oses = await api.listOses(sid);
      const os = oses.find((o) => o.os === osId);
      if (!os)
        throw fail(
          "VALIDATION",
          `${name} offers no operating system "${osId.slice(0, 60)}" for server ${sid}; pick one from its OS list.`,
        );
      const sshKey = opts.sshKey?.trim() || undefined;
      const taskId = await api.reinstall(sid, os.os, sshKey);
      const ref = taskRef(sid, taskId);
      return {
        summary:
          `Reinstall of ${serverLabel(sid, server)} with ${os.title || os.os} started; ` +
          `all its data and backups are being deleted${ref ? "" : ` (${name} gave no task id to follow)`}. ` +
          `The new root password will not be posted here: read it in ${panel} when the reinstall has finished.`,
        ...(ref ? { taskRef: ref } : {}),
      };
    },

    async cancelService(id, opts): Promise<ActionResult> {
      const sid = checkId(id, "service");
      const { value: svc } = await api.getService(sid);
      await api.cancelService(sid, opts.immediate, opts.reason);
      const label = safeText(svc.label || svc.domain || svc.name || `#${sid}`);
      const when = opts.immediate
        ? "it is terminated immediately"
        : `it ends at the end of the paid period (next due ${isoDay(svc.next_due)})`;
      return { summary: `Cancellation of ${name} service ${label} requested: ${when}.` };
    },

    async getTask(ref): Promise<TaskStatus> {
      const m = /^(\d{1,18}):(\d{1,18})$/.exec(String(ref).trim());
      if (!m?.[1] || !m[2])
        throw fail("VALIDATION", `"${String(ref).slice(0, 40)}" is not a ${name} task reference.`);
      const [serverId, taskId] = [m[1], m[2]];
      const task = await api.getTask(serverId, taskId);
      const what =
        TASK_NAMES[taskKey(task.name)] ??
        (task.name ? sanitizeProviderText(task.name).replace(/_/g, " ").slice(0, 60) : `Task ${taskId}`);
      // Done when `completed` is set (lines 3487-3490); there is no success flag (HS-9).
      if (task.completed === "") {
        const phase = task.assigned === "" ? "is queued" : "is running";
        return { state: "running", summary: `${what} of server ${serverId} ${phase}.` };
      }
      // The failure test reads the text with every secret already removed.
      const text = redactTaskText(task.results).replace(/\s+/g, " ").trim();
      const failed = FAILED_TEXT.test(text);
      if (!resultsShown(task.name)) {
        const where = failed
          ? ` See the task details in ${panel}.`
          : /pass|recreate|reinstall|reset/i.test(taskKey(task.name))
            ? ` The new root password is not posted here: read it in ${panel} (the server's task results).`
            : ` Its details are in ${panel}.`;
        return {
          state: failed ? "failed" : "succeeded",
          summary: `${what} of server ${serverId} ${failed ? "failed" : "finished"}.${where}`,
        };
      }
      const shown = text.slice(0, 300);
      return {
        state: failed ? "failed" : "succeeded",
        summary: `${what} of server ${serverId} ${failed ? "failed" : "finished"}${shown ? `: ${shown}` : "."}`,
      };
    },
  };

  if (features.domains) {
    driver.listDomains = async (): Promise<Domain[]> =>
      (await api.listDomains()).map(({ value: d, raw }) => {
        const out: Domain = {
          id: d.id,
          name: d.name,
          // `expires` is "YYYY-MM-DD" (line 944).
          expiresAt: d.expires,
          status: d.status.toLowerCase() || "unknown",
          autorenew: d.autorenew,
          raw: cleanRaw(raw),
        };
        if (d.nameservers) out.nameservers = d.nameservers;
        return out;
      });

    driver.renewDomain = async (id, opts): Promise<ActionResult> => {
      const did = checkId(id, "domain");
      const years = opts?.years ?? 1;
      if (!Number.isInteger(years) || years < 1 || years > 10)
        throw fail("VALIDATION", `A domain renewal is 1 to 10 whole years, not ${years}.`);
      const { value: dom } = await api.getDomain(did);
      // pay_method is required (line 1633). The API has no "pay from credit" id: take the first
      // method the account offers (GET /payment); the renewal invoice is settled from the credit
      // when the account's billing settings apply it.
      const methods = (await api.listPaymentMethods()).filter((p) => ID.test(p.id));
      const method = methods[0];
      if (!method)
        throw fail("VALIDATION", `${name} lists no payment method for this account, so it cannot renew.`);
      const order = await api.renewDomain(did, years, method.id);
      const invoice = order.invoice_id ? `; invoice ${order.invoice_id}` : "";
      const total = order.total ? ` of ${order.total}` : "";
      return {
        summary:
          `Renewal of ${dom.name} for ${years} year${years === 1 ? "" : "s"} ordered` +
          `${invoice}${total} (payment method ${method.name || method.id}).`,
      };
    };

    driver.setNameservers = async (domainId, nameservers): Promise<ActionResult> => {
      const did = checkId(domainId, "domain");
      const list = nameservers.map((n) => n.trim().toLowerCase().replace(/\.$/, "")).filter((n) => n !== "");
      const bad = list.find(
        (n) => !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(n),
      );
      if (bad) throw fail("VALIDATION", `"${bad.slice(0, 80)}" is not a nameserver host name.`);
      // Domain orders take "2 - 4 nameservers" (line 1585); none restores the defaults.
      if (list.length === 1 || list.length > 4)
        throw fail(
          "VALIDATION",
          `Give 2 to 4 nameservers (or none for ${name}'s defaults), not ${list.length}.`,
        );
      if (new Set(list).size !== list.length) throw fail("VALIDATION", "The nameserver list repeats a name.");
      const { value: dom } = await api.getDomain(did);
      // An empty list restores the registrar's default nameservers (line 1087).
      await api.setNameservers(did, list);
      return {
        summary:
          list.length === 0
            ? `Nameservers of ${dom.name} reset to ${name}'s defaults.`
            : `Nameservers of ${dom.name} set to ${list.join(", ")}.`,
      };
    };
  }

  return driver;
}
