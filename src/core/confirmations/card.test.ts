import { describe, expect, it } from "vitest";
import type { Account } from "../accounts.ts";
import { blocksToText } from "../reply.ts";
import { mention, plainText, strong } from "../rich.ts";
import { alreadyDecided, renderCard, requestDescription } from "./card.ts";
import type { Request } from "./store.ts";

const NOW = new Date("2026-12-01T12:00:00Z");
const core = { settings: { timeZone: "UTC" } } as Parameters<typeof renderCard>[2];

const account: Account = {
  id: "00000000-0000-4000-8000-000000000001",
  platform: "slack",
  workspaceId: "T1",
  label: "prod",
  kind: "hostens",
  baseUrl: null,
  displayName: null,
  features: null,
  createdBy: "UADM",
  createdAt: NOW,
  updatedAt: NOW,
};

function request(o: Partial<Request> = {}): Request {
  return {
    id: "00000000-0000-4000-8000-0000000000aa",
    platform: "slack",
    workspaceId: "T1",
    channelId: "C1",
    accountId: account.id,
    accountLabel: "prod",
    action: "reinstall",
    params: { serviceId: "302", serviceName: "web", osId: "7", osName: "Debian 12", cost: "4.99 EUR" },
    description: "Reinstall web (302) on account prod (Hostens) with Debian 12.",
    requesterId: "UREQ",
    status: "pending",
    approvals: [],
    requiredApprovals: 1,
    twoPerson: true,
    needsPin: false,
    decidedBy: null,
    decidedAt: null,
    expiresAt: new Date(NOW.getTime() + 30 * 60_000),
    executedAt: null,
    finishedAt: null,
    resultSummary: null,
    taskRef: null,
    followOwner: null,
    followUntil: null,
    messageRef: null,
    createdAt: NOW,
    ...o,
  };
}

describe("the confirmation card", () => {
  it("shows who asks (a mention), what will happen (names in strong), the warning, cost and buttons", () => {
    const card = renderCard(request(), account, core);
    const text = card.blocks.find((b) => b.kind === "text");
    expect(text?.kind === "text" && text.text).toContainEqual(strong("web"));
    const fields = card.blocks.find((b) => b.kind === "fields");
    expect(fields?.kind === "fields" && fields.fields[0]).toEqual(["Requested by", [mention("UREQ")]]);
    expect(card.text).toContain("Reinstall requested");
    expect(card.text).toContain("All data in the server will be lost");
    expect(card.text).toContain("Cost: 4.99 EUR");
    expect(card.text).toContain("Approvals: 0/1 · requester cannot approve");
    expect(card.blocks.some((b) => b.kind === "actions")).toBe(true);
    expect(card.severity).toBe("warning");
  });

  it("falls back to the stored plain description when the params no longer parse or the account is gone", () => {
    const broken = request({ params: { serviceId: 302 } });
    expect(requestDescription(broken, account)).toBe(broken.description);
    expect(requestDescription(request(), undefined)).toBe(broken.description);
    const card = renderCard(broken, account, core);
    expect(card.text).toContain(broken.description);
    // No warning drawn from params that cannot be read.
    expect(card.text).not.toContain("All data");
  });

  it("drops the buttons once decided, and names the approvers and the result", () => {
    const done = request({
      status: "unknown",
      approvals: [{ userId: "UADM", at: NOW.toISOString() }],
      resultSummary: "The action may have been applied.",
    });
    const card = renderCard(done, account, core);
    expect(card.blocks.some((b) => b.kind === "actions")).toBe(false);
    expect(blocksToText(card.blocks)).toContain("Approved by: @UADM");
    expect(card.text).toContain("outcome unknown — check the provider");
    expect(card.text).toContain("Result: The action may have been applied.");
    expect(card.severity).toBe("critical");
  });

  it("shows a request of an action this version does not know by its stored name and text", () => {
    const card = renderCard(request({ action: "format-disk", description: "Format it." }), account, core);
    expect(card.text).toContain("format-disk requested");
    expect(card.text).toContain("Format it.");
  });

  it.each([
    ["denied", request({ status: "denied", decidedBy: "UADM" }), "Already denied by @UADM."],
    ["denied by nobody recorded", request({ status: "denied" }), "Already denied by an admin."],
    ["expired", request({ status: "expired" }), "This request expired before it was approved."],
    [
      "pending with its quorum (starting)",
      request({ approvals: [{ userId: "UADM", at: NOW.toISOString() }] }),
      "Already approved by @UADM (starting).",
    ],
    ["pending short of its quorum", request(), "This request is still pending."],
    [
      "succeeded",
      request({ status: "succeeded", approvals: [{ userId: "UADM", at: NOW.toISOString() }] }),
      "Already approved by @UADM (done).",
    ],
  ])("a late click on a request %s: %s", (_state, r, text) => {
    expect(plainText(alreadyDecided(r))).toContain(text);
  });
});
