import { describe, expect, it } from "vitest";
import { day, facts, run, service } from "./__fixtures__/facts.ts";
import { recoveryLine, renderDigest } from "./render.ts";

/** The digest: one message per binding, buttons per alert, a long digest kept within Slack's limits. */

describe("digest", () => {
  it("one message: every alert with what to do, Renew where possible, snooze buttons", () => {
    const alerts = run(
      facts({
        services: [service({ expiresAt: day(1) })],
        invoices: [
          {
            id: "9",
            issuedAt: null,
            dueAt: day(3),
            total: { amount: "1.00", currency: "EUR" },
            status: "unpaid",
            raw: {},
          },
        ],
      }),
    );
    const reply = renderDigest({
      account: { label: "prod", kind: "time4vps" },
      bindingId: "b-1",
      items: alerts.map((alert, i) => ({ alert, deliveryId: `d-${i}` })),
      recoveries: [],
    });
    expect(reply.severity).toBe("critical");
    expect(reply.text).toContain("2 alerts for prod (Time4VPS)");
    expect(reply.text).toContain("What to do:");
    expect(reply.text).not.toMatch(/https?:\/\//);
    const buttons = reply.blocks.flatMap((b) => (b.kind === "actions" ? b.buttons : []));
    expect(buttons.filter((b) => b.id === "alerts:renew")).toEqual([
      expect.objectContaining({ label: "Renew vps1.example.com", value: "d-0" }),
    ]);
    expect(buttons.filter((b) => b.id === "alerts:snooze").map((b) => b.value)).toEqual([
      "d-0|1",
      "d-0|7",
      "d-1|1",
      "d-1|7",
    ]);
    expect(buttons.filter((b) => b.id === "alerts:snooze-all").map((b) => b.value)).toEqual([
      "b-1|1",
      "b-1|7",
    ]);
  });

  it("a large digest stays one message: the first alerts in full, the rest listed by title", () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      service({ id: String(i), label: `vps-${i}`, expiresAt: day(i % 10) }),
    );
    const alerts = run(facts({ services: many }));
    expect(alerts).toHaveLength(60);
    const reply = renderDigest({
      account: { label: "big", kind: "time4vps" },
      bindingId: "b-1",
      items: alerts.map((alert, i) => ({
        alert,
        deliveryId: `d-${i}`,
        note: "Found during the quiet hours.",
      })),
      recoveries: ["Account big answers again."],
    });
    // Within Slack's 50 blocks even with a note under every detailed alert.
    expect(reply.blocks.length).toBeLessThanOrEqual(45);
    expect(reply.blocks.filter((b) => b.kind === "actions")).toHaveLength(13);
    expect(reply.text).toContain("60 alerts for big");
    expect(reply.text).toContain("…and 23 more.");
  });

  it("speaks rich text: a severity icon, the title strong, commands as spans; names stay words", () => {
    const [alert] = run(facts({ services: [service({ label: "*web* <!channel>", expiresAt: day(0) })] }));
    if (!alert) throw new Error("no alert");
    const reply = renderDigest({
      account: { label: "prod", kind: "time4vps" },
      bindingId: "b-1",
      items: [{ alert, deliveryId: "d-0" }],
      recoveries: [
        recoveryLine({ label: "prod", kind: "time4vps" }, new Date("2026-03-09T08:00:00Z"), "UTC"),
      ],
    });
    const spans = reply.blocks.flatMap((b) =>
      b.kind === "text" || b.kind === "context" ? (typeof b.text === "string" ? [b.text] : b.text) : [],
    );
    expect(spans).toContainEqual({ kind: "icon", name: "alert-critical" });
    expect(spans).toContainEqual({ kind: "strong", text: alert.title });
    expect(spans).toContainEqual({ kind: "icon", name: "success" });
    expect(spans).toContainEqual({ kind: "command", path: ["alerts", "show"], args: [] });
    // The plain reading (fallback text, the terminal): the picture and the words as they are.
    expect(reply.text).toContain("🔴 Service *web* <!channel> (Linux 4) expires today");
    expect(reply.text).toContain(
      "✅ Account prod (Time4VPS) answers again; it could not be checked since 2026-03-09 08:00 UTC.",
    );
    expect(reply.text).toContain("/hosting alerts show shows the open alerts");
  });
});
