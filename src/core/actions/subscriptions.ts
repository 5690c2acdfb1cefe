import { z } from "zod";
import { compareDecimal } from "../../providers/_shared/normalize.ts";
import { accountParam, labelSchema, serviceIdSchema } from "../commands/shared.ts";
import { UserError } from "../errors.ts";
import { formatMoney, plain } from "../format.ts";
import { code, rich, strong } from "../rich.ts";
import { defineAction, onAccount, serviceParams, serviceSubject, serviceText, storedId } from "./define.ts";
import { accountFlag, findService, serviceName, serviceParam } from "./targets.ts";

/** Renew, autorenew, cancel: how long a service runs and what it costs. */

const renewParams = serviceParams.extend({
  optionId: storedId.optional(),
  optionLabel: z.string().max(200).optional(),
});

export const renewAction = defineAction({
  name: "renew",
  capability: "renewService",
  title: "Renew",
  params: renewParams,
  describe: (p, a) =>
    rich`Renew ${serviceText(p)} ${onAccount(a)}${p.optionLabel ? ` (${p.optionLabel})` : ""}. This spends money from the account balance.`,
  subject: serviceSubject,
  run: (d, p) => d.renewService(p.serviceId, p.optionId ? { optionId: p.optionId } : undefined),
  command: {
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
    async target(ctx, args) {
      const { account, service } = await findService(ctx, args.service, args.account, "renewService");
      const options = service?.renewOptions ?? [];
      const chosen = args.option ? options.find((o) => o.id === args.option) : undefined;
      if (args.option && options.length && !chosen)
        throw new UserError(
          "invalid",
          rich`No renewal option ${code(plain(args.option, 40))}. Options: ${options.map((o) => `${o.id} (${o.label}${o.price ? `, ${formatMoney(o.price)}` : ""})`).join("; ")}.`,
        );
      const cheapest = options
        .flatMap((o) => (o.price ? [o.price] : []))
        .sort((a, b) => compareDecimal(a.amount, b.amount))[0];
      const price = chosen?.price ?? (options.length ? cheapest : service?.renewalPrice);
      return {
        account,
        params: {
          serviceId: args.service,
          serviceName: serviceName(service),
          ...(chosen ? { optionId: chosen.id, optionLabel: chosen.label } : {}),
        },
        ...(price ? { cost: formatMoney(price) } : {}),
      };
    },
  },
});

export const autorenewAction = defineAction({
  name: "autorenew",
  capability: "setAutorenew",
  title: "Autorenew",
  params: serviceParams.extend({ enabled: z.boolean() }),
  describe: (p, a) =>
    rich`Turn autorenew ${strong(p.enabled ? "on" : "off")} for ${serviceText(p)} ${onAccount(a)}.${p.enabled ? " Renewals will be paid from the balance automatically." : " The service expires unless renewed by hand."}`,
  subject: serviceSubject,
  run: (d, p) => d.setAutorenew(p.serviceId, p.enabled),
  command: {
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
    async target(ctx, args) {
      const { account, service } = await findService(ctx, args.service, args.account, "setAutorenew");
      return {
        account,
        params: { serviceId: args.service, serviceName: serviceName(service), enabled: args.state === "on" },
      };
    },
  },
});

export const cancelAction = defineAction({
  name: "cancel",
  capability: "cancelService",
  title: "Cancel",
  params: serviceParams.extend({ immediate: z.boolean(), reason: z.string().max(300) }),
  describe: (p, a) =>
    rich`Cancel ${serviceText(p)} ${onAccount(a)} ${p.immediate ? [strong("immediately")] : "at the end of the billing period"}. Reason: "${p.reason}".`,
  warning: (p) =>
    p.immediate
      ? "The service and its data are removed right away; this cannot be undone."
      : "Cancellation cannot be undone from chat.",
  subject: serviceSubject,
  run: (d, p) => d.cancelService(p.serviceId, { immediate: p.immediate, reason: p.reason }),
  command: {
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
      accountFlag,
      { name: "reason", description: "why (sent to the provider)", type: "string", rest: true },
    ],
    schema: z.object({
      service: serviceIdSchema,
      immediate: z.boolean().optional(),
      account: labelSchema.optional(),
      reason: z.string().trim().max(300, "must be at most 300 characters").optional(),
    }),
    async target(ctx, args) {
      const { account, service } = await findService(ctx, args.service, args.account, "cancelService");
      return {
        account,
        params: {
          serviceId: args.service,
          serviceName: serviceName(service),
          immediate: Boolean(args.immediate),
          reason: plain(args.reason || "Requested from chat", 300),
        },
      };
    },
  },
});
