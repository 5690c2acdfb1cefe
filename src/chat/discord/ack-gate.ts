/**
 * "Provider calls never run before the ack", on a platform where the ack can also be the answer.
 *
 * Discord accepts a modal only as the first response to an interaction, so a command that opens a
 * form (accounts add) cannot be deferred first. The adapter therefore dispatches at once and
 * answers directly when core finishes quickly. Core says when it is about to ask a provider: the
 * handler declares `mayCallProvider` (the dispatcher acknowledges before it runs) or calls
 * `ctx.acknowledge()` itself (a form filled from the provider). The gate is that acknowledgement:
 * it defers the interaction once, and the provider call waits until Discord accepted the defer.
 */

export interface AckGate {
  /** Defers the interaction once; later calls return the same promise. Never rejects. */
  ack(): Promise<void>;
  /** Whether the interaction has been (or is being) deferred. */
  readonly started: boolean;
  /** After the final response: further acknowledgements (background work) resolve at once. */
  close(): void;
}

export function createGate(defer: () => Promise<unknown>, onError: (err: unknown) => void): AckGate {
  let pending: Promise<void> | undefined;
  let closed = false;
  return {
    ack() {
      if (closed) return Promise.resolve();
      pending ??= defer().then(
        () => undefined,
        (err: unknown) => {
          onError(err);
        },
      );
      return pending;
    },
    get started() {
      return pending !== undefined;
    },
    close() {
      closed = true;
    },
  };
}
