import { and, asc, eq } from "drizzle-orm";
import { LRUCache } from "lru-cache";
import type { Database } from "../db/client.ts";
import {
  type AlertSettings,
  type ApprovalPolicy,
  channelBindings,
  type Platform,
  providerAccounts,
} from "../db/schema.ts";
import type { Logger } from "../observability/logger.ts";
import {
  checkBaseUrl,
  createDriver,
  detectFeatures,
  getProvider,
  type ProviderFeatures,
  validateCredentials,
} from "../providers/registry.ts";
import { PROVIDER_NAMES, type ProviderDriver, ProviderError, type ProviderKind } from "../providers/types.ts";
import type { CredentialCipher } from "./crypto.ts";
import { UserError } from "./errors.ts";
import { command, rich, strong } from "./rich.ts";

export interface Account {
  id: string;
  platform: Platform;
  workspaceId: string;
  label: string;
  kind: ProviderKind;
  baseUrl: string | null;
  /** The provider name the admin gave (HostBill other host); null: the kind's name. */
  displayName: string | null;
  /** What the provider's API told about the account (e.g. whether it has domains). */
  features: ProviderFeatures | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface Binding {
  id: string;
  platform: Platform;
  workspaceId: string;
  channelId: string;
  accountId: string;
  alertSettings: AlertSettings;
  approvalPolicy: ApprovalPolicy;
  snoozedUntil: Date | null;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  enabled: true,
  expiryDays: [14, 7, 3, 1],
  minBalance: null,
  unpaidInvoices: true,
  quietStart: null,
  quietEnd: null,
  criticalOverridesQuiet: true,
};

/** Reinstall, cancel and everything that spends money need a second person by default. */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = {
  twoPersonActions: ["reinstall", "cancel", "renew", "domain-renew"],
  quorum: 1,
};

export const LABEL_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,31}$/;

/**
 * A provider name the admin gives: plain words, no markup (it is shown in chat messages, where
 * `*`, `_`, `<` or backticks would format or link).
 */
export const DISPLAY_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} .,&'()-]{0,39}$/u;

/** Accounts, bindings and the drivers that serve them. Credentials are decrypted only to build a driver. */
export class AccountService {
  /** Drivers hold per-account state (HTTP client, HOSTKEY's session token): bounded, rebuilt on a miss. */
  readonly #drivers = new LRUCache<string, { stamp: number; driver: ProviderDriver }>({ max: 1_000 });

  constructor(
    private readonly database: Database,
    private readonly cipher: CredentialCipher,
    private readonly opts: {
      log: Logger;
      timeoutMs: number;
      retries?: number;
      baseUrlOverrides?: Partial<Record<string, string>>;
    },
  ) {}

  private get db() {
    return this.database.db;
  }

  /** Checks credentials against the provider, then stores them encrypted. */
  async add(input: {
    platform: Platform;
    workspaceId: string;
    label: string;
    kind: ProviderKind;
    baseUrl?: string | null;
    /** Required for kinds that stand for many hosts (HostBill other host). */
    displayName?: string | null;
    credentials: unknown;
    createdBy: string;
  }): Promise<Account> {
    const credentials = validateCredentials(input.kind, input.credentials);
    refuseBaseUrl(input.kind, input.baseUrl ?? null);
    const displayName = this.checkDisplayName(input.kind, input.displayName);
    const existing = await this.findByLabel(input.platform, input.workspaceId, input.label);
    if (existing)
      throw new UserError("conflict", rich`An account labelled ${strong(input.label)} already exists.`);
    const baseUrl = input.baseUrl ?? null;
    const driver = this.buildDriver(input.kind, credentials, baseUrl, { displayName });
    await driver.verifyCredentials();
    const features = await detectFeatures(
      input.kind,
      this.driverOptions(input.kind, credentials, baseUrl, displayName),
    );
    const [row] = await this.db
      .insert(providerAccounts)
      .values({
        platform: input.platform,
        workspaceId: input.workspaceId,
        label: input.label,
        kind: input.kind,
        baseUrl,
        displayName,
        features,
        credentialsEnc: this.cipher.encrypt(credentials),
        createdBy: input.createdBy,
      })
      .onConflictDoNothing()
      .returning();
    if (!row)
      throw new UserError("conflict", rich`An account labelled ${strong(input.label)} already exists.`);
    return this.acct(row);
  }

