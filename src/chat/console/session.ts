import { userInfo } from "node:os";
import { closest } from "../../core/commands/suggest.ts";
import { approvalRefusal } from "../../core/confirmations.ts";
import type { Actor, Core } from "../../core/context.ts";
import type { Dispatcher } from "../../core/dispatch.ts";
import { type Button, errorReply, type Modal, type Outcome, type Reply } from "../../core/reply.ts";
import { createLineInput, type LineInput } from "./lines.ts";
import { type ConsoleMessage, ConsoleMessenger } from "./messenger.ts";
import { savePictures } from "./pictures.ts";
import { fieldPrompt, renderChoices, renderReply, type TerminalStyle, terminalText } from "./render.ts";

/** The console's one workspace and channel: accounts bound here answer console commands. */
export const CONSOLE_WORKSPACE = "local";
export const CONSOLE_CHANNEL = "console";
/** The person at the terminal. Console user ids follow the grant grammar (A-Z, 0-9). */
export const CONSOLE_USER = "LOCAL";

/** The person at the terminal: a platform admin (they run the process and own its database). */
export function consoleActor(over: Partial<Actor> = {}): Actor {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    name = undefined;
  }
  return {
    platform: "console",
    workspaceId: CONSOLE_WORKSPACE,
    channelId: CONSOLE_CHANNEL,
    userId: CONSOLE_USER,
    userName: name,
    userIsPlatformAdmin: true,
    ...over,
  };
}

export interface ConsoleOptions {
  core: Core;
  dispatcher: Dispatcher;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** A person at a TTY (line editing, hidden secrets); false: a script from a pipe. Default: input.isTTY. */
  interactive?: boolean;
  /** ANSI styles; default: interactive and the output is a TTY. */
  color?: boolean;
  /** Printed first (interactive sessions). */
  banner?: string;
  /** The data lives in memory (the sandbox): leaving loses it, so Ctrl-C says so. */
  volatile?: boolean;
  /** Where a script's failure count is written (default: output). */
  status?: NodeJS.WritableStream;
  actor?: Partial<Actor>;
}

const CONSOLE_HELP = [
  "Type /hosting commands without the /hosting (it is accepted too): `help`, `services`, `balance`, …",
  "  <number>         press the button with that number in the last command's message (a new command clears them)",
  "  .as <USER>       act as another local admin (to try the two-person rule); `.as LOCAL` to come back",
  "  .as <USER> --member   act as a member without admin rights (their role comes from grants)",
  "  .whoami          who you are acting as",
  "  .quit            leave (Ctrl-D does too; Ctrl-C twice in a row as well)",
  "Forms ask one field at a time (secrets are not echoed); Ctrl-C cancels a form.",
].join("\n");

/**
 * The terminal console: the same /hosting grammar and Dispatcher as chat, with actor platform
 * "console". Modals become prompts, buttons become numbered choices, and an approval asks for
 * an explicit "yes". Resolves with the exit code at the end of input or `.quit`: from a script
 * (not a terminal), 1 when any command failed, with how many said on stderr-like output.
 */
export async function runConsole(opts: ConsoleOptions): Promise<number> {
  const interactive = opts.interactive ?? Boolean((opts.input as { isTTY?: boolean }).isTTY);
  const s: TerminalStyle = {
    color: opts.color ?? (interactive && Boolean((opts.output as { isTTY?: boolean }).isTTY)),
  };
  const io = createLineInput({ input: opts.input, output: opts.output, interactive });
  const session = new Session(opts.dispatcher, io, s, consoleActor(opts.actor), Boolean(opts.volatile));
  const previous = opts.core.messengers.get("console");
  opts.core.messengers.set("console", session.messenger);
  try {
    if (opts.banner) io.print(opts.banner);
    await session.loop();
    // Work a command started (following a provider task) still posts its outcome before we leave.
    await opts.core.background.idle();
    const { failed, ran } = session;
    if (interactive || !failed) return 0;
    (opts.status ?? opts.output).write(
      `hostops: ${failed} of ${ran} command${ran === 1 ? "" : "s"} failed (the ⚠ lines in the output); exit status 1.\n`,
    );
    return 1;
  } finally {
    if (previous) opts.core.messengers.set("console", previous);
    else opts.core.messengers.delete("console");
    io.close();
  }
}

interface Choice {
  button: Button;
  /** The first line of the message the button sits on (for the approval question). */
  context: string;
  /** Which message: "message #3" for a posted one, "the last answer" for a reply. */
  where: string;
}

