import { z } from "zod";
import { alertActionHandlers, alertCommands, alertModalHandlers } from "../alerts/commands.ts";
import type { ActionHandlerDef, CommandDef, ModalHandlerDef } from "../context.ts";
import { atLeast } from "../permissions.ts";
import { blocksReply, reply } from "../reply.ts";
import { rich, usage } from "../rich.ts";
import {
  accountsAdd,
  accountsAddForm,
  accountsAddSubmit,
  accountsEdit,
  accountsEditSubmit,
  accountsList,
  accountsRemove,
} from "./accounts.ts";
import {
  approveButton,
  auditCommand,
  autorenew,
  cancel,
  denyButton,
  domainNs,
  domainRenew,
  pending,
  pinSubmit,
  poweroff,
  poweron,
  reboot,
  reinstall,
  reinstallChoose,
  reinstallSubmit,
  renew,
} from "./actions.ts";
import { approvalsSet, approvalsShow } from "./approvals.ts";
import { balance } from "./balance.ts";
import { bind, bindings, unbind } from "./bindings.ts";
import { domains } from "./domains.ts";
import { forecast } from "./forecast.ts";
import { grant, grants, revoke } from "./grants.ts";
import { invoices } from "./invoices.ts";
import { registerCommandTree } from "./lookup.ts";
import { overview } from "./overview.ts";
import { reportCommands } from "./reports.ts";
import { service, services } from "./services.ts";

export const help: CommandDef = {
  path: ["help"],
  summary: "Show the commands you can use here",
  params: [],
  schema: z.object({}),
  role: "viewer",
  ephemeral: true,
  async run(ctx) {
    const mine = commandTree.filter((c) => atLeast(ctx.role, c.role));
    const lines = mine.map((c) => rich`${usage(c.path)} — ${c.summary}`);
    return reply(
      blocksReply(
        [
          { kind: "header", text: "hostops commands" },
          { kind: "list", items: lines },
          {
            kind: "context",
            text: `Your role here: ${ctx.role}. Destructive actions (reboot, reinstall, renew, cancel, nameservers) are requested by operators and run only after an admin approves.`,
          },
        ],
        { ephemeral: true },
      ),
    );
  },
};

/** Every command, once. The Slack grammar, Discord registration and help are derived from this list. */
export const commandTree: CommandDef[] = [
  help,
  services,
  service,
  balance,
  invoices,
  domains,
  forecast,
  overview,
  accountsAdd,
  accountsList,
  accountsEdit,
  accountsRemove,
  bind,
  unbind,
  bindings,
  grant,
  revoke,
  grants,
  reboot,
  poweron,
  poweroff,
  reinstall,
  renew,
  autorenew,
  cancel,
  domainRenew,
  domainNs,
  pending,
  auditCommand,
  approvalsShow,
  approvalsSet,
  ...alertCommands,
  ...reportCommands,
];

registerCommandTree(commandTree);

export const modalHandlers: ModalHandlerDef[] = [
  accountsAddSubmit,
  accountsEditSubmit,
  reinstallSubmit,
  pinSubmit,
  ...alertModalHandlers,
];
export const actionHandlers: ActionHandlerDef[] = [
  accountsAddForm,
  reinstallChoose,
  approveButton,
  denyButton,
  ...alertActionHandlers,
];
