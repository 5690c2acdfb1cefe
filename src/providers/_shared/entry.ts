import type { z } from "zod";
import type { Logger } from "../../observability/logger.ts";
import type { ProviderDriver, ProviderKind } from "../types.ts";

/** What the API told about an account when it was added (e.g. `{ domains: false }`). */
export type ProviderFeatures = Record<string, boolean>;

/** What a driver needs to run one account. `credentials` is already validated by the kind's schema. */
export interface DriverContext<C> {
  credentials: C;
  /** Provider API base URL (the documented one unless the account overrides it). */
  baseUrl: string;
  /** Features detected by the entry's `detectFeatures` when the account was added or edited. */
  features?: ProviderFeatures;
  timeoutMs?: number;
  /** Retries for idempotent reads; tests pass 0. */
  retries?: number;
  log?: Logger;
}

/** A credential field as a person types it into the "add account" modal. */
export interface CredentialField {
  key: string;
  label: string;
  /** Shown masked in forms, never echoed, registered as a secret. */
  secret: boolean;
  hint?: string;
  /** A setting rather than a credential: may be left empty. */
  optional?: boolean;
  /** The allowed values, shown as a choice (a select in forms). */
  options?: { value: string; label: string }[];
}

/** One registry line: everything the rest of the app knows about a provider kind. */
export interface ProviderEntry<C = unknown> {
  kind: ProviderKind;
  /** The documented API base URL; null when every account gives its own (it is then required). */
  defaultBaseUrl: string | null;
  /**
   * True when the kind stands for many hosts (HostBill): each account carries the provider name
   * the admin gives ("Acme Hosting"), shown wherever a provider name is shown.
   */
  customName?: boolean;
  /**
   * Asks the API what this account offers, after its credentials were verified. The answer is
   * stored with the account and given back to `create` as `features`.
   */
  detectFeatures?(ctx: DriverContext<C>): Promise<ProviderFeatures>;
  credentialsSchema: z.ZodType<C>;
  credentialFields: CredentialField[];
  create(ctx: DriverContext<C>): ProviderDriver;
}

/** Helps a driver folder declare its entry with the credentials type inferred from the schema. */
export function defineProvider<C>(entry: ProviderEntry<C>): ProviderEntry<C> {
  return entry;
}
