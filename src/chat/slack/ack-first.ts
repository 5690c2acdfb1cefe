/**
 * Acknowledgements first (HTTP mode): the work after a Slack ack waits until a burst of requests
 * has been read and acknowledged, so later acks stay within Slack's 3-second limit.
 */
import type http from "node:http";

/** The gate the listeners wait at after their ack. */
export interface AckFirst {
  /** Counts the requests of the HTTP server (none in Socket Mode). */
  watch(server: http.Server | undefined): void;
  /** Resolves when the work after an ack may go on. */
  wait(): Promise<void>;
}

/**
 * Acknowledgements first. Bolt sends the HTTP 200 at ack(); what a listener does afterwards
 * (users.info, database, provider calls) runs on the event loop that must also read and ack the
 * next requests. In a burst that work got ahead of later acks: 200 concurrent /hosting services
 * had acks at p99 3-7 s, past Slack's 3-second limit (bench/ack-latency.ts). So the work after an
 * ack waits until no request has arrived for `quietMs` and none is still being answered, at most
 * `maxWaitMs`. A request with no other within `quietMs` before or after it goes on at once.
 * quietMs 0 turns it off: Socket Mode, and processBeforeResponse (the response waits for the work).
 */
export function createAckFirst(quietMs: number, maxWaitMs = 1_000): AckFirst {
  let inFlight = 0;
  let last = Number.NEGATIVE_INFINITY;
  let arrivals = 0;
  let isolated = true;
  return {
    watch(server: http.Server | undefined): void {
      if (!server || quietMs <= 0) return;
      server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
        const now = performance.now();
        isolated = now - last >= quietMs;
        last = now;
        arrivals++;
        inFlight++;
        let open = true;
        const done = () => {
          if (open) inFlight--;
          open = false;
        };
        res.once("finish", done);
        res.once("close", done);
      });
    },
    async wait(): Promise<void> {
      if (quietMs <= 0) return;
      const start = performance.now();
      const seen = arrivals;
      const alone = isolated;
      for (;;) {
        // A turn of the event loop first: connections already waiting are read and acked.
        await new Promise<void>((r) => setImmediate(r));
        const now = performance.now();
        const still = alone && arrivals === seen;
        if (inFlight <= 0 && (still || now - last >= quietMs)) return;
        if (now - start >= maxWaitMs) return;
        await new Promise<void>((r) => setTimeout(r, still ? 1 : Math.max(1, quietMs - (now - last))));
      }
    },
  };
}
