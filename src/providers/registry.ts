import type { Logger } from "../observability/logger.ts";
import { registerSecret } from "../observability/secrets.ts";
import { baseUrlProblem } from "./_shared/address-guard.ts";
import { renamer, withDisplayName } from "./_shared/display-name.ts";
import type { DriverContext, ProviderEntry, ProviderFeatures } from "./_shared/entry.ts";
import { outboundPolicy } from "./_shared/outbound.ts";
import { thehost } from "./billmanager/index.ts";
import { host4coins } from "./host4coins/index.ts";
import { hostbill, hostens, time4vps } from "./hostbill/index.ts";
import { hostkey } from "./hostkey/index.ts";
import { PROVIDER_KINDS, type ProviderDriver, ProviderError, type ProviderKind } from "./types.ts";

export type { ProviderEntry, ProviderFeatures } from "./_shared/entry.ts";

/** kind -> provider. Adding a provider: one folder under src/providers/ and one line here. */
export const providers: Record<ProviderKind, ProviderEntry<unknown>> = {
  host4coins: host4coins as ProviderEntry<unknown>,
  hostens: hostens as ProviderEntry<unknown>,
  time4vps: time4vps as ProviderEntry<unknown>,
  hostkey: hostkey as ProviderEntry<unknown>,
  thehost: thehost as ProviderEntry<unknown>,
  hostbill: hostbill as ProviderEntry<unknown>,
};

export function isProviderKind(value: string): value is ProviderKind {
  return (PROVIDER_KINDS as readonly string[]).includes(value);
}

export function getProvider(kind: string): ProviderEntry<unknown> {
  if (!isProviderKind(kind))
    throw new ProviderError(
      "VALIDATION",
      `Unknown provider "${kind}". Known providers: ${PROVIDER_KINDS.join(", ")}.`,
    );
  return providers[kind];
}

/** Validates credentials against the kind's schema; throws VALIDATION naming the missing fields. */
export function validateCredentials(kind: ProviderKind, credentials: unknown): unknown {
  const entry = getProvider(kind);
  const r = entry.credentialsSchema.safeParse(credentials);
  if (!r.success) {
    const fields = [...new Set(r.error.issues.map((i) => i.path.join(".") || "credentials"))];
    throw new ProviderError("VALIDATION", `Missing or invalid credentials: ${fields.join(", ")}.`, {
      provider: kind,
      retryable: false,
    });
  }
  return r.data;
}

/**
 * What is wrong with a base URL an admin typed, before anything is sent: not http(s), a user name
 * or password in it, or a literal address the private-address guard refuses. Names are checked
 * again at every connection (the guard), so this is the early, friendly half of the check.
 */
export function checkBaseUrl(url: string): string | undefined {
  return baseUrlProblem(url, outboundPolicy().allowPrivate);
}

export interface DriverOptions {
  credentials: unknown;
  baseUrl?: string;
  /** The provider name the admin gave the account (kinds with `customName`). */
  displayName?: string | null;
  /** What `detectFeatures` found when the account was added. */
  features?: ProviderFeatures | null;
  timeoutMs?: number;
  retries?: number;
  log?: Logger;
}

function driverContext(kind: ProviderKind, options: DriverOptions): DriverContext<unknown> {
  const entry = getProvider(kind);
  const credentials = validateCredentials(kind, options.credentials);
  for (const f of entry.credentialFields) {
    const v = (credentials as Record<string, unknown>)[f.key];
    if (f.secret && typeof v === "string") registerSecret(v);
  }
  const baseUrl = options.baseUrl ?? entry.defaultBaseUrl;
  if (!baseUrl)
    throw new ProviderError("VALIDATION", "This provider needs the API base URL of its client area.", {
      provider: kind,
      retryable: false,
    });
  return {
    credentials,
    baseUrl,
    features: options.features ?? undefined,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    log: options.log,
  };
}

export function createDriver(kind: ProviderKind, options: DriverOptions): ProviderDriver {
  const entry = getProvider(kind);
  const driver = entry.create(driverContext(kind, options));
  return entry.customName && options.displayName
    ? withDisplayName(driver, kind, options.displayName)
    : driver;
}

/**
 * What the API tells about an account (kinds with `detectFeatures`; others: nothing). Run after
 * the credentials were verified; errors are the driver's, renamed like the driver's own.
 */
export async function detectFeatures(
  kind: ProviderKind,
  options: DriverOptions,
): Promise<ProviderFeatures | null> {
  const entry = getProvider(kind);
  if (!entry.detectFeatures) return null;
  const ctx = driverContext(kind, options);
  try {
    return await entry.detectFeatures(ctx);
  } catch (err) {
    throw entry.customName && options.displayName ? renamer(kind, options.displayName).renameError(err) : err;
  }
}
