import { z } from "zod";
import { accountParam, labelSchema, serviceIdSchema } from "../commands/shared.ts";
import type { CommandContext } from "../context.ts";
import { rich } from "../rich.ts";
import {
  type ActionName,
  defineAction,
  onAccount,
  serviceParams,
  serviceSubject,
  serviceText,
} from "./define.ts";
import { findService, serviceName, serviceParam } from "./targets.ts";

/** Reboot, power on, power off: one server, HOSTKEY's PIN where the account has one. */

const serviceArgs = z.object({ service: serviceIdSchema, account: labelSchema.optional() });

/** The command of a power action: `/hosting <name> <service> [account]`. */
function powerCommand(name: ActionName, capability: "reboot" | "powerOn" | "powerOff", summary: string) {
  return {
    path: [name],
    compactPath: ["service", name] as const,
    summary,
    params: [serviceParam, accountParam],
    schema: serviceArgs,
    async target(ctx: CommandContext, args: z.output<typeof serviceArgs>) {
      const { account, service } = await findService(ctx, args.service, args.account, capability);
      return { account, params: { serviceId: args.service, serviceName: serviceName(service) } };
    },
  };
}

export const rebootAction = defineAction({
  name: "reboot",
  capability: "reboot",
  title: "Reboot",
  pin: true,
  params: serviceParams,
  describe: (p, a) =>
    rich`Reboot ${serviceText(p)} ${onAccount(a)}. The server is unreachable while it restarts.`,
  subject: serviceSubject,
  run: (d, p, pin) => d.reboot(p.serviceId, { pin }),
  command: powerCommand("reboot", "reboot", "Request a server reboot (runs after an admin approves)"),
});

export const powerOnAction = defineAction({
  name: "poweron",
  capability: "powerOn",
  title: "Power on",
  pin: true,
  params: serviceParams,
  describe: (p, a) => rich`Power on ${serviceText(p)} ${onAccount(a)}.`,
  subject: serviceSubject,
  run: (d, p, pin) => d.powerOn(p.serviceId, { pin }),
  command: powerCommand("poweron", "powerOn", "Request powering a server on (after approval)"),
});

export const powerOffAction = defineAction({
  name: "poweroff",
  capability: "powerOff",
  title: "Power off",
  pin: true,
  params: serviceParams,
  describe: (p, a) =>
    rich`Power off ${serviceText(p)} ${onAccount(a)}. It stays down until someone powers it on.`,
  subject: serviceSubject,
  run: (d, p, pin) => d.powerOff(p.serviceId, { pin }),
  command: powerCommand("poweroff", "powerOff", "Request powering a server off (after approval)"),
});
