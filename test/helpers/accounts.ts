import type { Account } from "../../src/core/accounts.ts";
import type { Core } from "../../src/core/context.ts";
import type { Platform } from "../../src/db/schema.ts";
import type { ProviderKind } from "../../src/providers/types.ts";

/** Adds an account on a provider fake (its credentials checked by the real driver) and binds it to a channel. */
export async function addBoundAccount(
  core: Core,
  o: {
    platform?: Platform;
    workspaceId?: string;
    label: string;
    fake: { kind: ProviderKind; baseUrl: string; credentials: unknown };
    channel: string;
    by: string;
  },
): Promise<Account> {
  const account = await core.accounts.add({
    platform: o.platform ?? "slack",
    workspaceId: o.workspaceId ?? "T1",
    label: o.label,
    kind: o.fake.kind,
    baseUrl: o.fake.baseUrl,
    credentials: o.fake.credentials,
    createdBy: o.by,
  });
  await core.accounts.bind(account, o.channel, o.by);
  return account;
}
