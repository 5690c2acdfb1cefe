import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandTree } from "../../src/core/commands/index.ts";
import type { Actor } from "../../src/core/context.ts";
import { grantRole, revokeRole } from "../../src/core/permissions.ts";
import type { Outcome } from "../../src/core/reply.ts";
import type { Role } from "../../src/db/schema.ts";
import { actorFor, coreWithHostens } from "./helpers.ts";

/** Who may run what, as the design says: viewers read, operators request, admins administer. */
const MIN_ROLE: Record<string, Role> = {
  help: "viewer",
  services: "viewer",
  service: "viewer",
  balance: "viewer",
  invoices: "viewer",
  domains: "viewer",
  forecast: "viewer",
  overview: "viewer",
  "report show": "viewer",
  "report weekly": "admin",
  "report monthly": "admin",
  "report off": "admin",
  bindings: "viewer",
  grants: "viewer",
  pending: "viewer",
  "alerts show": "viewer",
  "approvals show": "viewer",
  "accounts list": "operator",
  reboot: "operator",
  poweron: "operator",
  poweroff: "operator",
  reinstall: "operator",
  renew: "operator",
  autorenew: "operator",
  cancel: "operator",
  "domain renew": "operator",
  "domain ns": "operator",
  "alerts run": "operator",
  "accounts add": "admin",
  "accounts edit": "admin",
  "accounts remove": "admin",
  bind: "admin",
  unbind: "admin",
  grant: "admin",
  revoke: "admin",
  audit: "admin",
  "alerts config": "admin",
  "approvals set": "admin",
  "alerts on": "admin",
  "alerts off": "admin",
};

const RANK: Record<Role | "none", number> = { none: 0, viewer: 1, operator: 2, admin: 3 };

interface Subject {
  name: string;
  user: string;
  platformAdmin?: boolean;
  /** The role this subject has in channel C1. */
  effective: Role | "none";
}

const denied = (o: Outcome) => o.kind === "reply" && /You need the \w+ role/.test(o.reply.text);

for (const defaultRole of ["viewer", "none"] as const) {
  describe(`authorization table (members without a grant: ${defaultRole})`, () => {
    let env: Awaited<ReturnType<typeof coreWithHostens>>;
    const admin = actorFor("UROOT", { userIsPlatformAdmin: true });
    const subjects: Subject[] = [
      { name: "no grant", user: "UNONE", effective: defaultRole },
      { name: "viewer in this channel", user: "UVIEW", effective: "viewer" },
      { name: "operator in this channel", user: "UOPER", effective: "operator" },
      { name: "operator in another channel only", user: "UOTHER", effective: defaultRole },
      { name: "admin grant for the workspace", user: "UWSADMIN", effective: "admin" },
      { name: "viewer in workspace, admin in this channel", user: "UMIXED", effective: "admin" },
      { name: "platform admin", user: "UPLAT", platformAdmin: true, effective: "admin" },
    ];

    beforeAll(async () => {
      env = await coreWithHostens({ env: { HOSTOPS_DEFAULT_ROLE: defaultRole } });
      await grantRole(env.app.db, { actor: admin, subject: "UVIEW", role: "viewer", scope: "channel" });
      await grantRole(env.app.db, { actor: admin, subject: "UOPER", role: "operator", scope: "channel" });
      await grantRole(env.app.db, {
        actor: { ...admin, channelId: "C2" },
        subject: "UOTHER",
        role: "operator",
        scope: "channel",
      });
      await grantRole(env.app.db, { actor: admin, subject: "UWSADMIN", role: "admin", scope: "workspace" });
      await grantRole(env.app.db, { actor: admin, subject: "UMIXED", role: "viewer", scope: "workspace" });
      await grantRole(env.app.db, { actor: admin, subject: "UMIXED", role: "admin", scope: "channel" });
    });
    afterAll(async () => {
      await env.close();
    });

    it("covers every command in the tree", () => {
      expect(Object.keys(MIN_ROLE).sort()).toEqual(commandTree.map((c) => c.path.join(" ")).sort());
    });

    for (const s of subjects)
      it(`${s.name}: allowed exactly where the role allows`, async () => {
        const mismatches: string[] = [];
        for (const def of commandTree) {
          const path = def.path.join(" ");
          const actor: Actor = actorFor(s.user, { userIsPlatformAdmin: Boolean(s.platformAdmin) });
          const out = await env.app.dispatcher.command({ ...actor, path: [...def.path], args: {} });
          const allowed = RANK[s.effective] >= RANK[MIN_ROLE[path] ?? "admin"];
          if (allowed === denied(out)) mismatches.push(`${path}: expected ${allowed ? "allowed" : "denied"}`);
        }
        expect(mismatches).toEqual([]);
      });
  });
}

describe("button clicks are re-authorized at click time", () => {
  let env: Awaited<ReturnType<typeof coreWithHostens>>;
  const root = actorFor("UROOT", { userIsPlatformAdmin: true });
  beforeAll(async () => {
    env = await coreWithHostens();
  });
  afterAll(async () => {
    await env.close();
  });

  it("an admin whose role was revoked after the card was posted can no longer approve", async () => {
    const reboots = env.fake.count((r) => r.path.endsWith("/reboot"));
    await grantRole(env.app.db, { actor: root, subject: "UOPER", role: "operator", scope: "channel" });
    await grantRole(env.app.db, { actor: root, subject: "UEXADMIN", role: "admin", scope: "channel" });
    const requested = await env.app.dispatcher.command({
      ...actorFor("UOPER"),
      path: ["reboot"],
      args: { service: "302" },
    });
    expect(requested.kind).toBe("reply");
    const [req] = await env.app.db.db.query.confirmationRequests.findMany({
      where: (r, { eq }) => eq(r.requesterId, "UOPER"),
    });
    await revokeRole(env.app.db, { actor: root, subject: "UEXADMIN", workspace: true });
    const click = await env.app.dispatcher.action(actorFor("UEXADMIN"), "confirm:approve", req!.id);
    expect(click.kind === "reply" && click.reply.text).toContain("Only admins");
    expect(env.fake.count((r) => r.path.endsWith("/reboot"))).toBe(reboots);
    // Granted again, the same person can approve.
    await grantRole(env.app.db, { actor: root, subject: "UEXADMIN", role: "admin", scope: "channel" });
    const ok = await env.app.dispatcher.action(actorFor("UEXADMIN"), "confirm:approve", req!.id);
    expect(ok.kind === "reply" && ok.reply.text).toMatch(/^Approved/);
    expect(env.fake.count((r) => r.path.endsWith("/reboot"))).toBe(reboots + 1);
  });

  it("a viewer cannot request an action, and a request from another workspace is not found", async () => {
    const out = await env.app.dispatcher.command({
      ...actorFor("USOMEONE"),
      path: ["reboot"],
      args: { service: "302" },
    });
    expect(denied(out)).toBe(true);
    // A request of this workspace, made here (not left by another test).
    await grantRole(env.app.db, { actor: root, subject: "UOPER2", role: "operator", scope: "channel" });
    await env.app.dispatcher.command({ ...actorFor("UOPER2"), path: ["reboot"], args: { service: "302" } });
    const [req] = await env.app.db.db.query.confirmationRequests.findMany({
      where: (r, { eq }) => eq(r.requesterId, "UOPER2"),
    });
    const foreign = await env.app.dispatcher.action(
      actorFor("UROOT", { workspaceId: "T9", userIsPlatformAdmin: true }),
      "confirm:approve",
      req!.id,
    );
    expect(foreign.kind === "reply" && foreign.reply.text).toContain("does not exist");
  });
});
