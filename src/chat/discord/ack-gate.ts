import { AsyncLocalStorage } from "node:async_hooks";
import type { Core } from "../../core/context.ts";
import type { Dispatcher } from "../../core/dispatch.ts";

/**
 * "Provider calls never run before the ack", on a platform where the ack can also be the answer.
 *
 * Discord accepts a modal only as the first response to an interaction, so a command that opens a
 * form (accounts add) cannot be deferred first. The adapter therefore dispatches at once and
 * answers directly when core finishes quickly; but the moment core is about to call a provider,
 * the call waits until the interaction has been deferred (the gate). A provider is never asked
 * anything before Discord has its acknowledgement, and a form that needs no provider opens on the
 * first response.
 *
 * The gate sits on the drivers core gets from `accounts.driverFor`, through an AsyncLocalStorage
 * context set around one dispatch: other callers (Slack, the scheduler) see the plain drivers.
 */

export interface AckGate {
  /** Defers the interaction once; later calls return the same promise. Never rejects. */
  ack(): Promise<void>;
  /** Whether the interaction has been (or is being) deferred. */
  readonly started: boolean;
  /** After the final response: further provider calls (background work) pass straight through. */
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

const current = new AsyncLocalStorage<AckGate>();

export function runGated<T>(gate: AckGate, fn: () => Promise<T>): Promise<T> {
  return current.run(gate, fn);
}

/** A Dispatcher on a view of `core` whose drivers wait for the current interaction's ack. */
export function gatedDispatcher(dispatcher: Dispatcher): Dispatcher {
  // Same instance state (and class), another core: Dispatcher reads everything through this.core.
  return Object.assign(Object.create(Object.getPrototypeOf(dispatcher) as object) as Dispatcher, dispatcher, {
    core: gatedCore(dispatcher.core),
  });
}

export function gatedCore(core: Core): Core {
  const accounts = new Proxy(core.accounts, {
    get(target, prop) {
      if (prop === "driverFor")
        return (account: Parameters<Core["accounts"]["driverFor"]>[0]) =>
          gateDriver(target.driverFor(account));
      const v = Reflect.get(target, prop, target) as unknown;
      // AccountService keeps #private state: its methods must run on the real instance.
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { ...core, accounts };
}

function gateDriver<D extends object>(driver: D): D {
  return new Proxy(driver, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== "function") return v;
      const fn = v as (...a: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const gate = current.getStore();
        if (!gate) return fn.apply(target, args);
        return gate.ack().then(() => fn.apply(target, args));
      };
    },
  });
}