  /**
   * Replaces an account's credentials (and base URL, and display name where the kind has one)
   * after checking them; what the API offers is asked again (the base URL may be another host).
   */
  async updateCredentials(
    account: Account,
    credentials: unknown,
    baseUrl?: string | null,
    displayName?: string | null,
  ): Promise<void> {
    const valid = validateCredentials(account.kind, credentials);
    const url = baseUrl === undefined ? account.baseUrl : baseUrl;
    refuseBaseUrl(account.kind, url);
    const name = this.checkDisplayName(
      account.kind,
      displayName === undefined || displayName === null ? account.displayName : displayName,
    );
    await this.buildDriver(account.kind, valid, url, { displayName: name }).verifyCredentials();
    const features = await detectFeatures(account.kind, this.driverOptions(account.kind, valid, url, name));
    await this.db
      .update(providerAccounts)
      .set({
        credentialsEnc: this.cipher.encrypt(valid),
        baseUrl: url,
        displayName: name,
        features,
        updatedAt: new Date(),
      })
      .where(eq(providerAccounts.id, account.id));
    this.#drivers.delete(account.id);
  }

  /** A kind named by the admin needs a name (1-40 characters); other kinds take none. */
  private checkDisplayName(kind: ProviderKind, displayName: string | null | undefined): string | null {
    if (!getProvider(kind).customName) return null;
    const name = (displayName ?? "").replace(/\s+/g, " ").trim();
    if (!DISPLAY_NAME_PATTERN.test(name))
      throw new UserError(
        "invalid",
        "Give the provider's name as people know it (1-40 letters, digits, spaces and . , & ' ( ) -), e.g. Acme Hosting.",
      );
    return name;
  }

  async list(platform: Platform, workspaceId: string): Promise<Account[]> {
    const rows = await this.db
      .select()
      .from(providerAccounts)
      .where(and(eq(providerAccounts.platform, platform), eq(providerAccounts.workspaceId, workspaceId)))
      .orderBy(asc(providerAccounts.label));
    return rows.map((r) => this.acct(r));
  }

  async findByLabel(platform: Platform, workspaceId: string, label: string): Promise<Account | undefined> {
    const [row] = await this.db
      .select()
      .from(providerAccounts)
      .where(
        and(
          eq(providerAccounts.platform, platform),
          eq(providerAccounts.workspaceId, workspaceId),
          eq(providerAccounts.label, label),
        ),
      );
    return row ? this.acct(row) : undefined;
  }

  async getById(id: string): Promise<Account | undefined> {
    const [row] = await this.db.select().from(providerAccounts).where(eq(providerAccounts.id, id));
    return row ? this.acct(row) : undefined;
  }

  async requireByLabel(platform: Platform, workspaceId: string, label: string): Promise<Account> {
    const a = await this.findByLabel(platform, workspaceId, label);
    if (!a)
      throw new UserError(
        "not_found",
        rich`No account labelled ${strong(label)}. ${command(["accounts", "list"])} shows the accounts of this workspace.`,
      );
    return a;
  }

  async remove(account: Account): Promise<void> {
    await this.db.delete(providerAccounts).where(eq(providerAccounts.id, account.id));
    this.#drivers.delete(account.id);
  }

  async bind(account: Account, channelId: string, createdBy: string): Promise<{ created: boolean }> {
    const rows = await this.db
      .insert(channelBindings)
      .values({
        platform: account.platform,
        workspaceId: account.workspaceId,
        channelId,
        accountId: account.id,
        alertSettings: DEFAULT_ALERT_SETTINGS,
        approvalPolicy: DEFAULT_APPROVAL_POLICY,
        createdBy,
      })
      .onConflictDoNothing()
      .returning({ id: channelBindings.id });
    return { created: rows.length === 1 };
  }

  async unbind(account: Account, channelId: string): Promise<boolean> {
    const rows = await this.db
      .delete(channelBindings)
      .where(and(eq(channelBindings.accountId, account.id), eq(channelBindings.channelId, channelId)))
      .returning({ id: channelBindings.id });
    return rows.length > 0;
  }

  /** The accounts bound to a channel, with their bindings, ordered by label. */
  async channelAccounts(
    platform: Platform,
    workspaceId: string,
    channelId: string,
  ): Promise<{ account: Account; binding: Binding }[]> {
    const rows = await this.db
      .select({ a: providerAccounts, b: channelBindings })
      .from(channelBindings)
      .innerJoin(providerAccounts, eq(providerAccounts.id, channelBindings.accountId))
      .where(
        and(
          eq(channelBindings.platform, platform),
          eq(channelBindings.workspaceId, workspaceId),
          eq(channelBindings.channelId, channelId),
        ),
      )
      .orderBy(asc(providerAccounts.label));
    return rows.map((r) => ({ account: this.acct(r.a), binding: toBinding(r.b) }));
  }

  async allBindings(): Promise<{ account: Account; binding: Binding }[]> {
    const rows = await this.db
      .select({ a: providerAccounts, b: channelBindings })
      .from(channelBindings)
      .innerJoin(providerAccounts, eq(providerAccounts.id, channelBindings.accountId));
    return rows.map((r) => ({ account: this.acct(r.a), binding: toBinding(r.b) }));
  }

