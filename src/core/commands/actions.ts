import { LRUCache } from "lru-cache";
import { z } from "zod";
import { compareDecimal } from "../../providers/_shared/normalize.ts";
import {
  type Capability,
  type Domain,
  type OperatingSystem,
  providerName,
  type Service,
} from "../../providers/types.ts";
import type { Account } from "../accounts.ts";
import { recentAudit } from "../audit.ts";
import {
  ACTIONS,
  type ActionName,
  approve,
  deny,
  pendingIn,
  requestConfirmation,
  requestsById,
} from "../confirmations.ts";
import {
  type ActionHandlerDef,
  type CommandContext,
  defineCommand,
  type ModalHandlerDef,
} from "../context.ts";
import { UserError } from "../errors.ts";
import { formatDateTime, formatMoney, plain } from "../format.ts";
import { blocksReply, type Outcome, reply, textReply } from "../reply.ts";
import {
  accountParam,
  CAPABILITY_WORDS,
  cannotMessage,
  domainNameSchema,
  explain,
  forEachAccount,
  labelSchema,
  notFoundText,
  serviceIdSchema,
} from "./shared.ts";

/**
 * Commands that change something at a provider. Each only creates a confirmation request;
 * the driver runs after an admin approves (src/core/confirmations.ts).
 */

const serviceParam = {
  name: "service",
  description: "service id (see /hosting services)",
  type: "string",
  required: true,
  autocomplete: "service",
} as const;

/** How to name an account in a command, as typed on the actor's platform. */
const accountOption = (ctx: CommandContext, label: string) =>
  ctx.actor.platform === "discord" ? `\`account:${label}\`` : `\`--account ${label}\``;

/** Finds which bound account holds the service (asking each capable provider concurrently). */
async function findService(
  ctx: CommandContext,
  serviceId: string,
  label: string | undefined,
  capability: Capability,
): Promise<{ account: Account; service: Service | undefined }> {
  const bound = await ctx.core.accounts.resolve(
    ctx.actor.platform,
    ctx.actor.workspaceId,
    ctx.actor.channelId,
    label,
  );
  const capable = bound.filter((b) => ctx.core.accounts.driverFor(b.account).capabilities.has(capability));
  if (!capable.length) {
    const first = bound[0];
    throw new UserError(
      "unsupported",
      first ? cannotMessage(first.account, capability) : "No account can do that here.",
    );
  }
  const results = await forEachAccount(ctx, label, "getService", async (d) => {
    try {
      return await d.getService!(serviceId);
    } catch (err) {
      if ((err as { code?: string }).code === "NOT_FOUND") return undefined;
      throw err;
    }
  });
  const found = results.filter((r) => r.ok && r.value);
  const hits = found.filter((r) => capable.some((c) => c.account.id === r.account.id));
  const elsewhere = found.find((r) => !capable.some((c) => c.account.id === r.account.id));
  if (!hits.length && elsewhere)
    throw new UserError("unsupported", cannotMessage(elsewhere.account, capability));
  if (hits.length > 1)
    throw new UserError(
      "invalid",
      `Service ${plain(serviceId, 40)} exists on several accounts here (${hits.map((h) => h.account.label).join(", ")}); name one with ${hits.map((h) => accountOption(ctx, h.account.label)).join(" or ")}.`,
    );
  const hit = hits[0];
  if (hit) return { account: hit.account, service: hit.value };
  // A provider without service lookups (or one that failed) is trusted when it is the only candidate.
  const only = capable.length === 1 ? capable[0] : undefined;
  const failed = results.filter((r) => !r.ok && r.account.id === only?.account.id);
  if (only && (!ctx.core.accounts.driverFor(only.account).capabilities.has("getService") || failed.length))
    return { account: only.account, service: undefined };
  const asked = results.filter((r) => capable.some((c) => c.account.id === r.account.id));
  throw new UserError(
    "not_found",
    notFoundText(
      asked,
      `No service with id \`${plain(serviceId, 40)}\` on an account here that can ${CAPABILITY_WORDS[capability]}`,
    ),
  );
}

