import type { z } from "zod";
import { commandsTotal } from "../observability/metrics.ts";
import { scrub } from "../observability/secrets.ts";
import { PROVIDER_NAMES, ProviderError } from "../providers/types.ts";
import { audit } from "./audit.ts";
import { findCommand, parseArgs, tokenize, usage } from "./commands/grammar.ts";
import { actionHandlers, commandTree, modalHandlers } from "./commands/index.ts";
import type { Actor, CommandContext, CommandDef, Core, Invocation } from "./context.ts";
import { UserError } from "./errors.ts";
import { atLeast, roleOf } from "./permissions.ts";
import { errorReply, type Outcome, reply } from "./reply.ts";

/** Parses `/hosting …` text into a command path and args (the Slack and console grammar). */
export function parseCommandText(text: string): { path: string[]; args: Record<string, unknown> } {
  const words = tokenize(text.trim());
  if (words.length === 0) return { path: ["help"], args: {} };
  const found = findCommand(commandTree, words);
  if (!found) {
    const first = (words[0] ?? "").replace(/[^\w-]/g, "").slice(0, 30);
    throw new UserError("invalid", `Unknown command \`${first}\`. \`/hosting help\` lists the commands.`);
  }
  return { path: [...found.command.path], args: parseArgs(found.command, found.rest) };
}

export function commandByPath(path: readonly string[]): CommandDef | undefined {
  return commandTree.find((c) => c.path.join(" ") === path.join(" "));
}

/** The single entry point for chat: every command, button and modal submit goes through here. */
export class Dispatcher {
  constructor(readonly core: Core) {}

  /** Runs a command; never throws: every failure becomes a reply that says what to do. */
  async command(inv: Invocation): Promise<Outcome> {
    const name = inv.path.join(" ");
    const def = commandByPath(inv.path);
    const log = this.core.log.child({ command: name, platform: inv.platform, channel: inv.channelId });
    if (!def)
      return this.finish(
        inv,
        name,
        inv.args,
        "invalid",
        reply(errorReply(`Unknown command \`${name.slice(0, 40)}\`.`)),
      );
    try {
      const role = await roleOf(this.core.db, inv, this.core.settings.defaultRole);
      if (!atLeast(role, def.role))
        return this.finish(
          inv,
          name,
          inv.args,
          "denied",
          reply(errorReply(deniedMessage(def.role, role, inv.platform))),
        );
      const parsed = def.schema.safeParse(inv.args);
      if (!parsed.success)
        return this.finish(
          inv,
          name,
          inv.args,
          "invalid",
          reply(errorReply(invalidMessage(def, parsed.error, inv.platform))),
        );
      const ctx: CommandContext = { core: this.core, actor: inv, role, log };
      const out = await def.run(ctx, parsed.data);
      const outcome =
        out.kind === "reply" && out.reply.severity === "warning" && out.reply.ephemeral ? "failed" : "ok";
      return this.finish(
        inv,
        name,
        parsed.data as Record<string, unknown>,
        outcome,
        withEphemeral(out, def.ephemeral),
      );
    } catch (err) {
      return this.fail(inv, name, inv.args, err, log);
    }
  }

  async action(actor: Actor, actionId: string, value: string): Promise<Outcome> {
    const def = actionHandlers.find((a) => a.id === actionId);
    const name = `button ${actionId}`;
    const log = this.core.log.child({ action: actionId, platform: actor.platform });
    if (!def)
      return this.finish(
        actor,
        name,
        { value },
        "invalid",
        reply(errorReply("That button is no longer valid.")),
      );
    try {
      const role = await roleOf(this.core.db, actor, this.core.settings.defaultRole);
      if (!atLeast(role, def.role))
        return this.finish(
          actor,
          name,
          { value },
          "denied",
          reply(errorReply(deniedMessage(def.role, role, actor.platform))),
        );
      const out = await def.run({ core: this.core, actor, role, log }, value);
      return this.finish(actor, name, { value }, "ok", out);
    } catch (err) {
      return this.fail(actor, name, { value }, err, log);
    }
  }

