import { LRUCache } from "lru-cache";
import { can } from "../providers/types.ts";
import type { Account } from "./accounts.ts";
import type { Actor, Core, Param } from "./context.ts";
import { atLeast, roleOf } from "./permissions.ts";

/**
 * Suggestions while a person types an option that names an account, a service, a domain or an
 * operating system (Discord's autocomplete; any adapter may offer them). Suggestions reveal
 * account labels and service ids: only members who may read them in the channel get any.
 *
 * The platform wants the answer within seconds and a provider can take longer: suggestions come
 * from one bounded cache; a stale or missing entry is refreshed in the background and the answer
 * is whatever the cache holds (a first lookup waits a little for a fast provider).
 */

export type SuggestionKind = NonNullable<Param["autocomplete"]>;

export interface Suggestion {
  /** What the person reads ("302 · web (prod)"). */
  label: string;
  /** What the option receives ("302"). */
  value: string;
}

export interface SuggestionsOptions {
  /** How long suggestions are fresh (then refreshed in the background). */
  ttlMs?: number;
  /** How long a lookup with nothing cached may wait for the provider before answering. */
  firstWaitMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export class Suggestions {
  /** Stale-while-revalidate: a stale entry is answered at once and refreshed in the background. */
  readonly #entries: LRUCache<string, Suggestion[], () => Promise<Suggestion[]>>;
  readonly #firstWaitMs: number;

  constructor(
    private readonly core: Core,
    opts: SuggestionsOptions = {},
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

  /**
   * What `actor` may pick for an option of `kind`, best matches of `typed` first. `related.serviceId`:
   * the service already chosen in the same command (operating systems are per service).
   */
  async suggest(
    actor: Actor,
    kind: SuggestionKind,
    typed: string,
    related: { serviceId?: string } = {},
  ): Promise<Suggestion[]> {
    const role = await roleOf(this.core.db, actor, this.core.settings.defaultRole);
    if (!atLeast(role, "viewer")) return [];
    const where = `${actor.platform}:${actor.workspaceId}:${actor.channelId}`;
    switch (kind) {
      case "account":
        // Accounts come from the database: cached briefly, so a new account shows up at once.
        return rank(await this.cached(`accounts:${where}`, () => this.accounts(actor), 5_000), typed);
      case "service":
        return rank(await this.cached(`services:${where}`, () => this.services(actor)), typed);
      case "domain":
        return rank(await this.cached(`domains:${where}`, () => this.domains(actor)), typed);
      case "os": {
        const serviceId = related.serviceId;
        if (!serviceId) return [];
        return rank(await this.cached(`os:${where}:${serviceId}`, () => this.oses(actor, serviceId)), typed);
      }
    }
  }

  /** Forgets what is cached for a workspace (after accounts or bindings may have changed). */
  invalidate(actor: Pick<Actor, "platform" | "workspaceId">): void {
    const where = `:${actor.platform}:${actor.workspaceId}:`;
    for (const k of [...this.#entries.keys()]) if (k.includes(where)) this.#entries.delete(k);
  }

  private async cached(key: string, load: () => Promise<Suggestion[]>, ttl?: number): Promise<Suggestion[]> {
    // A stale entry is answered at once (the fetch refreshes it in the background). Nothing cached
    // yet: give a fast provider a moment, but never the platform's whole deadline.
    const pending = this.#entries.fetch(key, { context: load, ...(ttl === undefined ? {} : { ttl }) });
    pending.catch((err: unknown) => this.core.log.debug({ err, key }, "suggestions refresh failed"));
    return (await withinMs(pending, this.#firstWaitMs)) ?? [];
  }

  /** Every account of the workspace (bind needs unbound ones), those bound here first. */
  private async accounts(actor: Actor): Promise<Suggestion[]> {
    const [all, here] = await Promise.all([
      this.core.accounts.list(actor.platform, actor.workspaceId),
      this.core.accounts.channelAccounts(actor.platform, actor.workspaceId, actor.channelId),
    ]);
    const bound = new Set(here.map((h) => h.account.id));
    const sorted = [...all.filter((a) => bound.has(a.id)), ...all.filter((a) => !bound.has(a.id))];
    return sorted.map((a) => ({
      label: `${a.label} (${a.kind})${bound.has(a.id) ? " · bound here" : ""}`,
      value: a.label,
    }));
  }

  private services(actor: Actor): Promise<Suggestion[]> {
    return this.perAccount(actor, async (a) => {
      const driver = this.core.accounts.driverFor(a);
      if (!can(driver, "listServices")) return [];
      const list = await driver.listServices();
      return list.map((s) => ({ label: `${s.id} · ${s.label || s.product} (${a.label})`, value: s.id }));
    });
  }

  private domains(actor: Actor): Promise<Suggestion[]> {
    return this.perAccount(actor, async (a) => {
      const driver = this.core.accounts.driverFor(a);
      if (!can(driver, "listDomains")) return [];
      const list = await driver.listDomains();
      return list.map((d) => ({ label: `${d.name} (${a.label})`, value: d.name }));
    });
  }

  private oses(actor: Actor, serviceId: string): Promise<Suggestion[]> {
    return this.perAccount(actor, async (a) => {
      const driver = this.core.accounts.driverFor(a);
      if (!can(driver, "listOperatingSystems")) return [];
      const list = await driver.listOperatingSystems(serviceId);
      return list.map((o) => ({ label: o.name, value: o.id }));
    });
  }

  /** One failing account does not empty the list: its suggestions are just missing. */
  private async perAccount(actor: Actor, fn: (a: Account) => Promise<Suggestion[]>): Promise<Suggestion[]> {
    const bound = await this.core.accounts.channelAccounts(
      actor.platform,
      actor.workspaceId,
      actor.channelId,
    );
    const results = await Promise.allSettled(bound.map((b) => fn(b.account)));
    return results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
  }
}

/** Case-insensitive: prefix matches (of value or label) first, then labels that contain `typed`. */
export function rank(items: readonly Suggestion[], typed: string): Suggestion[] {
  const q = typed.trim().toLowerCase();
  const valid = items.filter((c) => c.value.length > 0);
  if (!q) return valid;
  const starts = valid.filter(
    (c) => c.value.toLowerCase().startsWith(q) || c.label.toLowerCase().startsWith(q),
  );
  const contains = valid.filter((c) => !starts.includes(c) && c.label.toLowerCase().includes(q));
  return [...starts, ...contains];
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
