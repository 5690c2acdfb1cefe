import { createRequire } from "node:module";
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import { scrub } from "./secrets.ts";

export type { Logger } from "pino";

/** Keys whose values are never logged, wherever they sit in a log object. */
const REDACT_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "pin",
  "*.pin",
  "apiKey",
  "*.apiKey",
  "apiPrivate",
  "*.apiPrivate",
  "credentials",
  "*.credentials",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a sink to capture output. */
  sink?: { write(line: string): void };
  pretty?: boolean;
}

/**
 * pino JSON logger whose every line is scrubbed of registered secrets before it is written.
 * Redaction happens on the serialized line, so a secret inside an error message or a nested
 * field is caught as well as one in a known key.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const sink = opts.sink ?? process.stdout;
  const dest = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      sink.write(scrub(chunk.toString()));
      cb();
    },
  });
  if (opts.pretty) {
    return pino(
      { level: opts.level ?? "info", redact: { paths: REDACT_PATHS, censor: "[redacted]" } },
      pino.multistream([{ stream: prettyStream(dest) }]),
    );
  }
  return pino({ level: opts.level ?? "info", redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, dest);
}

function prettyStream(dest: Writable): Writable {
  // pino-pretty is optional (terminal use only): fall back to JSON when it is not installed.
  try {
    const pretty = createRequire(import.meta.url)("pino-pretty") as (o: object) => Writable;
    return pretty({ colorize: true, destination: dest, ignore: "pid,hostname" });
  } catch {
    return dest;
  }
}

/** A logger that writes nothing; the default in tests and library use. */
export const silentLogger: Logger = pino({ level: "silent" });
