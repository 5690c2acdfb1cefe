import type { Installation, InstallationQuery, InstallationStore } from "@slack/bolt";
import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { CredentialCipher } from "../../core/crypto.ts";
import type { Database } from "../../db/client.ts";
import { slackInstallations } from "../../db/schema.ts";
import { registerSecret } from "../../observability/secrets.ts";

/** What a decrypted installation must hold to be used: the bot token, at least. */
const storedInstallation = z.looseObject({
  bot: z.looseObject({ token: z.string().min(1), userId: z.string().optional(), id: z.string().optional() }),
  team: z.looseObject({ id: z.string(), name: z.string().optional() }).optional(),
  enterprise: z.looseObject({ id: z.string(), name: z.string().optional() }).optional(),
  isEnterpriseInstall: z.boolean().optional(),
});

export interface InstallationRow {
  installKey: string;
  teamId: string | null;
  teamName: string | null;
  enterpriseId: string | null;
  isEnterpriseInstall: boolean;
  installedAt: Date;
  updatedAt: Date;
  /** Set once the app was uninstalled or its bot token revoked: no token is kept. */
  revokedAt: Date | null;
  installed: boolean;
}

/** "T:<team>" for a workspace install, "E:<enterprise>" for an org-wide (Enterprise Grid) install. */
export function installKeyOf(q: {
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
}): string {
  if (q.isEnterpriseInstall && q.enterpriseId) return `E:${q.enterpriseId}`;
  if (q.teamId) return `T:${q.teamId}`;
  throw new Error("An installation names neither a team nor an enterprise.");
}

export class NotInstalledError extends Error {
  override readonly name = "NotInstalledError";
}

/**
 * Bolt's InstallationStore on the hostops database: one row per workspace (or org-wide install),
 * the Installation encrypted with the credential key. A re-install replaces the tokens; an
 * uninstall or a revocation deletes them (the row stays as a record, the workspace's data too).
 */
export class DbInstallationStore implements InstallationStore {
  constructor(
    private readonly database: Database,
    private readonly cipher: CredentialCipher,
  ) {}

  private get db() {
    return this.database.db;
  }

  async storeInstallation<V extends "v1" | "v2">(installation: Installation<V, boolean>): Promise<void> {
    const installKey = installKeyOf({
      teamId: installation.team?.id,
      enterpriseId: installation.enterprise?.id,
      isEnterpriseInstall: installation.isEnterpriseInstall,
    });
    if (installation.bot?.token) registerSecret(installation.bot.token);
    if (installation.user?.token) registerSecret(installation.user.token);
    const values = {
      installKey,
      teamId: installation.team?.id ?? null,
      teamName: installation.team?.name ?? null,
      enterpriseId: installation.enterprise?.id ?? null,
      isEnterpriseInstall: Boolean(installation.isEnterpriseInstall),
      appId: installation.appId ?? null,
      botUserId: installation.bot?.userId ?? null,
      installerUserId: installation.user?.id ?? null,
      scopes: installation.bot?.scopes?.join(",") ?? null,
      installationEnc: this.cipher.encrypt(installation),
    };
    const now = new Date();
    await this.db
      .insert(slackInstallations)
      .values({ ...values, installedAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: slackInstallations.installKey,
        set: { ...values, updatedAt: now, revokedAt: null },
      });
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<"v1" | "v2", boolean>> {
    const key = installKeyOf(query);
    const [row] = await this.db
      .select({ enc: slackInstallations.installationEnc })
      .from(slackInstallations)
      .where(and(eq(slackInstallations.installKey, key), isNotNull(slackInstallations.installationEnc)));
    if (!row?.enc) throw new NotInstalledError(`hostops is not installed in ${key}.`);
    const parsed = storedInstallation.safeParse(this.cipher.decrypt(row.enc));
    if (!parsed.success) throw new Error(`The stored installation of ${key} is not usable.`);
    registerSecret(parsed.data.bot.token);
    return parsed.data as unknown as Installation<"v1" | "v2", boolean>;
  }

  /** Forgets the tokens (uninstall, revocation); the row and the workspace's data stay. */
  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.revoke(installKeyOf(query));
  }

  async revoke(installKey: string): Promise<boolean> {
    const now = new Date();
    const rows = await this.db
      .update(slackInstallations)
      .set({ installationEnc: null, revokedAt: now, updatedAt: now })
      .where(
        and(eq(slackInstallations.installKey, installKey), isNotNull(slackInstallations.installationEnc)),
      )
      .returning({ id: slackInstallations.id });
    return rows.length > 0;
  }

  /**
   * The bot token of a workspace's own install, for what hostops posts on its own (alerts,
   * cards, task results). Throws NotInstalledError. Org-wide installs answer requests (Bolt
   * passes the enterprise id), but scheduled posts need a workspace install: a team id alone does
   * not tell which organization it belongs to.
   */
  async botTokenFor(teamId: string): Promise<string> {
    const inst = await this.fetchInstallation({
      teamId,
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    const token = inst.bot?.token;
    if (!token) throw new NotInstalledError(`hostops has no bot token for T:${teamId}.`);
    return token;
  }

  async isInstalled(teamId: string): Promise<boolean> {
    const [row] = await this.db
      .select({ n: sql<number>`1` })
      .from(slackInstallations)
      .where(
        and(eq(slackInstallations.installKey, `T:${teamId}`), isNotNull(slackInstallations.installationEnc)),
      );
    return Boolean(row);
  }

  async list(): Promise<InstallationRow[]> {
    const rows = await this.db.select().from(slackInstallations).orderBy(asc(slackInstallations.installKey));
    return rows.map((r) => ({
      installKey: r.installKey,
      teamId: r.teamId,
      teamName: r.teamName,
      enterpriseId: r.enterpriseId,
      isEnterpriseInstall: r.isEnterpriseInstall,
      installedAt: r.installedAt,
      updatedAt: r.updatedAt,
      revokedAt: r.revokedAt,
      installed: r.installationEnc !== null,
    }));
  }

  /** Deletes the installation record itself (the admin CLI's `workspace remove`). */
  async remove(installKey: string): Promise<boolean> {
    const rows = await this.db
      .delete(slackInstallations)
      .where(eq(slackInstallations.installKey, installKey))
      .returning({ id: slackInstallations.id });
    return rows.length > 0;
  }
}