async function findDomain(
  ctx: CommandContext,
  name: string,
  label: string | undefined,
  capability: Capability,
) {
  const results = await forEachAccount(ctx, label, "listDomains", (d) => d.listDomains!());
  const hits: { account: Account; domain: Domain }[] = [];
  for (const r of results)
    for (const d of r.value ?? [])
      if (
        (d.name.toLowerCase() === name || d.id === name) &&
        ctx.core.accounts.driverFor(r.account).capabilities.has(capability)
      )
        hits.push({ account: r.account, domain: d });
  if (hits.length > 1)
    throw new UserError(
      "invalid",
      `Domain ${name} exists on several accounts here; name one with ${hits.map((h) => accountOption(ctx, h.account.label)).join(" or ")}.`,
    );
  const hit = hits[0];
  if (!hit) {
    const errors = results.filter((r) => !r.ok).map((r) => r.error);
    const cannot = results.find(
      (r) => r.ok && !ctx.core.accounts.driverFor(r.account).capabilities.has(capability),
    );
    throw new UserError(
      "not_found",
      [
        `No domain *${plain(name, 80)}* that can be changed here.`,
        cannot ? cannotMessage(cannot.account, capability) : "",
        ...errors,
      ]
        .filter(Boolean)
        .join("\n"),
    );
  }
  return hit;
}

const serviceName = (s: Service | undefined) =>
  s ? plain(s.label || s.hostname || s.product, 60) : undefined;

function powerCommand(path: string, action: ActionName, summary: string) {
  return defineCommand({
    path: [path],
    compactPath: ["service", path],
    summary,
    params: [serviceParam, accountParam],
    schema: z.object({ service: serviceIdSchema, account: labelSchema.optional() }),
    role: "operator",
    // The request's card is posted in the channel; the answer to the requester is theirs alone.
    ephemeral: true,
    mayCallProvider: true,
    async run(ctx, args) {
      const { account, service } = await findService(
        ctx,
        args.service,
        args.account,
        ACTIONS[action].capability,
      );
      return requestConfirmation(ctx, {
        account,
        action,
        params: { serviceId: args.service, serviceName: serviceName(service) },
      });
    },
  });
}

export const reboot = powerCommand(
  "reboot",
  "reboot",
  "Request a server reboot (runs after an admin approves)",
);
export const poweron = powerCommand("poweron", "poweron", "Request powering a server on (after approval)");
export const poweroff = powerCommand(
  "poweroff",
  "poweroff",
  "Request powering a server off (after approval)",
);

/** OS lists are cached briefly so that the OS form opens within the platform's 3-second window. */
const osCache = new LRUCache<string, OperatingSystem[]>({ max: 500, ttl: 10 * 60_000 });
async function operatingSystems(
  ctx: CommandContext,
  account: Account,
  serviceId: string,
): Promise<OperatingSystem[]> {
  const key = `${account.id}:${serviceId}`;
  const hit = osCache.get(key);
  if (hit) return hit;
  const driver = ctx.core.accounts.driverFor(account);
  if (!driver.listOperatingSystems)
    throw new UserError("unsupported", cannotMessage(account, "listOperatingSystems"));
  await ctx.acknowledge();
  const list = await driver.listOperatingSystems(serviceId);
  osCache.set(key, list);
  return list;
}

export const reinstall = defineCommand({
  path: ["reinstall"],
  compactPath: ["service", "reinstall"],
  summary: "Request an OS reinstall; without an OS, pick one from the provider's list (after approval)",
  params: [
    serviceParam,
    { name: "os", description: "OS id or name", type: "string", autocomplete: "os" },
    { name: "account", description: "account label", type: "string", flag: true, autocomplete: "account" },
  ],
  schema: z.object({
    service: serviceIdSchema,
    os: z.string().trim().min(1).max(100).optional(),
    account: labelSchema.optional(),
  }),
  role: "operator",
  ephemeral: true,
  mayCallProvider: true,
  async run(ctx, args) {
    const { account, service } = await findService(ctx, args.service, args.account, "reinstall");
    let list: OperatingSystem[];
    try {
      list = await operatingSystems(ctx, account, args.service);
    } catch (err) {
      throw new UserError("invalid", explain(err, account, ctx));
    }
    if (args.os) {
      const want = args.os.toLowerCase();
      const os =
        list.find((o) => o.id.toLowerCase() === want) ?? list.find((o) => o.name.toLowerCase() === want);
      if (!os)
        throw new UserError(
          "invalid",
          `${providerName(account)} offers no OS \`${plain(args.os, 40)}\` for this server. Run \`/hosting reinstall ${args.service}\` to pick from the list.`,
        );
      return requestConfirmation(ctx, {
        account,
        action: "reinstall",
        params: { serviceId: args.service, serviceName: serviceName(service), osId: os.id, osName: os.name },
      });
    }
    return reply(
      blocksReply(
        [
          {
            kind: "text",
            text: `${providerName(account)} offers ${list.length} operating systems for ${args.service}.`,
          },
          {
            kind: "actions",
            buttons: [
              {
                id: "reinstall:choose",
                label: "Choose the OS…",
                style: "primary",
                value: JSON.stringify({ a: account.id, s: args.service }),
              },
            ],
          },
        ],
        { ephemeral: true },
      ),
    );
  },
});

