import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { type Role, roleGrants } from "../db/schema.ts";
import type { Actor } from "./context.ts";

export const ROLES = ["viewer", "operator", "admin"] as const satisfies readonly Role[];
const RANK: Record<Role | "none", number> = { none: 0, viewer: 1, operator: 2, admin: 3 };

export function atLeast(have: Role | "none", need: Role): boolean {
  return RANK[have] >= RANK[need];
}

/**
 * The actor's role in this channel: platform admins are admins; otherwise the highest of their
 * channel grant, their workspace grant and the default role for members without a grant.
 */
export async function roleOf(
  database: Database,
  actor: Actor,
  defaultRole: Role | "none",
): Promise<Role | "none"> {
  return (await rolesIn(database, actor, [actor.channelId], defaultRole)).get(actor.channelId) ?? defaultRole;
}

/** The actor's role in each of `channelIds`, from one query (the overview spans many channels). */
export async function rolesIn(
  database: Database,
  actor: Omit<Actor, "channelId">,
  channelIds: readonly string[],
  defaultRole: Role | "none",
): Promise<Map<string, Role | "none">> {
  const roles = new Map<string, Role | "none">(
    channelIds.map((c) => [c, actor.userIsPlatformAdmin ? "admin" : defaultRole]),
  );
  if (actor.userIsPlatformAdmin || channelIds.length === 0) return roles;
  const grants = await database.db
    .select({ role: roleGrants.role, scope: roleGrants.scope, channelId: roleGrants.channelId })
    .from(roleGrants)
    .where(
      and(
        eq(roleGrants.platform, actor.platform),
        eq(roleGrants.workspaceId, actor.workspaceId),
        eq(roleGrants.subject, actor.userId),
        inArray(roleGrants.channelId, ["", ...channelIds]),
      ),
    );
  for (const channelId of channelIds) {
    let best = roles.get(channelId) ?? defaultRole;
    for (const g of grants) {
      const applies = g.scope === "workspace" || g.channelId === channelId;
      if (applies && RANK[g.role] > RANK[best]) best = g.role;
    }
    roles.set(channelId, best);
  }
  return roles;
}

export async function grantRole(
  database: Database,
  input: { actor: Actor; subject: string; role: Role; scope: "workspace" | "channel" },
): Promise<void> {
  const channelId = input.scope === "channel" ? input.actor.channelId : "";
  await database.db
    .insert(roleGrants)
    .values({
      platform: input.actor.platform,
      workspaceId: input.actor.workspaceId,
      subject: input.subject,
      scope: input.scope,
      channelId,
      role: input.role,
      grantedBy: input.actor.userId,
    })
    .onConflictDoUpdate({
      target: [
        roleGrants.platform,
        roleGrants.workspaceId,
        roleGrants.subject,
        roleGrants.scope,
        roleGrants.channelId,
      ],
      set: { role: input.role, grantedBy: input.actor.userId },
    });
}

/** Removes the subject's grants in this channel and, with `workspace`, their workspace grant too. */
export async function revokeRole(
  database: Database,
  input: { actor: Actor; subject: string; workspace: boolean },
): Promise<number> {
  const channels = input.workspace ? ["", input.actor.channelId] : [input.actor.channelId];
  const rows = await database.db
    .delete(roleGrants)
    .where(
      and(
        eq(roleGrants.platform, input.actor.platform),
        eq(roleGrants.workspaceId, input.actor.workspaceId),
        eq(roleGrants.subject, input.subject),
        inArray(roleGrants.channelId, channels),
      ),
    )
    .returning({ id: roleGrants.id });
  return rows.length;
}

export async function listGrants(database: Database, actor: Actor) {
  return database.db
    .select()
    .from(roleGrants)
    .where(
      and(
        eq(roleGrants.platform, actor.platform),
        eq(roleGrants.workspaceId, actor.workspaceId),
        inArray(roleGrants.channelId, ["", actor.channelId]),
      ),
    );
}
