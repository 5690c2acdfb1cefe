import { describe, expect, it } from "vitest";
import type { ConfirmationStatus } from "../../db/schema.ts";
import {
  type ApprovalRefusal,
  approvalRefusal,
  asksForPin,
  canMove,
  isFinal,
  mayDeny,
  quorumReached,
  sourcesOf,
  TRANSITIONS,
  visibleTo,
} from "./states.ts";

const NOW = new Date("2026-12-01T12:00:00Z");
const LATER = new Date("2026-12-01T12:30:00Z");
const EARLIER = new Date("2026-12-01T11:30:00Z");

const STATES = Object.keys(TRANSITIONS) as ConfirmationStatus[];

describe("the confirmation state machine", () => {
  // Every move a request may make; anything not listed is refused.
  const allowed: [ConfirmationStatus, ConfirmationStatus][] = [
    ["pending", "executing"],
    ["pending", "denied"],
    ["pending", "expired"],
    ["executing", "succeeded"],
    ["executing", "failed"],
    ["executing", "unknown"],
    ["executing", "pending"],
    ["approved", "unknown"],
  ];

  it.each(STATES.flatMap((from) => STATES.map((to) => [from, to] as const)))("%s -> %s", (from, to) => {
    expect(canMove(from, to)).toBe(allowed.some(([f, t]) => f === from && t === to));
  });

  it.each([
    ["executing", ["pending"]],
    ["denied", ["pending"]],
    ["expired", ["pending"]],
    ["pending", ["executing"]],
    ["unknown", ["executing", "approved"]],
    ["succeeded", ["executing"]],
  ] as const)("only a request in %s's sources may move there: %j", (to, from) => {
    expect(sourcesOf(to).sort()).toEqual([...from].sort());
  });

  it("ends in succeeded, failed, denied, expired or unknown, and nowhere else", () => {
    expect(STATES.filter(isFinal).sort()).toEqual(["denied", "expired", "failed", "succeeded", "unknown"]);
  });

  it.each([
    [0, 1, false],
    [1, 1, true],
    [1, 2, false],
    [2, 2, true],
    [3, 2, true],
  ])("%i approval(s) of %i required: quorum %s", (n, required, reached) => {
    const approvals = Array.from({ length: n }, (_, i) => ({ userId: `U${i}`, at: NOW.toISOString() }));
    expect(quorumReached({ approvals, requiredApprovals: required })).toBe(reached);
  });
});

describe("who may approve", () => {
  const request = (o: Partial<Parameters<typeof approvalRefusal>[0]> = {}) => ({
    status: "pending" as ConfirmationStatus,
    expiresAt: LATER,
    twoPerson: false,
    requesterId: "UREQ",
    approvals: [],
    requiredApprovals: 1,
    ...o,
  });
  const admin = (userId: string) => ({ userId, isAdmin: true });

  it.each<
    [string, ReturnType<typeof request>, { userId: string; isAdmin: boolean }, ApprovalRefusal | undefined]
  >([
    ["an admin, on a pending request", request(), admin("UADM"), undefined],
    ["a non-admin", request(), { userId: "UOPS", isAdmin: false }, "not_admin"],
    [
      "a non-admin, even on a decided request",
      request({ status: "denied" }),
      { userId: "U", isAdmin: false },
      "not_admin",
    ],
    ["an admin, on a denied request", request({ status: "denied" }), admin("UADM"), "decided"],
    ["an admin, on an executing request", request({ status: "executing" }), admin("UADM"), "decided"],
    ["an admin, on an expired request", request({ status: "expired" }), admin("UADM"), "decided"],
    ["an admin, past the expiry", request({ expiresAt: EARLIER }), admin("UADM"), "expired"],
    ["an admin, exactly at the expiry", request({ expiresAt: NOW }), admin("UADM"), "expired"],
    ["the requester, under the two-person rule", request({ twoPerson: true }), admin("UREQ"), "two_person"],
    ["the requester, without the two-person rule", request(), admin("UREQ"), undefined],
    ["another admin, under the two-person rule", request({ twoPerson: true }), admin("UADM"), undefined],
    [
      "an admin who already approved",
      request({ requiredApprovals: 2, approvals: [{ userId: "UADM", at: NOW.toISOString() }] }),
      admin("UADM"),
      "already_approved",
    ],
    [
      "a second admin towards a quorum of two",
      request({ requiredApprovals: 2, approvals: [{ userId: "UADM", at: NOW.toISOString() }] }),
      admin("UADM2"),
      undefined,
    ],
  ])("%s", (_name, r, who, refusal) => {
    expect(approvalRefusal(r, who, NOW)).toBe(refusal);
  });

  it.each([
    [true, undefined, true],
    [true, "", false],
    [true, "1234", false],
    [false, undefined, false],
  ] as const)("needs a PIN %s, PIN given %j: the form is shown %s", (needsPin, pin, form) => {
    expect(asksForPin({ needsPin }, pin)).toBe(form);
  });

  it.each([
    ["an admin", { userId: "UADM", isAdmin: true }, true],
    ["the requester withdrawing", { userId: "UREQ", isAdmin: false }, true],
    ["anyone else", { userId: "UOPS", isAdmin: false }, false],
  ])("%s may deny: %s", (_name, who, may) => {
    expect(mayDeny({ requesterId: "UREQ" }, who)).toBe(may);
  });

  it.each([
    [{ platform: "slack", workspaceId: "T1" }, true],
    [{ platform: "slack", workspaceId: "T2" }, false],
    [{ platform: "discord", workspaceId: "T1" }, false],
    [undefined, false],
  ] as const)("request %j is visible to a Slack member of T1: %s", (r, visible) => {
    expect(visibleTo(r, { platform: "slack", workspaceId: "T1" })).toBe(visible);
  });
});
