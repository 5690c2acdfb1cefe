import { createHmac } from "node:crypto";
import http from "node:http";

/** Signs a request body the way Slack does (v0 HMAC-SHA256 over `v0:ts:body`). */
export function slackHeaders(secret: string, body: string): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
  return {
    "content-type": "application/x-www-form-urlencoded",
    "content-length": String(Buffer.byteLength(body)),
    "x-slack-request-timestamp": ts,
    "x-slack-signature": sig,
  };
}

export interface Timed {
  status: number;
  /** ms from sending to the response head (the HTTP 200 Slack waits for). */
  ms: number;
  /** performance.now() of the sending process when the request was sent. */
  start: number;
  error?: string;
}

/**
 * One POST to 127.0.0.1:port on a fresh connection (each Slack delivery is its own request),
 * timed to the response head. Never rejects: errors come back with status 0.
 */
export function postTimed(
  port: number,
  path: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs = 10_000,
): Promise<Timed> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request(
      { host: "127.0.0.1", port, path, method: "POST", headers, agent: false },
      (res) => {
        const ms = performance.now() - t0;
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms, start: t0 }));
        res.on("error", () => resolve({ status: res.statusCode ?? 0, ms, start: t0 }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error("timeout")));
    req.on("error", (err) =>
      resolve({ status: 0, ms: performance.now() - t0, start: t0, error: err.message }),
    );
    req.end(body);
  });
}

/** Sends every prepared request at once (all in flight together) and times each. */
export async function burst(
  port: number,
  path: string,
  requests: { body: string; headers: Record<string, string> }[],
): Promise<Timed[]> {
  return Promise.all(requests.map((r) => postTimed(port, path, r.body, r.headers)));
}

/** Runs `count` tasks with at most `concurrency` in flight, stopping early at `deadline`. */
export async function pool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
  deadline = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `pred` until true or the timeout; returns whether it became true. */
export async function waitUntil(pred: () => boolean, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (pred()) return true;
    await sleep(everyMs);
  }
  return pred();
}
