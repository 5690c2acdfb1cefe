import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../db/client.ts";
import { silentLogger } from "../observability/logger.ts";
import type { ProviderDriver, Service } from "../providers/types.ts";
import type { Account } from "./accounts.ts";
import { rank, Suggestions } from "./autocomplete.ts";
import type { Actor, Core } from "./context.ts";

const admin: Actor = {
  platform: "discord",
  workspaceId: "G1",
  channelId: "C1",
  userId: "U1",
  userIsPlatformAdmin: true,
};
const member: Actor = { ...admin, userId: "U2", userIsPlatformAdmin: false };

const service = (id: string, label: string): Service => ({
  id,
  label,
  product: "VPS",
  status: "active",
  expiresAt: null,
  autorenew: null,
  raw: {},
});

describe("suggestions", () => {
  let db: Database;
  let listCalls = 0;
  const account = { id: "a1", label: "prod", kind: "time4vps" } as Account;
  const driver = {
    kind: "time4vps",
    capabilities: new Set(["listServices"]),
    async listServices() {
      listCalls++;
      return [service("302", "web"), service("303", "db")];
    },
  } as unknown as ProviderDriver;
  const core = (defaultRole: "viewer" | "none") =>
    ({
      db,
      log: silentLogger,
      settings: { defaultRole },
      accounts: {
        list: async () => [account],
        channelAccounts: async () => [{ account, binding: {} }],
        driverFor: () => driver,
      },
    }) as unknown as Core;

  beforeAll(async () => {
    db = await openDatabase({ dataDir: "memory://" });
  });
  afterAll(async () => {
    await db.close();
  });

  it("suggests the services of the accounts bound here, asking the provider once while fresh", async () => {
    const s = new Suggestions(core("viewer"));
    const first = await s.suggest(admin, "service", "30");
    expect(first.map((x) => x.value)).toEqual(["302", "303"]);
    expect(first[0]?.label).toBe("302 · web (prod)");
    await s.suggest(admin, "service", "303");
    expect(listCalls).toBe(1);
    // After accounts or bindings may have changed, the next lookup asks again.
    s.invalidate(admin);
    await s.suggest(admin, "service", "");
    expect(listCalls).toBe(2);
  });

  it("suggests accounts, those bound here marked", async () => {
    const s = new Suggestions(core("viewer"));
    expect(await s.suggest(admin, "account", "pr")).toEqual([
      { label: "prod (time4vps) · bound here", value: "prod" },
    ]);
  });

  it("gives members without a role nothing (suggestions reveal labels and ids)", async () => {
    const s = new Suggestions(core("none"));
    expect(await s.suggest(member, "account", "")).toEqual([]);
    expect(await s.suggest(member, "service", "")).toEqual([]);
    expect(await new Suggestions(core("viewer")).suggest(member, "account", "")).toHaveLength(1);
  });

  it("keeps at most maxEntries lookups", async () => {
    const s = new Suggestions(core("viewer"), { maxEntries: 2 });
    for (const channelId of ["C1", "C2", "C3"]) await s.suggest({ ...admin, channelId }, "service", "");
    const before = listCalls;
    await s.suggest(admin, "service", ""); // C1 was evicted
    expect(listCalls).toBe(before + 1);
  });
});

describe("rank", () => {
  const items = [
    { label: "prod (time4vps) · bound here", value: "prod" },
    { label: "staging (hostens)", value: "staging" },
    { label: "preprod (hostens)", value: "preprod" },
  ];
  it("puts prefix matches first, then labels that contain what was typed", () => {
    expect(rank(items, "pr").map((c) => c.value)).toEqual(["prod", "preprod"]);
    expect(rank(items, "host").map((c) => c.value)).toEqual(["staging", "preprod"]);
    expect(rank(items, " ").map((c) => c.value)).toEqual(["prod", "staging", "preprod"]);
  });
});
