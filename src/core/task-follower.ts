import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { and, eq, isNotNull, isNull, lt, or } from "drizzle-orm";
import { confirmationRequests } from "../db/schema.ts";
import { settle } from "./confirmations.ts";
import type { Core, TaskFollowing } from "./context.ts";

type Request = typeof confirmationRequests.$inferSelect;

export interface TaskFollowerOptions {
  /** This process's name in the lease; unique per running instance. */
  owner?: string;
  /** First interval between polls; grows by half each poll up to `maxPollMs`. */
  pollMs?: number;
  maxPollMs?: number;
  /** How long after execution started a task is given up as "outcome unknown". */
  maxMs?: number;
  /** Lease margin over the next interval (covers one slow provider call). */
  leaseSlackMs?: number;
  /** Consecutive failed polls before the outcome is "unknown". */
  maxFailures?: number;
}

/**
 * Follows asynchronous provider tasks (reboot, reinstall…) until they end, at most one poller per
 * task across every replica and housekeeping pass. The claim is a lease on the request row
 * (`follow_owner`, `follow_until`), taken only when free or expired and renewed before each wait;
 * a follower that loses it stops. The task's final state is the request's own status, so a
 * settled task is never followed again. `stop()` ends every follower at once and frees its leases
 * for the other replicas.
 */
export class TaskFollower implements TaskFollowing {
  readonly owner: string;
  readonly #core: Core;
  readonly #pollMs: number;
  readonly #maxPollMs: number;
  readonly #maxMs: number;
  readonly #leaseSlackMs: number;
  readonly #maxFailures: number;
  /** Followers running in this process, by request id. */
  readonly #running = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();

  constructor(core: Core, opts: TaskFollowerOptions = {}) {
    this.#core = core;
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
    this.#pollMs = opts.pollMs ?? 10_000;
    this.#maxPollMs = Math.max(this.#pollMs, opts.maxPollMs ?? this.#pollMs * 6);
    this.#maxMs = opts.maxMs ?? 30 * 60_000;
    this.#leaseSlackMs = opts.leaseSlackMs ?? 2 * core.settings.providerTimeoutMs + 10_000;
    this.#maxFailures = opts.maxFailures ?? 5;
  }

  /** How many tasks this process follows now. */
  get active(): number {
    return this.#running.size;
  }