const chooseState = z.object({ a: z.uuid(), s: serviceIdSchema });

export const reinstallChoose: ActionHandlerDef = {
  id: "reinstall:choose",
  // The OS list comes from the provider (acknowledged in operatingSystems) and fills a form.
  mayOpenForm: true,
  mayCallProvider: true,
  role: "operator",
  async run(ctx, value) {
    const st = chooseState.safeParse(safeJson(value));
    if (!st.success) throw new UserError("invalid", "This button is out of date; run the command again.");
    const account = await ctx.core.accounts.getById(st.data.a);
    if (!account || account.workspaceId !== ctx.actor.workspaceId)
      throw new UserError("not_found", "That account no longer exists.");
    const list = await operatingSystems(ctx, account, st.data.s);
    return {
      kind: "modal",
      modal: {
        id: "reinstall:os",
        title: "Reinstall server",
        submitLabel: "Request",
        state: value,
        intro: `Reinstalling ${st.data.s} erases all its data. The request needs an admin's approval.`,
        fields: [
          {
            id: "os",
            label: "Operating system",
            kind: "select",
            options: list.slice(0, 100).map((o) => ({ value: o.id, label: plain(o.name, 75) })),
          },
        ],
      },
    };
  },
};

export const reinstallSubmit: ModalHandlerDef = {
  id: "reinstall:os",
  role: "operator",
  async run(ctx, state, values) {
    const st = chooseState.safeParse(safeJson(state));
    if (!st.success) throw new UserError("invalid", "This form is out of date; run the command again.");
    const account = await ctx.core.accounts.getById(st.data.a);
    if (!account || account.workspaceId !== ctx.actor.workspaceId)
      throw new UserError("not_found", "That account no longer exists.");
    const list = await operatingSystems(ctx, account, st.data.s);
    const os = list.find((o) => o.id === values.os);
    if (!os) return { kind: "fieldErrors", errors: { os: "Pick an operating system from the list." } };
    return requestConfirmation(ctx, {
      account,
      action: "reinstall",
      params: { serviceId: st.data.s, osId: os.id, osName: os.name },
    });
  },
};

export const renew = defineCommand({
  path: ["renew"],
  compactPath: ["service", "renew"],
  summary: "Request a service renewal, paid from the balance (after approval)",
  params: [
    serviceParam,
    accountParam,
    { name: "option", description: "renewal option id", type: "string", flag: true },
  ],
  schema: z.object({
    service: serviceIdSchema,
    option: z
      .string()
      .trim()
      .regex(/^[\w.-]{1,40}$/, "must be a renewal option id (letters, digits, '.', '_' or '-')")
      .optional(),
    account: labelSchema.optional(),
  }),
  role: "operator",
  ephemeral: true,
  mayCallProvider: true,
  async run(ctx, args) {
    const { account, service } = await findService(ctx, args.service, args.account, "renewService");
    const options = service?.renewOptions ?? [];
    const chosen = args.option ? options.find((o) => o.id === args.option) : undefined;
    if (args.option && options.length && !chosen)
      throw new UserError(
        "invalid",
        `No renewal option \`${plain(args.option, 40)}\`. Options: ${options.map((o) => `${o.id} (${o.label}${o.price ? `, ${formatMoney(o.price)}` : ""})`).join("; ")}.`,
      );
    const cheapest = options
      .filter((o) => o.price)
      .sort((a, b) => compareDecimal(a.price!.amount, b.price!.amount))[0];
    const price = chosen?.price ?? (options.length ? cheapest?.price : service?.renewalPrice);
    return requestConfirmation(ctx, {
      account,
      action: "renew",
      params: {
        serviceId: args.service,
        serviceName: serviceName(service),
        ...(chosen ? { optionId: chosen.id, optionLabel: chosen.label } : {}),
      },
      cost: price ? formatMoney(price) : undefined,
    });
  },
});

