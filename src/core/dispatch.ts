import type { z } from "zod";
import type { Role } from "../db/schema.ts";
import { commandsTotal } from "../observability/metrics.ts";
import { scrub } from "../observability/secrets.ts";
import { PROVIDER_NAMES, ProviderError } from "../providers/types.ts";
import { audit } from "./audit.ts";
import {
  findCommand,
  type ParseOptions,
  parseArgs,
  tokenize,
  unknownCommandMessage,
} from "./commands/grammar.ts";
import { actionHandlers, commandTree, modalHandlers } from "./commands/index.ts";
import type {
  Actor,
  CommandContext,
  CommandDef,
  Core,
  Effects,
  Invocation,
  RequestHooks,
} from "./context.ts";
import { controlCharIn, escapeControlChars, findControlChar } from "./control-chars.ts";
import { UserError } from "./errors.ts";
import { atLeast, roleOf } from "./permissions.ts";
import { errorReply, type Outcome, reply } from "./reply.ts";
import {
  code,
  command,
  param,
  plainText,
  type Rich,
  rich,
  strong,
  type Text,
  toRich,
  usage,
} from "./rich.ts";

export interface ParsedCommand {
  path: string[];
  args: Record<string, unknown>;
  /** A guess the parser made, shown with the answer. */
  note?: Rich;
}

/** Parses `/hosting …` text into a command path and args (the Slack and console grammar). */
export function parseCommandText(text: string, opts: ParseOptions = {}): ParsedCommand {
  const words = tokenize(text.trim());
  if (words.length === 0) return { path: ["help"], args: {} };
  const found = findCommand(commandTree, words, opts);
  if (!found) throw new UserError("invalid", unknownCommandMessage(commandTree, words));
  const { args, note } = parseArgs(found.command, found.rest, opts);
  return { path: [...found.command.path], args, ...(note ? { note } : {}) };
}

export function commandByPath(path: readonly string[]): CommandDef | undefined {
  return commandTree.find((c) => c.path.join(" ") === path.join(" "));
}

/** The single entry point for chat: every command, button and modal submit goes through here. */
export class Dispatcher {
  constructor(readonly core: Core) {}

  /**
   * Runs command text as typed (Slack, the console): the grammar knows the labels of the
   * accounts bound to the channel, so `reinstall 302 prod` takes `prod` as the account, and a
   * guess the parser made is said above the answer. Text that does not parse is answered and
   * audited like any other command. Never throws.
   */
  async text(actor: Actor, text: string, hooks: RequestHooks = {}): Promise<Outcome> {
    const t0 = performance.now();
    let parsed: ParsedCommand;
    try {
      const bound = await this.core.accounts.channelAccounts(
        actor.platform,
        actor.workspaceId,
        actor.channelId,
      );
      parsed = parseCommandText(text, { accountLabels: bound.map((b) => b.account.label.toLowerCase()) });
    } catch (err) {
      if (!(err instanceof UserError)) return this.fail(actor, "(unparsed)", {}, err, this.core.log, t0);
      const char = controlCharIn(text);
      return this.finish(
        actor,
        "(unparsed)",
        unparsedSummary(text, char),
        "invalid",
        reply(errorReply(char ? controlMessage("The command", char) : err.text)),
        t0,
      );
    }
    const out = await this.command({ ...actor, path: parsed.path, args: parsed.args }, hooks);
    return parsed.note ? withNote(out, parsed.note) : out;
  }

  /**
   * Runs a command; never throws: every failure becomes a reply that says what to do. `hooks`
   * come from the adapter (Discord: how to acknowledge before a provider is asked).
   */
  async command(inv: Invocation, hooks: RequestHooks = {}): Promise<Outcome> {
    const name = inv.path.join(" ");
    const control = findControlChar({ path: inv.path, ...inv.args });
    if (control)
      return this.finish(
        inv,
        name,
        inv.args,
        "invalid",
        reply(
          errorReply(
            controlMessage(control.where === "path" ? "The command" : [param(control.where)], control.char),
          ),
        ),
      );
    const def = commandByPath(inv.path);
    if (!def)
      return this.finish(
        inv,
        name,
        inv.args,
        "invalid",
        reply(errorReply(rich`Unknown command ${code(name.slice(0, 40))}.`)),
      );
    return this.guarded(inv, name, inv.args, def.role, hooks, async (ctx) => {
      const parsed = def.schema.safeParse(inv.args);
      if (!parsed.success)
        return {
          outcome: "invalid",
          out: reply(errorReply(invalidMessage(def, parsed.error))),
        };
      await acknowledgeFirst(def, ctx);
      const out = await def.run(ctx, parsed.data);
      const failed = out.kind === "reply" && out.reply.severity === "warning" && out.reply.ephemeral;
      return {
        outcome: failed ? "failed" : "ok",
        out: withEphemeral(out, def.ephemeral),
        args: parsed.data as Record<string, unknown>,
      };
    });
  }

