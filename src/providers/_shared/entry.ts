import type { z } from "zod";
import type { Logger } from "../../observability/logger.ts";
import type { ProviderDriver, ProviderKind } from "../types.ts";

/** What a driver needs to run one account. `credentials` is already validated by the kind's schema. */
export interface DriverContext<C> {
  credentials: C;
  /** Provider API base URL (the documented one unless the account overrides it). */
  baseUrl: string;
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
  defaultBaseUrl: string;
  credentialsSchema: z.ZodType<C>;
  credentialFields: CredentialField[];
  create(ctx: DriverContext<C>): ProviderDriver;
}

/** Helps a driver folder declare its entry with the credentials type inferred from the schema. */
export function defineProvider<C>(entry: ProviderEntry<C>): ProviderEntry<C> {
  return entry;
}
