import { type Hostops, startHostops } from "../../src/app.ts";
import type { Account } from "../../src/core/accounts.ts";
import type { Actor } from "../../src/core/context.ts";
import type { Platform } from "../../src/db/schema.ts";
import type { Logger } from "../../src/observability/logger.ts";
import { type HostBillFake, startHostBillFake } from "../fakes/providers/hostbill.ts";
import { testConfig } from "../helpers/config.ts";

/** A hostops core on in-memory PGlite (or Postgres) with one Hostens account bound to C1. */
export async function coreWithHostens(
  opts: { databaseUrl?: string; log?: Logger; env?: Record<string, string> } = {},
): Promise<{ app: Hostops; fake: HostBillFake; account: Account; close(): Promise<void> }> {
  const fake = await startHostBillFake({ kind: "hostens" });
  const app = await startHostops({
    config: testConfig({
      SLACK_BOT_TOKEN: undefined,
      SLACK_SIGNING_SECRET: undefined,
      DATABASE_URL: opts.databaseUrl,
      ...opts.env,
    }),
    log: opts.log,
    overrides: { memoryDb: !opts.databaseUrl, providerRetries: 0, noTimers: true, taskPollMs: 1 },
  });
  const account = await app.core.accounts.add({
    platform: "slack",
    workspaceId: "T1",
    label: "eu",
    kind: "hostens",
    baseUrl: fake.baseUrl,
    credentials: fake.credentials,
    createdBy: "UADMIN",
  });
  await app.core.accounts.bind(account, "C1", "UADMIN");
  return {
    app,
    fake,
    account,
    async close() {
      await app.stop();
      await fake.close();
    },
  };
}

export const actorFor = (userId: string, over: Partial<Actor> = {}): Actor => ({
  platform: "slack" as Platform,
  workspaceId: "T1",
  channelId: "C1",
  userId,
  userIsPlatformAdmin: false,
  ...over,
});