  /** A button click, re-authorized now (a role revoked since the message was posted no longer counts). */
  async action(actor: Actor, actionId: string, value: string, hooks: RequestHooks = {}): Promise<Outcome> {
    const def = actionHandlers.find((a) => a.id === actionId);
    const name = `button ${actionId}`;
    const control = controlCharIn(actionId) ?? controlCharIn(value);
    if (control)
      return this.finish(
        actor,
        name,
        { value },
        "invalid",
        reply(errorReply(controlMessage("That button", control))),
      );
    if (!def)
      return this.finish(
        actor,
        name,
        { value },
        "invalid",
        reply(errorReply("That button is no longer valid.")),
      );
    return this.guarded(actor, name, { value }, def.role, hooks, async (ctx) => {
      await acknowledgeFirst(def, ctx);
      return { outcome: "ok", out: await def.run(ctx, value) };
    });
  }

  /** A form submit. Its values may hold credentials: they never reach the audit log or logs. */
  async modal(
    actor: Actor,
    modalId: string,
    state: string,
    values: Record<string, string>,
  ): Promise<Outcome> {
    const def = modalHandlers.find((m) => m.id === modalId);
    if (!def) return reply(errorReply("That form is no longer valid."));
    // Refused per field; the audit row names the fields, never their values (credentials).
    const errors: Record<string, string> = {};
    for (const [id, v] of Object.entries(values)) {
      const char = controlCharIn(v) ?? controlCharIn(id);
      if (char) errors[escapeControlChars(id)] = plainText(controlMessage("This field", char));
    }
    if (controlCharIn(state)) errors.form = plainText(controlMessage("The form", controlCharIn(state) ?? ""));
    if (Object.keys(errors).length)
      return this.finish(actor, `form ${modalId}`, { fields: Object.keys(errors) }, "invalid", {
        kind: "fieldErrors",
        errors,
      });
    // Successful submits are audited by their handler, with the fields that are safe to keep.
    // No acknowledge hook: Discord defers a submit on arrival; Slack answers it within its own budget.
    return this.guarded(actor, `form ${modalId}`, {}, def.role, {}, async (ctx) => ({
      outcome: "ok",
      out: await def.run(ctx, state, values),
      audited: true,
    }));
  }

  /** Role check, then `run`; every outcome is counted and audited, every error answered. */
  private async guarded(
    actor: Actor,
    name: string,
    args: Record<string, unknown>,
    need: Role,
    hooks: RequestHooks,
    run: (
      ctx: CommandContext,
    ) => Promise<{ outcome: string; out: Outcome; args?: Record<string, unknown>; audited?: boolean }>,
  ): Promise<Outcome> {
    const log = this.core.log.child({
      command: name,
      platform: actor.platform,
      channel: actor.channelId,
      requestId: actor.requestId,
    });
    const t0 = performance.now();
    try {
      const role = await roleOf(this.core.db, actor, this.core.settings.defaultRole);
      if (!atLeast(role, need))
        return this.finish(actor, name, args, "denied", reply(errorReply(deniedMessage(need, role))), t0);
      const r = await run({ core: this.core, actor, role, log, acknowledge: acknowledger(hooks) });
      return this.finish(actor, name, r.args ?? args, r.outcome, r.out, t0, !r.audited);
    } catch (err) {
      return this.fail(actor, name, args, err, log, t0);
    }
  }

