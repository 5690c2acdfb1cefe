import readline from "node:readline";
import { Writable } from "node:stream";

/**
 * Lines from a person at a terminal or from a piped script, one prompt at a time.
 *
 * At a TTY, readline edits the line; a secret is read with the echo muted (the prompt is shown,
 * the typed characters are not). From a pipe, each prompt takes the next line, and the prompt is
 * written with the line it got (a secret as "(hidden)") so the output reads like a transcript.
 */
export interface LineInput {
  readonly interactive: boolean;
  /** The next line, or null at the end of input (EOF, Ctrl-D) or on Ctrl-C. */
  read(prompt: string, opts?: { secret?: boolean }): Promise<string | null>;
  /** Whether the last null from `read` was Ctrl-C (the input goes on) rather than its end. */
  readonly interrupted: boolean;
  /** Writes text (a whole number of lines) without disturbing a prompt being edited. */
  print(text: string): void;
  close(): void;
}

export function createLineInput(opts: {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  interactive: boolean;
}): LineInput {
  const { output, interactive } = opts;
  let muted = false;
  const echo = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      if (!muted) output.write(chunk);
      cb();
    },
  });
  const rl = readline.createInterface({
    input: opts.input,
    output: interactive ? echo : undefined,
    terminal: interactive,
    historySize: interactive ? 200 : 0,
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const queued: string[] = [];
  let waiter: ((line: string | null) => void) | undefined;
  let ended = false;
  /** Output that arrived while a secret was being typed: shown once it is entered. */
  let held: string[] = [];

  rl.on("line", (line) => {
    const w = waiter;
    if (w) {
      waiter = undefined;
      w(line);
    } else queued.push(line);
  });
  rl.on("close", () => {
    ended = true;
    const w = waiter;
    waiter = undefined;
    w?.(null);
  });
  let interrupted = false;
  rl.on("SIGINT", () => {
    output.write("^C\n");
    const w = waiter;
    waiter = undefined;
    // Ctrl-C answers the prompt being read with null (the session decides: cancel a form, or
    // explain how to leave); while a command runs there is no prompt and it is ignored.
    if (!w) return;
    interrupted = true;
    w(null);
  });

  const finish = (line: string | null, prompt: string, secret: boolean): string | null => {
    if (muted) {
      muted = false;
      output.write("\n");
    }
    // From a pipe: the prompt and what it got, so the output reads like a terminal session.
    if (!interactive && line !== null) output.write(`${prompt}${secret ? "(hidden)" : line}\n`);
    if (held.length) {
      const h = held;
      held = [];
      for (const t of h) output.write(t);
    }
    return line;
  };

  return {
    interactive,
    get interrupted() {
      return interrupted;
    },
    read(prompt, o = {}) {
      const secret = Boolean(o.secret);
      interrupted = false;
      // A script's next line, or a line typed ahead while a command ran (readline echoed it).
      if (queued.length) return Promise.resolve(finish(queued.shift() ?? "", prompt, secret));
      if (ended) return Promise.resolve(null);
      if (interactive) {
        rl.setPrompt(prompt);
        rl.prompt();
        if (secret) muted = true;
      }
      return new Promise((resolve) => {
        waiter = (line) => resolve(finish(line, prompt, secret));
      });
    },
    print(text) {
      const t = text.endsWith("\n") ? text : `${text}\n`;
      if (!interactive || !waiter) {
        output.write(t);
        return;
      }
      if (muted) {
        held.push(t);
        return;
      }
      // A prompt is being edited: clear it, print, then redraw the prompt and what was typed.
      output.write(`\r\x1b[K${t}`);
      rl.prompt(true);
    },
    close() {
      rl.close();
    },
  };
}
