import { LRUCache } from "lru-cache";
import type { Account } from "../../core/accounts.ts";
import type { Actor, Core, Param } from "../../core/context.ts";
import { atLeast, roleOf } from "../../core/permissions.ts";
import { clip } from "./text.ts";

/**
 * Autocomplete suggestions for options that name an account, a service, a domain or an OS.
 * Discord wants the answer within 3 s, and a provider can take longer than that: suggestions come
 * from a short in-memory cache; a stale or missing entry is refreshed in the background and the
 * answer is whatever the cache holds (a first lookup waits a little for a fast provider).
 */

export interface Choice {
  name: string;
  value: string;
}

export interface AutocompleteOptions {
  /** How long suggestions are fresh (then refreshed in the background). */
  ttlMs?: number;
  /** How long a lookup with nothing cached may wait for the provider before answering. */
  firstWaitMs?: number;
  maxEntries?: number;
  now?: () => number;
}

const MAX_CHOICES = 25;

export class AutocompleteCache {
  /** Stale-while-revalidate: a stale entry is answered at once and refreshed in the background. */
  readonly #entries: LRUCache<string, Choice[], () => Promise<Choice[]>>;
  readonly #firstWaitMs: number;

  constructor(
    private readonly core: Core,
    opts: AutocompleteOptions = {},
  ) {
    this.#firstWaitMs = opts.firstWaitMs ?? 1_200;
    const now = opts.now ?? Date.now;
    this.#entries = new LRUCache({
      max: opts.maxEntries ?? 2_000,
      ttl: opts.ttlMs ?? 60_000,
      allowStale: true,
      noDeleteOnFetchRejection: true,
      allowStaleOnFetchRejection: true,
      perf: { now },
      ttlResolution: 0,
      fetchMethod: (_key, _stale, { context }) => context(),
    });
  }

  /** Choices for `param` matching what the person typed so far (at most 25). */
  async suggest(
    actor: Actor,
    param: Param,
    typed: string,
    related: { serviceId?: string } = {},
  ): Promise<Choice[]> {
    if (param.choices?.length)
      return filter(
        param.choices.map((c) => ({ name: c, value: c })),
        typed,
      );
    // Suggestions reveal account labels and service ids: only to members who may read them here.
    const role = await roleOf(this.core.db, actor, this.core.settings.defaultRole);
    if (!atLeast(role, "viewer")) return [];
    const where = `${actor.platform}:${actor.workspaceId}`;
    switch (param.autocomplete) {
      case "account":
        // Accounts come from the database: cached briefly, so a new account shows up at once.
        return filter(
          await this.cached(`accounts:${where}:${actor.channelId}`, () => this.accounts(actor), 5_000),
          typed,
        );
      case "service":
        return filter(
          await this.cached(`services:${where}:${actor.channelId}`, () => this.services(actor)),
          typed,
        );
      case "domain":
        return filter(
          await this.cached(`domains:${where}:${actor.channelId}`, () => this.domains(actor)),
          typed,
        );
      case "os":
        if (!related.serviceId) return [];
        return filter(
          await this.cached(`os:${where}:${actor.channelId}:${related.serviceId}`, () =>
            this.oses(actor, related.serviceId ?? ""),
          ),
          typed,
        );
      default:
        return [];
    }
  }

  /** Forgets what is cached for a workspace (after accounts or bindings may have changed). */
  invalidate(actor: Pick<Actor, "platform" | "workspaceId">): void {
    const where = `:${actor.platform}:${actor.workspaceId}:`;
    for (const k of [...this.#entries.keys()]) if (k.includes(where)) this.#entries.delete(k);
  }

  private async cached(key: string, load: () => Promise<Choice[]>, ttl?: number): Promise<Choice[]> {
    // A stale entry is answered at once (the fetch refreshes it in the background). Nothing cached
    // yet: give a fast provider a moment, but never Discord's whole 3 s.
    const pending = this.#entries.fetch(key, { context: load, ...(ttl === undefined ? {} : { ttl }) });
    pending.catch((err: unknown) => this.core.log.debug({ err, key }, "autocomplete refresh failed"));
    return (await withinMs(pending, this.#firstWaitMs)) ?? [];
  }

  /** Every account of the workspace (bind needs unbound ones), those bound here first. */
  private async accounts(actor: Actor): Promise<Choice[]> {
    const [all, here] = await Promise.all([
      this.core.accounts.list(actor.platform, actor.workspaceId),
      this.core.accounts.channelAccounts(actor.platform, actor.workspaceId, actor.channelId),
    ]);
    const bound = new Set(here.map((h) => h.account.id));
    const sorted = [...all.filter((a) => bound.has(a.id)), ...all.filter((a) => !bound.has(a.id))];
    return sorted.map((a) => ({
      name: clip(`${a.label} (${a.kind})${bound.has(a.id) ? " · bound here" : ""}`, 100),
      value: a.label,
    }));
  }

  private async services(actor: Actor): Promise<Choice[]> {
    return this.perAccount(actor, async (a) => {
      const driver = this.core.accounts.driverFor(a);
      if (!driver.capabilities.has("listServices") || !driver.listServices) return [];
      const list = await driver.listServices();
      return list.map((s) => ({
        name: clip(`${s.id} · ${s.label || s.product} (${a.label})`, 100),
        value: s.id,
      }));
    });
  }

  private async domains(actor: Actor): Promise<Choice[]> {
    return this.perAccount(actor, async (a) => {
      const driver = this.core.accounts.driverFor(a);
      if (!driver.capabilities.has("listDomains") || !driver.listDomains) return [];
      const list = await driver.listDomains();
      return list.map((d) => ({ name: clip(`${d.name} (${a.label})`, 100), value: d.name }));
    });
  }

  private async oses(actor: Actor, serviceId: string): Promise<Choice[]> {
    return this.perAccount(actor, async (a) => {
      const driver = this.core.accounts.driverFor(a);
      if (!driver.capabilities.has("listOperatingSystems") || !driver.listOperatingSystems) return [];
      const list = await driver.listOperatingSystems(serviceId);
      return list.map((o) => ({ name: clip(o.name, 100), value: o.id }));
    });
  }

  /** One failing account does not empty the list: its suggestions are just missing. */
  private async perAccount(actor: Actor, fn: (a: Account) => Promise<Choice[]>): Promise<Choice[]> {
    const bound = await this.core.accounts.channelAccounts(
      actor.platform,
      actor.workspaceId,
      actor.channelId,
    );
    const results = await Promise.allSettled(bound.map((b) => fn(b.account)));
    return results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
  }
}

/** Case-insensitive: prefix matches first, then substring matches; at most 25; values ≤ 100. */
export function filter(choices: Choice[], typed: string): Choice[] {
  const q = typed.trim().toLowerCase();
  const valid = choices.filter((c) => c.value.length > 0 && c.value.length <= 100);
  if (!q) return valid.slice(0, MAX_CHOICES);
  const starts = valid.filter(
    (c) => c.value.toLowerCase().startsWith(q) || c.name.toLowerCase().startsWith(q),
  );
  const contains = valid.filter((c) => !starts.includes(c) && c.name.toLowerCase().includes(q));
  return [...starts, ...contains].slice(0, MAX_CHOICES);
}

/** What `p` gives within `ms`, or undefined (also when it fails). */
async function withinMs<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    });
    return await Promise.race([p, late]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
