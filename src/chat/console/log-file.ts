import { createWriteStream, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createLogger, type Logger } from "../../observability/logger.ts";

/**
 * Where the console's logs go. The terminal is the console's conversation: log lines between
 * its answers ("WARN: billing data unavailable …") only confuse. Unless LOG_LEVEL asks for them
 * on the terminal (stderr), they go to a file: `console.log` in the data directory, or for the
 * sandbox (which keeps nothing) a file in the system's temporary directory.
 */
export interface ConsoleLog {
  log: Logger;
  /** The file the logs go to; undefined when they go to stderr. */
  file?: string;
  /** Waits for the last lines to reach the file. */
  close(): Promise<void>;
}

export function consoleLog(opts: {
  /** LOG_LEVEL as set in the environment (undefined: not set). */
  envLevel: string | undefined;
  level: string;
  dataDir: string;
  sandbox: boolean;
  stderr: NodeJS.WritableStream;
}): ConsoleLog {
  if (opts.envLevel)
    return {
      log: createLogger({
        level: opts.level,
        sink: opts.stderr,
        pretty: Boolean((opts.stderr as { isTTY?: boolean }).isTTY),
      }),
      close: async () => {},
    };
  const file = opts.sandbox ? join(tmpdir(), "hostops-sandbox.log") : resolve(opts.dataDir, "console.log");
  try {
    mkdirSync(dirname(file), { recursive: true });
    // The sandbox keeps nothing, its log included: each start begins a new file.
    const stream = createWriteStream(file, { flags: opts.sandbox ? "w" : "a", mode: 0o600 });
    let failed = false;
    // A log file that cannot be written must not stop the console: its lines are dropped.
    stream.on("error", () => {
      failed = true;
    });
    return {
      log: createLogger({
        level: "info",
        sink: { write: (line: string) => void (failed || stream.write(line)) },
      }),
      file,
      close: () => new Promise<void>((done) => (failed ? done() : stream.end(done))),
    };
  } catch {
    return { log: createLogger({ level: "silent" }), close: async () => {} };
  }
}
