import type { Logger } from "../observability/logger.ts";
import { registerSecret } from "../observability/secrets.ts";
import { baseUrlProblem } from "./_shared/address-guard.ts";
import type { ProviderEntry } from "./_shared/entry.ts";
import { outboundPolicy } from "./_shared/outbound.ts";
import { thehost } from "./billmanager/index.ts";
import { host4coins } from "./host4coins/index.ts";
import { hostens, time4vps } from "./hostbill/index.ts";
import { hostkey } from "./hostkey/index.ts";
import { PROVIDER_KINDS, type ProviderDriver, ProviderError, type ProviderKind } from "./types.ts";

export type { ProviderEntry } from "./_shared/entry.ts";

/** kind -> provider. Adding a provider: one folder under src/providers/ and one line here. */
export const providers: Record<ProviderKind, ProviderEntry<unknown>> = {
  host4coins: host4coins as ProviderEntry<unknown>,
  hostens: hostens as ProviderEntry<unknown>,
  time4vps: time4vps as ProviderEntry<unknown>,
  hostkey: hostkey as ProviderEntry<unknown>,
  thehost: thehost as ProviderEntry<unknown>,
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

export function createDriver(
  kind: ProviderKind,
  options: { credentials: unknown; baseUrl?: string; timeoutMs?: number; retries?: number; log?: Logger },
): ProviderDriver {
  const entry = getProvider(kind);
  const credentials = validateCredentials(kind, options.credentials);
  for (const f of entry.credentialFields) {
    const v = (credentials as Record<string, unknown>)[f.key];
    if (f.secret && typeof v === "string") registerSecret(v);
  }
  return entry.create({
    credentials,
    baseUrl: options.baseUrl ?? entry.defaultBaseUrl,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    log: options.log,
  });
}