export const autorenew = defineCommand({
  path: ["autorenew"],
  compactPath: ["service", "autorenew"],
  summary: "Request turning a service's autorenew on or off (after approval)",
  params: [
    serviceParam,
    { name: "state", description: "on or off", type: "choice", choices: ["on", "off"], required: true },
    accountParam,
  ],
  schema: z.object({
    service: serviceIdSchema,
    state: z.enum(["on", "off"]),
    account: labelSchema.optional(),
  }),
  role: "operator",
  ephemeral: true,
  mayCallProvider: true,
  async run(ctx, args) {
    const { account, service } = await findService(ctx, args.service, args.account, "setAutorenew");
    return requestConfirmation(ctx, {
      account,
      action: "autorenew",
      params: { serviceId: args.service, serviceName: serviceName(service), enabled: args.state === "on" },
    });
  },
});

export const cancel = defineCommand({
  path: ["cancel"],
  compactPath: ["service", "cancel"],
  summary: "Request cancelling a service, at the end of the period or --immediate (after approval)",
  examples: ['/hosting cancel 1234 --immediate "moved to another host"'],
  params: [
    serviceParam,
    {
      name: "immediate",
      description: "terminate now instead of at the end of the period",
      type: "boolean",
      flag: true,
    },
    { name: "account", description: "account label", type: "string", flag: true, autocomplete: "account" },
    { name: "reason", description: "why (sent to the provider)", type: "string", rest: true },
  ],
  schema: z.object({
    service: serviceIdSchema,
    immediate: z.boolean().optional(),
    account: labelSchema.optional(),
    reason: z.string().trim().max(300, "must be at most 300 characters").optional(),
  }),
  role: "operator",
  ephemeral: true,
  mayCallProvider: true,
  async run(ctx, args) {
    const { account, service } = await findService(ctx, args.service, args.account, "cancelService");
    return requestConfirmation(ctx, {
      account,
      action: "cancel",
      params: {
        serviceId: args.service,
        serviceName: serviceName(service),
        immediate: Boolean(args.immediate),
        reason: plain(args.reason || "Requested from chat", 300),
      },
    });
  },
});

export const domainRenew = defineCommand({
  path: ["domain", "renew"],
  summary: "Request a domain renewal (after approval)",
  params: [
    { name: "domain", description: "domain name", type: "string", required: true, autocomplete: "domain" },
    { name: "years", description: "years (1-10)", type: "integer", min: 1, max: 10 },
    accountParam,
  ],
  schema: z.object({
    domain: domainNameSchema,
    years: z.number().int().min(1, "must be between 1 and 10").max(10, "must be between 1 and 10").optional(),
    account: labelSchema.optional(),
  }),
  role: "operator",
  ephemeral: true,
  mayCallProvider: true,
  async run(ctx, args) {
    const { account, domain } = await findDomain(ctx, args.domain, args.account, "renewDomain");
    return requestConfirmation(ctx, {
      account,
      action: "domain-renew",
      params: { domainId: domain.id, domainName: domain.name, years: args.years ?? 1 },
    });
  },
});

const nsSchema = z
  .string()
  .trim()
  .transform((s) =>
    s
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((n) => n.toLowerCase().replace(/\.$/, "")),
  )
  .pipe(
    z
      .array(domainNameSchema)
      .min(2, "must list at least two nameservers")
      .max(4, "must list at most four nameservers")
      .refine((l) => new Set(l).size === l.length, "must list each nameserver once"),
  );

export const domainNs = defineCommand({
  path: ["domain", "ns"],
  summary: "Request a nameserver change for a domain (after approval)",
  examples: ["/hosting domain ns example.com ns1.host.net ns2.host.net"],
  params: [
    { name: "domain", description: "domain name", type: "string", required: true, autocomplete: "domain" },
    { name: "account", description: "account label", type: "string", flag: true, autocomplete: "account" },
    { name: "nameservers", description: "2 to 4 nameservers", type: "string", rest: true, required: true },
  ],
  schema: z.object({ domain: domainNameSchema, account: labelSchema.optional(), nameservers: nsSchema }),
  role: "operator",
  ephemeral: true,
  mayCallProvider: true,
  async run(ctx, args) {
    const { account, domain } = await findDomain(ctx, args.domain, args.account, "setNameservers");
    return requestConfirmation(ctx, {
      account,
      action: "domain-ns",
      params: { domainId: domain.id, domainName: domain.name, nameservers: args.nameservers },
    });
  },
});