  /** Follows this request's task unless someone (this process or another replica) already does. */
  follow(requestId: string): void {
    // Background work from the call on (claim included): tests and the console wait for a
    // followed task with background.idle().
    void this.#core.background.track(async () => {
      await (await this.#claimAndRun(requestId))?.run;
    });
  }

  /**
   * Housekeeping: claims every executing task that nobody follows (lease free or expired: its
   * follower stopped or its replica died). Returns how many this process took on.
   */
  async resume(): Promise<number> {
    if (this.#abort.signal.aborted) return 0;
    const now = this.#core.clock.now();
    const free = await this.#core.db.db
      .select({ id: confirmationRequests.id })
      .from(confirmationRequests)
      .where(
        and(
          eq(confirmationRequests.status, "executing"),
          isNotNull(confirmationRequests.taskRef),
          or(isNull(confirmationRequests.followUntil), lt(confirmationRequests.followUntil, now)),
        ),
      );
    let taken = 0;
    for (const { id } of free) {
      const claimed = await this.#claimAndRun(id);
      if (!claimed) continue;
      taken++;
      void this.#core.background.track(() => claimed.run);
    }
    return taken;
  }

  /**
   * Stops every follower now (waits end at once) and releases this process's leases so another
   * replica takes the tasks on. A poll still waiting for the provider gets at most `waitMs`.
   */
  async stop(waitMs = 2_000): Promise<void> {
    this.#abort.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#running.values()]),
      new Promise((r) => {
        timer = setTimeout(r, waitMs);
      }),
    ]);
    clearTimeout(timer);
    await this.#core.db.db
      .update(confirmationRequests)
      .set({ followOwner: null, followUntil: null })
      .where(
        and(eq(confirmationRequests.followOwner, this.owner), eq(confirmationRequests.status, "executing")),
      )
      .catch((err: unknown) => this.#core.log.warn({ err }, "could not release task leases"));
  }

  /** Resolves when no follower of this process is running (tests). */
  async idle(): Promise<void> {
    while (this.#running.size) await Promise.allSettled([...this.#running.values()]);
  }

  /**
   * Claims the task and starts following it; resolves once claimed, with the follower's run
   * (wrapped: a promise resolving to a promise would wait for the whole run).
   */
  async #claimAndRun(requestId: string): Promise<{ run: Promise<void> } | undefined> {
    if (this.#abort.signal.aborted || this.#running.has(requestId)) return undefined;
    // Reserve the slot before the first await: two calls in one turn must not both claim.
    let release!: () => void;
    const slot = new Promise<void>((r) => {
      release = r;
    });
    this.#running.set(requestId, slot);
    let claimed: Request | undefined;
    try {
      claimed = await this.#lease(requestId, this.#pollMs, true);
    } catch (err) {
      this.#core.log.warn({ err, requestId }, "could not claim a provider task to follow");
    }
    if (!claimed) {
      this.#running.delete(requestId);
      release();
      return undefined;
    }
    const run = this.#follow(claimed)
      .catch((err: unknown) => this.#core.log.error({ err, requestId }, "task follower failed"))
      .finally(() => {
        this.#running.delete(requestId);
        release();
      });
    this.#running.set(requestId, run);
    return { run };
  }

  /**
   * Takes (`claim`) or renews the lease for the next `waitMs`. Returns the row when this process
   * holds the lease and the request still waits for its task; undefined otherwise.
   */
  async #lease(requestId: string, waitMs: number, claim: boolean): Promise<Request | undefined> {
    const now = this.#core.clock.now();
    const until = new Date(now.getTime() + waitMs + this.#leaseSlackMs);
    const holder = claim
      ? or(isNull(confirmationRequests.followUntil), lt(confirmationRequests.followUntil, now))
      : eq(confirmationRequests.followOwner, this.owner);
    const [row] = await this.#core.db.db
      .update(confirmationRequests)
      .set({ followOwner: this.owner, followUntil: until })
      .where(
        and(
          eq(confirmationRequests.id, requestId),
          eq(confirmationRequests.status, "executing"),
          isNotNull(confirmationRequests.taskRef),
          holder,
        ),
      )
      .returning();
    return row;
  }

  async #follow(r: Request): Promise<void> {
    const core = this.#core;
    const signal = this.#abort.signal;
    const account = r.accountId ? await core.accounts.getById(r.accountId) : undefined;
    const driver = account ? core.accounts.driverFor(account) : undefined;
    if (!account || !driver?.getTask || !r.taskRef) {
      await settle(core, r, "succeeded", r.resultSummary ?? "Started at the provider.");
      return;
    }
    const startedAt = (r.executedAt ?? r.createdAt).getTime();
    let interval = this.#pollMs;
    let failures = 0;
    for (;;) {
      if (signal.aborted) return;
      try {
        const t = await driver.getTask(r.taskRef);
        failures = 0;
        if (t.state !== "running") {
          await settle(core, r, t.state, t.summary);
          return;
        }
      } catch (err) {
        failures += 1;
        core.log.warn({ err, requestId: r.id, failures }, "task poll failed");
        if (failures >= this.#maxFailures) {
          await settle(core, r, "unknown", "Could not follow the provider's task; check the provider.");
          return;
        }
      }
      if (signal.aborted) return;
      if (core.clock.now().getTime() - startedAt > this.#maxMs) {
        await settle(core, r, "unknown", "The provider's task did not finish in time; check the provider.");
        return;
      }
      // Back off: a reinstall polled every 10 s for 15 minutes is ninety needless calls.
      const wait = interval;
      interval = nextPollMs(interval, this.#maxPollMs);
      if (!(await this.#lease(r.id, wait, false))) return; // settled or taken over elsewhere
      await abortableDelay(wait, signal);
      // Still ours after the wait? (A stalled process whose lease expired and was taken over stops.)
      if (signal.aborted || !(await this.#lease(r.id, 0, false))) return;
    }
  }
}

/**
 * Backoff between polls: each wait half again as long as the last, up to `maxMs` (10 s, 15 s,
 * 22.5 s … 60 s: a 15-minute reinstall is polled about 20 times, not 90).
 */
export function nextPollMs(previousMs: number, maxMs: number): number {
  return Math.min(maxMs, Math.round(previousMs * 1.5));
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
