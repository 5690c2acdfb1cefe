import type { DriverContext, ProviderFeatures } from "../_shared/entry.ts";
import { ProviderError } from "../types.ts";
import { createHostBillClient } from "./client.ts";
import type { HostBillCredentials } from "./driver.ts";

/**
 * What a HostBill client area offers, asked of its API: the domain routes exist only where the
 * host sells domains (Hostens documents them, Time4VPS has none, PROVIDERS.md 3.2). GET /domain
 * answering a list means domains; an answer that the route or item does not exist, or that this
 * login may not use it, means none. A host that cannot be reached or fails is an error: the
 * account is not added on a guess.
 */
export async function detectHostBillFeatures(
  ctx: DriverContext<HostBillCredentials>,
): Promise<ProviderFeatures> {
  const api = createHostBillClient({
    kind: "hostbill",
    baseUrl: ctx.baseUrl,
    username: ctx.credentials.username,
    password: ctx.credentials.password,
    timeoutMs: ctx.timeoutMs,
    retries: ctx.retries,
    log: ctx.log,
  });
  try {
    await api.listDomains();
    return { domains: true };
  } catch (err) {
    if (err instanceof ProviderError && ["NOT_FOUND", "AUTH_FAILED", "VALIDATION"].includes(err.code))
      return { domains: false };
    throw err;
  }
}
