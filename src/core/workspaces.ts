import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import {
  channelBindings,
  confirmationRequests,
  type Platform,
  providerAccounts,
  roleGrants,
  slackInstallations,
} from "../db/schema.ts";

export interface WorkspaceData {
  accounts: number;
  bindings: number;
  grants: number;
  requests: number;
  /** A Slack installation record (with or without tokens). */
  installation: boolean;
}

/** What hostops keeps about one workspace (the audit log aside). */
export async function workspaceData(
  database: Database,
  platform: Platform,
  workspaceId: string,
): Promise<WorkspaceData> {
  const db = database.db;
  const [accounts, bindings, grants, requests, installation] = await Promise.all([
    db
      .select({ id: providerAccounts.id })
      .from(providerAccounts)
      .where(and(eq(providerAccounts.platform, platform), eq(providerAccounts.workspaceId, workspaceId))),
    db
      .select({ id: channelBindings.id })
      .from(channelBindings)
      .where(and(eq(channelBindings.platform, platform), eq(channelBindings.workspaceId, workspaceId))),
    db
      .select({ id: roleGrants.id })
      .from(roleGrants)
      .where(and(eq(roleGrants.platform, platform), eq(roleGrants.workspaceId, workspaceId))),
    db
      .select({ id: confirmationRequests.id })
      .from(confirmationRequests)
      .where(
        and(eq(confirmationRequests.platform, platform), eq(confirmationRequests.workspaceId, workspaceId)),
      ),
    platform === "slack"
      ? db
          .select({ id: slackInstallations.id })
          .from(slackInstallations)
          .where(eq(slackInstallations.installKey, `T:${workspaceId}`))
      : Promise.resolve([]),
  ]);
  return {
    accounts: accounts.length,
    bindings: bindings.length,
    grants: grants.length,
    requests: requests.length,
    installation: installation.length > 0,
  };
}

/**
 * Removes everything hostops keeps about a workspace — provider accounts with their stored
 * credentials, bindings (and their alert records), grants, confirmation requests, and its Slack
 * installation — in one transaction. The audit log stays: it is the record of what was done.
 * Nothing changes at the providers.
 */
export async function removeWorkspaceData(
  database: Database,
  platform: Platform,
  workspaceId: string,
): Promise<WorkspaceData> {
  const before = await workspaceData(database, platform, workspaceId);
  await database.db.transaction(async (tx) => {
    const accountIds = (
      await tx
        .select({ id: providerAccounts.id })
        .from(providerAccounts)
        .where(and(eq(providerAccounts.platform, platform), eq(providerAccounts.workspaceId, workspaceId)))
    ).map((r) => r.id);
    await tx
      .delete(confirmationRequests)
      .where(
        and(eq(confirmationRequests.platform, platform), eq(confirmationRequests.workspaceId, workspaceId)),
      );
    await tx
      .delete(channelBindings)
      .where(and(eq(channelBindings.platform, platform), eq(channelBindings.workspaceId, workspaceId)));
    if (accountIds.length) await tx.delete(providerAccounts).where(inArray(providerAccounts.id, accountIds));
    await tx
      .delete(roleGrants)
      .where(and(eq(roleGrants.platform, platform), eq(roleGrants.workspaceId, workspaceId)));
    if (platform === "slack")
      await tx.delete(slackInstallations).where(eq(slackInstallations.installKey, `T:${workspaceId}`));
  });
  return before;
}