export const pending = defineCommand({
  path: ["pending"],
  summary: "Open confirmation requests in this channel",
  params: [],
  schema: z.object({}),
  role: "viewer",
  ephemeral: true,
  async run(ctx) {
    const rows = await pendingIn(ctx.core, ctx.actor);
    if (!rows.length) return reply(textReply("No open requests in this channel.", { ephemeral: true }));
    const tz = ctx.core.settings.timeZone;
    return reply(
      blocksReply(
        [
          { kind: "header", text: "Open requests" },
          {
            kind: "table",
            columns: ["Action", "About", "Account", "Status", "Requested by", "Expires"],
            rows: rows.map((r) => [
              ACTIONS[r.action as ActionName]?.title ?? r.action,
              subjectOf(r.params),
              r.accountLabel,
              r.status,
              r.requesterId,
              r.status === "pending" ? formatDateTime(r.expiresAt, tz) : "—",
            ]),
          },
        ],
        { ephemeral: true },
      ),
    );
  },
});

export const auditCommand = defineCommand({
  path: ["audit"],
  summary: "The latest audit log entries of this channel",
  params: [{ name: "n", description: "how many (1-50)", type: "integer", min: 1, max: 50 }],
  schema: z.object({
    n: z.number().int().min(1, "must be between 1 and 50").max(50, "must be between 1 and 50").optional(),
  }),
  role: "admin",
  ephemeral: true,
  async run(ctx, args) {
    const rows = await recentAudit(ctx.core.db, ctx.actor, args.n ?? 20);
    const tz = ctx.core.settings.timeZone;
    // Entries about a request (approve, executing, succeeded…) take its subject from the request.
    const ids = [...new Set(rows.map((r) => r.requestId).filter((x): x is string => Boolean(x)))];
    const requests = new Map((await requestsById(ctx.core, ids)).map((r) => [r.id, r]));
    const about = (r: (typeof rows)[number]) => {
      const req = r.requestId ? requests.get(r.requestId) : undefined;
      const subject = subjectOf(req ? req.params : r.args);
      const account = req?.accountLabel ?? str(r.args.account) ?? str(r.args.label);
      if (subject === "—") return account ?? "—";
      return account ? `${subject} on ${account}` : subject;
    };
    return reply(
      blocksReply(
        [
          { kind: "header", text: "Audit log" },
          {
            kind: "table",
            columns: ["When", "Who", "Command", "About", "Outcome"],
            rows: rows.map((r) => [
              formatDateTime(r.at, tz),
              r.userId,
              plain(r.command, 40),
              plain(about(r), 60),
              r.outcome,
            ]),
          },
        ],
        { ephemeral: true },
      ),
    );
  },
});

export const approveButton: ActionHandlerDef = {
  id: "confirm:approve",
  // Approval itself checks for admin in the request's channel; viewers get a clear refusal there.
  role: "viewer",
  // The PIN form when HOSTKEY wants one; otherwise the action runs (approve() acknowledges first).
  mayOpenForm: true,
  mayCallProvider: true,
  run: (ctx, value) => approve(ctx, value),
};

export const denyButton: ActionHandlerDef = {
  id: "confirm:deny",
  role: "viewer",
  run: (ctx, value) => deny(ctx, value),
};

export const pinSubmit: ModalHandlerDef = {
  id: "confirm:pin",
  role: "viewer",
  async run(ctx, state, values): Promise<Outcome> {
    // Empty: the account's PIN is switched off (HOSTKEY's PIN is optional).
    const pin = (values.pin ?? "").trim();
    if (pin !== "" && !/^\d{1,32}$/.test(pin))
      return { kind: "fieldErrors", errors: { pin: "A HOSTKEY PIN is made of digits only." } };
    return approve(ctx, state, pin);
  },
};

const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);

/** What a request or a command is about, from its params or args: "service 302 (web)", "example.com". */
export function subjectOf(params: Record<string, unknown>): string {
  const domain = str(params.domainName) ?? str(params.domain);
  if (domain) return plain(domain, 60);
  const id = str(params.serviceId) ?? str(params.service) ?? str(params.id);
  if (!id) return "—";
  const name = str(params.serviceName);
  return plain(name && name !== id ? `service ${id} (${name})` : `service ${id}`, 60);
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
