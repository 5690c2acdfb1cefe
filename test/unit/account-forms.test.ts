import { describe, expect, it } from "vitest";
import { MemoryPayloadStore } from "../../src/chat/discord/custom-id.ts";
import { renderModal } from "../../src/chat/discord/modal.ts";
import { accountsAdd } from "../../src/core/commands/accounts.ts";
import type { CommandContext } from "../../src/core/context.ts";
import { PROVIDER_KINDS } from "../../src/providers/types.ts";

/** The "add account" form of every provider kind, as chat shows it (and Discord can hold it). */
describe("account forms", () => {
  const formOf = async (kind: string) => {
    const out = await accountsAdd.run({} as CommandContext, { provider: kind });
    if (out.kind !== "modal") throw new Error(`no form for ${kind}`);
    return out.modal;
  };

  it("HostBill (other host) asks for the provider's name and a required base URL", async () => {
    const m = await formOf("hostbill");
    expect(m.title).toBe("Add HostBill account");
    expect(m.fields.map((f) => f.id)).toEqual([
      "label",
      "display_name",
      "cred_username",
      "cred_password",
      "base_url",
    ]);
    const base = m.fields.find((f) => f.id === "base_url")!;
    expect(base.optional).toBeFalsy();
    expect(base.label).toContain("/api/");
    expect(m.intro).not.toContain("HostBill (other host)");
  });

  it("the kinds with a documented API keep an optional base URL and no name field", async () => {
    for (const kind of PROVIDER_KINDS.filter((k) => k !== "hostbill")) {
      const m = await formOf(kind);
      expect(
        m.fields.some((f) => f.id === "display_name"),
        kind,
      ).toBe(false);
      expect(m.fields.find((f) => f.id === "base_url")?.optional, kind).toBe(true);
    }
  });

  it("every form fits a Discord modal", async () => {
    for (const kind of PROVIDER_KINDS) {
      const r = renderModal(await formOf(kind), new MemoryPayloadStore());
      expect(r.ok, `${kind}: ${r.ok ? "" : r.reason}`).toBe(true);
    }
  });
});