  async modal(
    actor: Actor,
    modalId: string,
    state: string,
    values: Record<string, string>,
  ): Promise<Outcome> {
    const def = modalHandlers.find((m) => m.id === modalId);
    const name = `form ${modalId}`;
    const log = this.core.log.child({ modal: modalId, platform: actor.platform });
    if (!def) return reply(errorReply("That form is no longer valid."));
    try {
      const role = await roleOf(this.core.db, actor, this.core.settings.defaultRole);
      if (!atLeast(role, def.role))
        return this.finish(
          actor,
          name,
          {},
          "denied",
          reply(errorReply(deniedMessage(def.role, role, actor.platform))),
        );
      // Form values may hold credentials: they are never passed to the audit log or logs.
      return await def.run({ core: this.core, actor, role, log }, state, values);
    } catch (err) {
      return this.fail(actor, name, {}, err, log);
    }
  }

  private async finish(
    actor: Actor,
    name: string,
    args: Record<string, unknown>,
    outcome: string,
    out: Outcome,
  ): Promise<Outcome> {
    commandsTotal.inc({ command: name, outcome, platform: actor.platform });
    this.core.log.info(
      {
        command: name,
        outcome,
        platform: actor.platform,
        workspace: actor.workspaceId,
        channel: actor.channelId,
        user: actor.userId,
      },
      "command handled",
    );
    try {
      await audit(this.core.db, actor, { command: name, args, outcome });
    } catch (err) {
      this.core.log.error({ err }, "audit write failed");
    }
    return out;
  }

  private async fail(
    actor: Actor,
    name: string,
    args: Record<string, unknown>,
    err: unknown,
    log: CommandContext["log"],
  ): Promise<Outcome> {
    if (err instanceof UserError)
      return this.finish(
        actor,
        name,
        args,
        err.kind === "denied" ? "denied" : "invalid",
        reply(errorReply(err.message)),
      );
    if (err instanceof ProviderError) {
      const who = err.provider ? PROVIDER_NAMES[err.provider] : "The provider";
      return this.finish(actor, name, args, "error", reply(errorReply(`${who}: ${scrub(err.message)}`)));
    }
    log.error({ err }, "command failed");
    const text = isDatabaseDown(err)
      ? "hostops cannot reach its database right now; nothing was changed. Try again in a moment."
      : "Something went wrong on our side; nothing was changed. The error has been logged.";
    commandsTotal.inc({ command: name, outcome: "error", platform: actor.platform });
    try {
      await audit(this.core.db, actor, { command: name, args, outcome: "error" });
    } catch {
      // The database may be the thing that failed; the log line above has the error.
    }
    return reply(errorReply(text));
  }
}

function withEphemeral(out: Outcome, ephemeral: boolean | undefined): Outcome {
  if (ephemeral && out.kind === "reply") return { kind: "reply", reply: { ...out.reply, ephemeral: true } };
  return out;
}

function deniedMessage(need: string, have: string, platform: Actor["platform"]): string {
  const how =
    platform === "discord" ? `/hosting grant user:@you role:${need}` : `/hosting grant @you ${need}`;
  return `You need the *${need}* role here for that (you are ${have === "none" ? "not granted any role" : `*${have}*`}). An admin can grant it with \`${how}\`.`;
}

function invalidMessage(def: CommandDef, error: z.ZodError, platform: Actor["platform"]): string {
  const issue = error.issues[0];
  const field = issue?.path[0];
  const param = def.params.find((p) => p.name === field);
  let what = issue?.message ?? "invalid input";
  if (issue?.code === "invalid_type" && issue.input === undefined) what = "is required";
  else if (param?.choices && issue?.code !== "invalid_type")
    what = `must be one of ${param.choices.join(", ")}`;
  const name = typeof field === "string" ? `\`${field}\` ` : "";
  return `${name}${what.startsWith("is ") || what.startsWith("must") ? what : `must be ${what}`}. Usage: \`${usage(def, platform)}\``;
}

function isDatabaseDown(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return ["ECONNREFUSED", "ECONNRESET", "CONNECTION_CLOSED", "CONNECTION_ENDED", "57P01", "57P03"].includes(
    code ?? "",
  );
}
