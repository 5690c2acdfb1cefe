import { LRUCache } from "lru-cache";
import { z } from "zod";
import { can, type OperatingSystem, providerName } from "../../providers/types.ts";
import type { Account } from "../accounts.ts";
import { cannotMessage, explain, labelSchema, serviceIdSchema } from "../commands/shared.ts";
import type { CommandContext } from "../context.ts";
import { UserError } from "../errors.ts";
import { plain } from "../format.ts";
import { blocksReply, reply } from "../reply.ts";
import { code, command, rich, strong } from "../rich.ts";
import { defineAction, onAccount, serviceParams, serviceSubject, serviceText, storedId } from "./define.ts";
import { accountFlag, findService, serviceName, serviceParam } from "./targets.ts";

/**
 * Reinstall: the OS comes from the provider's list. Without an OS the command answers with a
 * button that opens a form to pick one (the button and form handlers are in commands/actions.ts).
 */

/** OS lists are cached briefly so that the OS form opens within the platform's 3-second window. */
const osCache = new LRUCache<string, OperatingSystem[]>({ max: 500, ttl: 10 * 60_000 });

export async function operatingSystems(
  ctx: CommandContext,
  account: Account,
  serviceId: string,
): Promise<OperatingSystem[]> {
  const key = `${account.id}:${serviceId}`;
  const hit = osCache.get(key);
  if (hit) return hit;
  const driver = ctx.core.accounts.driverFor(account);
  if (!can(driver, "listOperatingSystems"))
    throw new UserError("unsupported", cannotMessage(account, "listOperatingSystems"));
  await ctx.acknowledge();
  const list = await driver.listOperatingSystems(serviceId);
  osCache.set(key, list);
  return list;
}

/** What the "Choose the OS…" button and its form carry: the account id and the service id. */
export const chooseState = z.object({ a: z.uuid(), s: serviceIdSchema });
export const CHOOSE_OS_BUTTON = "reinstall:choose";
export const CHOOSE_OS_FORM = "reinstall:os";

const reinstallParams = serviceParams.extend({
  osId: storedId,
  osName: z.string().max(200).optional(),
});

const reinstallArgs = z.object({
  service: serviceIdSchema,
  os: z.string().trim().min(1).max(100).optional(),
  account: labelSchema.optional(),
});

export const reinstallAction = defineAction({
  name: "reinstall",
  capability: "reinstall",
  title: "Reinstall",
  pin: true,
  params: reinstallParams,
  describe: (p, a) => rich`Reinstall ${serviceText(p)} ${onAccount(a)} with ${strong(p.osName || p.osId)}.`,
  warning: (_p, a) =>
    a.kind === "hostkey"
      ? "All data on the server will be lost. HOSTKEY: do not begin a new reinstallation until the previous one is complete; the new root password is set by the provider — retrieve or reset it in the HOSTKEY panel."
      : `${providerName(a)}: "All data in the server will be lost! All of backups of your server will be deleted from our storages!"`,
  subject: serviceSubject,
  run: (d, p, pin) => d.reinstall(p.serviceId, { osId: p.osId, pin }),
  command: {
    path: ["reinstall"],
    compactPath: ["service", "reinstall"],
    summary: "Request an OS reinstall; without an OS, pick one from the provider's list (after approval)",
    params: [
      serviceParam,
      { name: "os", description: "OS id or name", type: "string", autocomplete: "os" },
      accountFlag,
    ],
    schema: reinstallArgs,
    async target(ctx, args) {
      const { account, service } = await findService(ctx, args.service, args.account, "reinstall");
      let list: OperatingSystem[];
      try {
        list = await operatingSystems(ctx, account, args.service);
      } catch (err) {
        throw new UserError("invalid", explain(err, account, ctx));
      }
      if (!args.os) return { answer: osPicker(account, args.service, list) };
      const want = args.os.toLowerCase();
      const os =
        list.find((o) => o.id.toLowerCase() === want) ?? list.find((o) => o.name.toLowerCase() === want);
      if (!os)
        throw new UserError(
          "invalid",
          rich`${providerName(account)} offers no OS ${code(plain(args.os, 40))} for this server. Run ${command(["reinstall"], { service: args.service })} to pick from the list.`,
        );
      return {
        account,
        params: { serviceId: args.service, serviceName: serviceName(service), osId: os.id, osName: os.name },
      };
    },
  },
});

/** The answer to a reinstall without an OS: how many the provider offers, and a button to pick one. */
function osPicker(account: Account, serviceId: string, list: OperatingSystem[]) {
  return reply(
    blocksReply(
      [
        {
          kind: "text",
          text: `${providerName(account)} offers ${list.length} operating systems for ${serviceId}.`,
        },
        {
          kind: "actions",
          buttons: [
            {
              id: CHOOSE_OS_BUTTON,
              label: "Choose the OS…",
              style: "primary",
              value: JSON.stringify({ a: account.id, s: serviceId } satisfies z.input<typeof chooseState>),
            },
          ],
        },
      ],
      { ephemeral: true },
    ),
  );
}
