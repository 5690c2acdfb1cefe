import { eq, isNotNull } from "drizzle-orm";
import type { CredentialCipher } from "../core/crypto.ts";
import type { Database } from "../db/client.ts";
import { hostopsMeta, providerAccounts, slackInstallations } from "../db/schema.ts";
import { StartError } from "./retry.ts";

const CHECK_KEY = "credential_key_check";
const CHECK_VALUE = "hostops credential key check";

/**
 * Refuses to start with a credential key other than the one the stored credentials were
 * encrypted with (otherwise every command would fail and the alerts would blame the providers).
 * The first start stores a value encrypted with the key; a database from before this check
 * adopts the key that decrypts its oldest account (or, without one, its oldest Slack installation).
 */
export async function verifyCredentialKey(
  database: Database,
  cipher: CredentialCipher,
  keySource: string,
): Promise<"stored" | "matches"> {
  const { db } = database;
  const refuse = () =>
    new StartError(
      `HOSTOPS_SECRET_KEY does not match the key this database's provider credentials were saved with (key from ${keySource}). Set HOSTOPS_SECRET_KEY to the original key; if it is lost, the accounts must be removed and added again.`,
    );
  const [check] = await db.select().from(hostopsMeta).where(eq(hostopsMeta.key, CHECK_KEY));
  if (check) {
    try {
      if (cipher.decrypt(check.value) === CHECK_VALUE) return "matches";
    } catch {
      // falls through to the refusal
    }
    throw refuse();
  }
  const [oldest] = await db
    .select({ credentialsEnc: providerAccounts.credentialsEnc })
    .from(providerAccounts)
    .orderBy(providerAccounts.createdAt)
    .limit(1);
  const [install] = oldest
    ? []
    : await db
        .select({ installationEnc: slackInstallations.installationEnc })
        .from(slackInstallations)
        .where(isNotNull(slackInstallations.installationEnc))
        .orderBy(slackInstallations.installedAt)
        .limit(1);
  const sample = oldest?.credentialsEnc ?? install?.installationEnc;
  if (sample) {
    try {
      cipher.decrypt(sample);
    } catch {
      throw refuse();
    }
  }
  // Replicas starting together: the first insert wins, and every one checks what was kept.
  await db
    .insert(hostopsMeta)
    .values({ key: CHECK_KEY, value: cipher.encrypt(CHECK_VALUE) })
    .onConflictDoNothing();
  const [kept] = await db.select().from(hostopsMeta).where(eq(hostopsMeta.key, CHECK_KEY));
  try {
    if (kept && cipher.decrypt(kept.value) === CHECK_VALUE) return "stored";
  } catch {
    // another replica stored a check with another key
  }
  throw refuse();
}