  async workspaceBindings(platform: Platform, workspaceId: string) {
    const rows = await this.db
      .select({ a: providerAccounts, b: channelBindings })
      .from(channelBindings)
      .innerJoin(providerAccounts, eq(providerAccounts.id, channelBindings.accountId))
      .where(and(eq(channelBindings.platform, platform), eq(channelBindings.workspaceId, workspaceId)))
      .orderBy(asc(channelBindings.channelId), asc(providerAccounts.label));
    return rows.map((r) => ({ account: this.acct(r.a), binding: toBinding(r.b) }));
  }

  async updateBinding(
    bindingId: string,
    patch: Partial<Pick<Binding, "alertSettings" | "approvalPolicy" | "snoozedUntil">>,
  ): Promise<void> {
    await this.db.update(channelBindings).set(patch).where(eq(channelBindings.id, bindingId));
  }

  /**
   * The channel's accounts a command covers: the one labelled `label`, or all of them.
   * No binding -> a message that says how to bind one.
   */
  async resolve(
    platform: Platform,
    workspaceId: string,
    channelId: string,
    label?: string,
  ): Promise<{ account: Account; binding: Binding }[]> {
    const bound = await this.channelAccounts(platform, workspaceId, channelId);
    if (bound.length === 0)
      throw new UserError(
        "not_found",
        rich`No provider account is bound to this channel. An admin can add one with ${command(["accounts", "add"])} and bind it here with ${command(["bind"], { label: "<label>" })}.`,
      );
    if (!label) return bound;
    const hit = bound.filter((b) => b.account.label === label);
    if (hit.length === 0)
      throw new UserError(
        "not_found",
        rich`Account ${strong(label)} is not bound to this channel. Bound here: ${bound.map((b) => b.account.label).join(", ")}.`,
      );
    return hit;
  }

  /** The driver of an account; cached per account until its credentials change. */
  driverFor(account: Account): ProviderDriver {
    const stamp = account.updatedAt.getTime();
    const cached = this.#drivers.get(account.id);
    if (cached && cached.stamp === stamp) return cached.driver;
    const enc = this.#ciphertexts.get(account.id);
    if (enc === undefined) throw new Error(`credentials of account ${account.label} were not loaded`);
    const driver = this.buildDriver(account.kind, this.cipher.decrypt(enc), account.baseUrl, account);
    this.#drivers.set(account.id, { stamp, driver });
    return driver;
  }

  /** Ciphertext seen with each account read, so a driver can be built without another query. */
  readonly #ciphertexts = new LRUCache<string, string>({ max: 50_000 });

  private acct(row: typeof providerAccounts.$inferSelect): Account {
    this.#ciphertexts.set(row.id, row.credentialsEnc);
    return toAccount(row);
  }

  private buildDriver(
    kind: ProviderKind,
    credentials: unknown,
    baseUrl: string | null,
    named: { displayName?: string | null; features?: ProviderFeatures | null } = {},
  ): ProviderDriver {
    return createDriver(kind, {
      ...this.driverOptions(kind, credentials, baseUrl, named.displayName ?? null),
      features: named.features ?? null,
    });
  }

  private driverOptions(
    kind: ProviderKind,
    credentials: unknown,
    baseUrl: string | null,
    displayName: string | null,
  ) {
    const override = this.opts.baseUrlOverrides?.[kind];
    return {
      credentials,
      baseUrl: baseUrl ?? override ?? getProvider(kind).defaultBaseUrl ?? undefined,
      displayName,
      timeoutMs: this.opts.timeoutMs,
      retries: this.opts.retries,
      log: this.opts.log,
    };
  }
}

/** A base URL the guard refuses outright (credentials in it, a private literal address). */
function refuseBaseUrl(kind: ProviderKind, url: string | null): void {
  const problem = url ? checkBaseUrl(url) : undefined;
  if (problem)
    throw new ProviderError("VALIDATION", `The ${PROVIDER_NAMES[kind]} base URL ${problem}.`, {
      provider: kind,
      retryable: false,
      about: "baseUrl",
    });
}

function toAccount(row: typeof providerAccounts.$inferSelect): Account {
  return {
    id: row.id,
    platform: row.platform,
    workspaceId: row.workspaceId,
    label: row.label,
    kind: row.kind as ProviderKind,
    baseUrl: row.baseUrl,
    displayName: row.displayName,
    features: row.features,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toBinding(row: typeof channelBindings.$inferSelect): Binding {
  return {
    id: row.id,
    platform: row.platform,
    workspaceId: row.workspaceId,
    channelId: row.channelId,
    accountId: row.accountId,
    alertSettings: { ...DEFAULT_ALERT_SETTINGS, ...row.alertSettings },
    approvalPolicy: { ...DEFAULT_APPROVAL_POLICY, ...row.approvalPolicy },
    snoozedUntil: row.snoozedUntil,
  };
}