  private async finish(
    actor: Actor,
    name: string,
    args: Record<string, unknown>,
    outcome: string,
    out: Outcome,
    t0 = performance.now(),
    writeAudit = true,
  ): Promise<Outcome> {
    commandsTotal.inc({ command: name, outcome, platform: actor.platform });
    // One line per command, click and form: the platform's request id and how long it took.
    this.core.log.info(
      {
        command: name,
        outcome,
        platform: actor.platform,
        workspace: actor.workspaceId,
        channel: actor.channelId,
        user: actor.userId,
        requestId: actor.requestId,
        ms: Math.round(performance.now() - t0),
      },
      "command handled",
    );
    // Form submits are audited by their handler, with the fields that are safe to keep.
    if (!writeAudit) return out;
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
    t0: number,
  ): Promise<Outcome> {
    if (err instanceof UserError)
      return this.finish(
        actor,
        name,
        args,
        err.kind === "denied" ? "denied" : "invalid",
        reply(errorReply(err.text)),
        t0,
      );
    if (err instanceof ProviderError) {
      const who = err.displayName ?? (err.provider ? PROVIDER_NAMES[err.provider] : "The provider");
      return this.finish(actor, name, args, "error", reply(errorReply(`${who}: ${scrub(err.message)}`)), t0);
    }
    log.error({ err, ms: Math.round(performance.now() - t0) }, "command failed");
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

/**
 * A handler that may call a provider and never opens a form gets the request acknowledged before
 * it runs; one that may do both acknowledges itself before its first provider call (a form must be
 * the first response on Discord).
 */
async function acknowledgeFirst(def: Effects, ctx: CommandContext): Promise<void> {
  if (def.mayCallProvider && !def.mayOpenForm) await ctx.acknowledge();
}

/** The adapter's acknowledgement, asked for once however often core calls it. */
function acknowledger(hooks: RequestHooks): () => Promise<void> {
  let once: Promise<void> | undefined;
  return () => {
    once ??= hooks.acknowledge ? hooks.acknowledge() : Promise.resolve();
    return once;
  };
}

/** The parser's guess, as a line above the answer (answers that are not messages stay as they are). */
function withNote(out: Outcome, note: Rich): Outcome {
  if (out.kind !== "reply") return out;
  const r = out.reply;
  return {
    kind: "reply",
    reply: {
      ...r,
      text: `${plainText(note)}\n\n${r.text}`,
      blocks: [{ kind: "context", text: note }, ...r.blocks],
    },
  };
}

const COMMAND_WORDS = new Set(commandTree.flatMap((c) => [...c.path, ...(c.compactPath ?? [])]));

/**
 * What the audit keeps of command text that did not parse: its leading command words and its
 * size, not the rest (a credential typed into the command by mistake must not be stored).
 */
function unparsedSummary(text: string, control: string | undefined): Record<string, unknown> {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const lead: string[] = [];
  for (const w of words) {
    if (lead.length >= 3 || !COMMAND_WORDS.has(w.toLowerCase())) break;
    lead.push(w.toLowerCase());
  }
  return { start: lead.join(" "), words: words.length, chars: text.length, control };
}

/** What a person is told when their input holds a control character (never the character itself). */
function controlMessage(what: Text, char: string): Rich {
  return rich`${toRich(what)} contains a control character (${char}), which hostops does not accept. Type it again without it (it often comes from pasting).`;
}

function withEphemeral(out: Outcome, ephemeral: boolean | undefined): Outcome {
  if (ephemeral && out.kind === "reply") return { kind: "reply", reply: { ...out.reply, ephemeral: true } };
  return out;
}

function deniedMessage(need: string, have: string): Rich {
  const how = command(["grant"], { user: "@you", role: need });
  return rich`You need the ${strong(need)} role here for that (you are ${have === "none" ? "not granted any role" : [strong(have)]}). An admin can grant it with ${how}.`;
}

/**
 * A refused argument as a sentence: "`account` must be an account label: …", "`years` is
 * required". Schema messages are written as the end of that sentence ("must be …", "is …"); a
 * refinement's message that starts with a capital is a whole sentence of its own.
 */
export function invalidMessage(def: CommandDef, error: z.ZodError): Rich {
  const issue = error.issues[0];
  const field = issue?.path[0];
  const p = def.params.find((p) => p.name === field);
  const message = issue?.message ?? "";
  let sentence: Rich;
  const name: Rich = typeof field === "string" ? [param(field)] : ["The command"];
  if (!issue) sentence = ["The command is not valid."];
  else if (issue.code === "custom" && /^[A-Z]/.test(message)) sentence = [message.replace(/([^.])$/, "$1.")];
  else {
    let what: string;
    if (issue.code === "invalid_type" && issue.input === undefined) what = "is required";
    else if (p?.choices && issue.code !== "invalid_type") what = `must be one of ${p.choices.join(", ")}`;
    else if (/^(must|is|has) /.test(message)) what = message;
    else if (issue.code === "too_small")
      what = issue.origin === "number" ? `must be at least ${issue.minimum}` : "is too short";
    else if (issue.code === "too_big")
      what = issue.origin === "number" ? `must be at most ${issue.maximum}` : "is too long";
    else what = "is not valid";
    sentence = rich`${name} ${what}.`;
  }
  return rich`${sentence} ${usage(def.path)}`;
}

function isDatabaseDown(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return ["ECONNREFUSED", "ECONNRESET", "CONNECTION_CLOSED", "CONNECTION_ENDED", "57P01", "57P03"].includes(
    code ?? "",
  );
}