class Session {
  readonly messenger: ConsoleMessenger;
  #choices: Choice[] = [];
  /** The next message with buttons replaces the choices (set when a new line is handled). */
  #freshChoices = true;
  /** Commands and button presses handled, and how many of them failed (the exit status of a script). */
  ran = 0;
  failed = 0;
  /** Set while a line is handled when its answer is a refusal or an error. */
  #lineFailed = false;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly io: LineInput,
    private readonly s: TerminalStyle,
    private actor: Actor,
    private readonly volatile: boolean,
  ) {
    this.messenger = new ConsoleMessenger((m) => this.showMessage(m));
  }

  private get prompt(): string {
    return this.actor.userId === CONSOLE_USER ? "hosting> " : `hosting (${this.actor.userId})> `;
  }

  async loop(): Promise<void> {
    let interrupts = 0;
    for (;;) {
      const line = await this.io.read(this.prompt);
      if (line === null) {
        // Ctrl-C at the prompt does not drop the session (and the sandbox's data) at once.
        if (!this.io.interrupted || ++interrupts > 1) return;
        this.io.print(
          `To leave, type .quit or press Ctrl-D (or Ctrl-C again).${this.volatile ? " The sandbox keeps its data in memory: it is gone when you leave." : ""}`,
        );
        continue;
      }
      interrupts = 0;
      const text = line.trim();
      if (!text || text.startsWith("#")) continue;
      this.#freshChoices = true;
      if (text.startsWith(".")) {
        if (!this.meta(text)) return;
        continue;
      }
      this.ran++;
      this.#lineFailed = false;
      if (/^\d{1,3}$/.test(text)) await this.click(Number(text));
      else {
        // Numbers press the buttons of what this command prints, never those of an older message.
        this.#choices = [];
        await this.command(text);
      }
      if (this.#lineFailed) this.failed++;
    }
  }

  /** Console-only commands; false means leave. */
  private meta(text: string): boolean {
    const [cmd, arg, flag] = text.split(/\s+/);
    switch (cmd) {
      case ".quit":
      case ".exit":
        return false;
      case ".help":
        this.io.print(CONSOLE_HELP);
        return true;
      case ".whoami":
        this.io.print(
          `${this.actor.userId}${this.actor.userIsPlatformAdmin ? " (local admin)" : " (member; role from grants)"}`,
        );
        return true;
      case ".as": {
        const user = (arg ?? "").toUpperCase();
        if (!/^[A-Z0-9]{2,20}$/.test(user)) {
          this.io.print("Usage: .as <USER> [--member]   (2-20 letters or digits, e.g. .as BOB)");
          return true;
        }
        this.actor = {
          ...this.actor,
          userId: user,
          userName: user.toLowerCase(),
          userIsPlatformAdmin: flag !== "--member",
        };
        this.io.print(`Now acting as ${user}${flag === "--member" ? " (member)" : " (local admin)"}.`);
        return true;
      }
      default: {
        const guess = closest(cmd ?? "", [".quit", ".exit", ".help", ".whoami", ".as"]);
        this.io.print(
          `Unknown console command ${cmd}.${guess ? ` Did you mean ${guess}?` : ""} .help lists them.`,
        );
        return true;
      }
    }
  }

  private async command(text: string): Promise<void> {
    const words = text.replace(/^\/?hosting\b\s*/i, "");
    await this.handle(await this.dispatcher.text(this.actor, words));
  }

  private async click(n: number): Promise<void> {
    const choice = this.#choices[n - 1];
    if (!choice) {
      this.#lineFailed = true;
      this.io.print(
        this.#choices.length
          ? `⚠ There is no choice ${n}; the buttons of ${this.#choices[0]?.where} are ${renderChoices(
              this.#choices.map((c) => c.button),
              1,
              this.s,
            )}.`
          : `⚠ There is no button to press (${n}): the last command printed none. Commands print numbered buttons when they have some.`,
      );
      return;
    }
    const { button } = choice;
    if (button.id === "confirm:approve") {
      // Checked before asking: nobody types yes to an approval that is then refused.
      const refusal = await approvalRefusal(this.dispatcher.core, this.actor, button.value);
      if (refusal) {
        this.#lineFailed = true;
        this.io.print(`⚠ ${terminalText(refusal, this.s)}`);
        return;
      }
      // Approving runs a destructive action: a second, explicit confirmation.
      this.io.print(`Approve: ${choice.context} (${choice.where})`);
      const answer = await this.io.read("Type yes to approve: ");
      if (answer?.trim().toLowerCase() !== "yes") {
        this.io.print("Not approved; nothing was done.");
        return;
      }
    } else this.io.print(`→ ${terminalText(button.label, this.s)} (${choice.where})`);
    await this.handle(await this.dispatcher.action(this.actor, button.id, button.value));
  }

  private async handle(out: Outcome): Promise<void> {
    switch (out.kind) {
      case "reply":
        this.show(out.reply);
        return;
      case "update":
        this.show(out.reply, "(updated)");
        return;
      case "modal":
        await this.form(out.modal);
        return;
      case "fieldErrors":
        this.#lineFailed = true;
        this.show(errorReply(Object.values(out.errors).join(" ")));
        return;
      case "none":
        return;
    }
  }

  /** A modal as prompts, one field at a time; refused fields are asked again with the reason. */
  private async form(modal: Modal): Promise<void> {
    const t = (x: string) => terminalText(x, this.s);
    this.io.print(`── ${t(modal.title)} ──${modal.intro ? `\n${t(modal.intro)}` : ""}`);
    const values: Record<string, string> = {};
    let ask = modal.fields;
    for (;;) {
      for (const f of ask) {
        const v = await this.field(f);
        if (v === null) {
          if (!this.io.interactive) this.#lineFailed = true;
          this.io.print("Cancelled; nothing was submitted.");
          return;
        }
        values[f.id] = v;
      }
      const out = await this.dispatcher.modal(this.actor, modal.id, modal.state, values);
      if (out.kind !== "fieldErrors") {
        await this.handle(out);
        return;
      }
      for (const [id, msg] of Object.entries(out.errors)) {
        const f = modal.fields.find((x) => x.id === id);
        this.io.print(`⚠ ${f ? `${t(f.label)}: ` : ""}${t(msg)}`);
      }
      const refused = modal.fields.filter((f) => f.id in out.errors);
      // An error on no known field cannot be fixed by asking again; a script gets one attempt
      // (asking again would read its next commands as field values).
      if (!refused.length || !this.io.interactive) {
        this.#lineFailed = true;
        this.io.print("The form was not submitted.");
        return;
      }
      ask = refused;
    }
  }

  private async field(f: Modal["fields"][number]): Promise<string | null> {
    const { note, prompt } = fieldPrompt(f, this.s);
    if (note) this.io.print(note);
    if (f.kind === "select" && f.options?.length) {
      const options = f.options;
      this.io.print(options.map((o, i) => `  [${i + 1}] ${terminalText(o.label, this.s)}`).join("\n"));
      for (;;) {
        const v = await this.io.read(prompt);
        if (v === null) return null;
        const pick = v.trim();
        if (!pick && (f.optional || f.initial !== undefined)) return f.initial ?? "";
        const byNumber = /^\d+$/.test(pick) ? options[Number(pick) - 1] : undefined;
        const hit = byNumber ?? options.find((o) => o.value === pick || o.label === pick);
        if (hit) return hit.value;
        this.io.print(`Choose 1-${options.length}.`);
      }
    }
    const v = await this.io.read(prompt, { secret: f.kind === "secret" });
    if (v === null) return null;
    return v.trim() === "" && f.initial !== undefined ? f.initial : v;
  }

  private showMessage(m: ConsoleMessage): void {
    const where = m.channelId && m.channelId !== CONSOLE_CHANNEL ? ` in #${m.channelId}` : "";
    const title =
      m.kind === "post"
        ? `message #${m.id}${where}`
        : m.kind === "update"
          ? `message #${m.id} updated`
          : `reply to message #${m.id}`;
    this.show(
      m.reply,
      `── ${title} ──`,
      m.kind === "thread" ? `a reply to message #${m.id}` : `message #${m.id}`,
    );
  }

  private show(shown: Reply, title?: string, where = "the last answer"): void {
    // A private warning is how core says "refused" or "failed".
    if (shown.ephemeral && (shown.severity === "warning" || shown.severity === "critical"))
      this.#lineFailed = true;
    const reply = savePictures(shown);
    const r = renderReply(reply, this.s);
    const lines = [title, r.text].filter(Boolean).join("\n");
    if (r.buttons.length) {
      if (this.#freshChoices) {
        this.#choices = [];
        this.#freshChoices = false;
      }
      const first = this.#choices.length + 1;
      const context = firstLine(reply);
      this.#choices.push(...r.buttons.map((button) => ({ button, context, where })));
      this.io.print(`${lines}\n${renderChoices(r.buttons, first, this.s)}`);
      return;
    }
    this.io.print(lines);
  }
}

function firstLine(reply: Reply): string {
  const text = reply.blocks.find((b) => b.kind === "text");
  const header = reply.blocks.find((b) => b.kind === "header");
  const pick = text && "text" in text ? text.text : header && "text" in header ? header.text : reply.text;
  return terminalText(pick, { color: false }).split("\n")[0] ?? "";
}
