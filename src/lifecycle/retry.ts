/** A start that cannot succeed: one line naming the variable and what to do; the process exits 1. */
export class StartError extends Error {
  override readonly name = "StartError";
}

/** The start was cancelled by a signal. */
export class StartAborted extends Error {
  override readonly name = "StartAborted";
  constructor() {
    super("start-up cancelled by a signal");
  }
}

export interface RetryOptions {
  /** What is being tried, for the log ("Slack", "Discord gateway"). */
  what: string;
  signal?: AbortSignal;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each wait after a transient failure. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs `fn` until it succeeds. A StartError (a rejected token, a wrong key) ends it at once; any
 * other failure (platform unreachable) is retried with exponential backoff (×2, jittered, capped).
 */
export async function retryUntilUp<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const first = opts.firstDelayMs ?? 1_000;
  const max = opts.maxDelayMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw new StartAborted();
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StartError || opts.signal?.aborted) throw err;
      const base = Math.min(max, first * 2 ** (attempt - 1));
      const delayMs = Math.round(base * (0.8 + Math.random() * 0.4));
      opts.onRetry?.(err, attempt, delayMs);
      await sleep(delayMs, opts.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
