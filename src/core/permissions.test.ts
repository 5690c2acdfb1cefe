import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../db/client.ts";
import { roleGrants } from "../db/schema.ts";
import type { Actor } from "./context.ts";
import { atLeast, grantRole, revokeRole, roleOf } from "./permissions.ts";

const actor = (over: Partial<Actor> = {}): Actor => ({
  platform: "slack",
  workspaceId: "T1",
  channelId: "C1",
  userId: "U1",
  userIsPlatformAdmin: false,
  ...over,
});

describe("permissions", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ dataDir: "memory://" });
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await db.db.delete(roleGrants);
  });

  it.each([
    ["viewer", "viewer", true],
    ["viewer", "operator", false],
    ["operator", "viewer", true],
    ["operator", "admin", false],
    ["admin", "operator", true],
    ["none", "viewer", false],
  ] as const)("%s at least %s: %s", (have, need, ok) => {
    expect(atLeast(have, need)).toBe(ok);
  });

  it("platform admins are admins without a grant", async () => {
    expect(await roleOf(db, actor({ userIsPlatformAdmin: true }), "none")).toBe("admin");
  });

  it("falls back to the default role", async () => {
    expect(await roleOf(db, actor(), "viewer")).toBe("viewer");
    expect(await roleOf(db, actor(), "none")).toBe("none");
  });

  it("a channel grant applies in that channel only; a workspace grant everywhere; the highest wins", async () => {
    const admin = actor({ userId: "UADMIN", userIsPlatformAdmin: true });
    await grantRole(db, { actor: admin, subject: "U1", role: "operator", scope: "channel" });
    expect(await roleOf(db, actor(), "none")).toBe("operator");
    expect(await roleOf(db, actor({ channelId: "C2" }), "none")).toBe("none");
    await grantRole(db, { actor: admin, subject: "U1", role: "viewer", scope: "workspace" });
    expect(await roleOf(db, actor({ channelId: "C2" }), "none")).toBe("viewer");
    expect(await roleOf(db, actor(), "none")).toBe("operator");
    await grantRole(db, { actor: admin, subject: "U1", role: "admin", scope: "workspace" });
    expect(await roleOf(db, actor(), "none")).toBe("admin");
  });

  it("grants are per platform and workspace", async () => {
    const admin = actor({ userId: "UADMIN", userIsPlatformAdmin: true });
    await grantRole(db, { actor: admin, subject: "U1", role: "admin", scope: "workspace" });
    expect(await roleOf(db, actor({ workspaceId: "T2" }), "none")).toBe("none");
    expect(await roleOf(db, actor({ platform: "discord" }), "none")).toBe("none");
  });

  it("revoke removes the channel grant, and the workspace one with --workspace", async () => {
    const admin = actor({ userId: "UADMIN", userIsPlatformAdmin: true });
    await grantRole(db, { actor: admin, subject: "U1", role: "operator", scope: "channel" });
    await grantRole(db, { actor: admin, subject: "U1", role: "operator", scope: "workspace" });
    expect(await revokeRole(db, { actor: admin, subject: "U1", workspace: false })).toBe(1);
    expect(await roleOf(db, actor(), "none")).toBe("operator");
    expect(await revokeRole(db, { actor: admin, subject: "U1", workspace: true })).toBe(1);
    expect(await roleOf(db, actor(), "none")).toBe("none");
  });
});
