import { LogLevel, type Logger as SlackLogger } from "@slack/bolt";
import type { Logger } from "./logger.ts";

/**
 * Bolt's and the Socket Mode client's logger, writing through pino (JSON, scrubbed) instead of
 * the console. Their messages are lists of strings and errors; an error goes in `err`.
 */
export function slackLogger(log: Logger, name = "slack"): SlackLogger {
  const child = log.child({ source: name });
  let level: LogLevel = fromPino(log.level);
  const write =
    (method: "debug" | "info" | "warn" | "error") =>
    (...msg: unknown[]): void => {
      const err = msg.find((m) => m instanceof Error);
      const text = msg
        .filter((m) => m !== err)
        .map((m) => (typeof m === "string" ? m : safeJson(m)))
        .join(" ");
      if (err) child[method]({ err }, text || (err as Error).message);
      else child[method](text);
    };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function fromPino(level: string): LogLevel {
  switch (level) {
    case "trace":
    case "debug":
      return LogLevel.DEBUG;
    case "info":
      return LogLevel.INFO;
    case "warn":
      return LogLevel.WARN;
    default:
      return LogLevel.ERROR;
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
