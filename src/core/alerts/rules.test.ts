import { describe, expect, it } from "vitest";
import { DAY, day, facts, invoice as inv, keys, NOW, run, settings } from "./__fixtures__/facts.ts";
import { heldByQuietHours, inQuietHours } from "./hours.ts";
import { FAMILY } from "./model.ts";
import { evaluatedFamilies, outageAlert } from "./rules.ts";

/** Invoice and outage rules, the families a scan may reset, and quiet hours. */

describe("invoices", () => {
  it("unpaid alerts once; overdue alerts again under its own key", () => {
    expect(keys(run(facts({ invoices: [inv({})] })))).toEqual(["invoice:308977:unpaid"]);
    expect(keys(run(facts({ invoices: [inv({ status: "overdue", dueAt: day(-13) })] })))).toEqual([
      "invoice:308977:overdue",
    ]);
    // Past its due date by our clock even if the driver still says unpaid.
    const o = run(facts({ invoices: [inv({ dueAt: day(-1) })] }));
    expect(keys(o)).toEqual(["invoice:308977:overdue"]);
    expect(o[0]!.detail).toContain("yesterday");
  });

  it("paid and cancelled invoices, and the setting off, give nothing", () => {
    expect(
      run(facts({ invoices: [inv({ status: "paid" }), inv({ id: "2", status: "cancelled" })] })),
    ).toEqual([]);
    expect(run(facts({ invoices: [inv({})] }), NOW, { unpaidInvoices: false })).toEqual([]);
  });
});

describe("families, outage and quiet hours", () => {
  it("only families whose inputs were fetched can be reset", () => {
    expect(evaluatedFamilies(facts({ domains: undefined, invoices: undefined }))).toEqual([
      FAMILY.outage,
      FAMILY.serviceExpiry,
    ]);
    expect(evaluatedFamilies(facts({ balance: { amount: "1", currency: "EUR" } }))).toEqual(
      expect.arrayContaining([
        FAMILY.balance,
        FAMILY.runway,
        FAMILY.autorenew,
        FAMILY.invoice,
        FAMILY.domainExpiry,
      ]),
    );
  });

  it("the outage key holds no time: one notice per outage", () => {
    const a = outageAlert(
      { id: "acc-1", label: "prod", kind: "hostens" },
      "Hostens had an internal error",
      NOW,
      "UTC",
    );
    const b = outageAlert(
      { id: "acc-1", label: "prod", kind: "hostens" },
      "timeout",
      new Date(NOW.getTime() + DAY),
      "UTC",
    );
    expect(a.key).toBe("outage:acc-1");
    expect(b.key).toBe(a.key);
    expect(a.title).toBe("Could not check account prod since 2026-03-10 09:00 UTC");
  });

  it.each([
    ["22:00", "07:00", "2026-03-10T23:30:00Z", true],
    ["22:00", "07:00", "2026-03-10T06:59:00Z", true],
    ["22:00", "07:00", "2026-03-10T07:00:00Z", false],
    ["22:00", "07:00", "2026-03-10T21:59:00Z", false],
    ["12:00", "14:00", "2026-03-10T13:00:00Z", true],
    ["12:00", "14:00", "2026-03-10T14:00:00Z", false],
  ])("quiet %s-%s at %s: %s", (quietStart, quietEnd, at, expected) => {
    expect(inQuietHours(new Date(at), "UTC", settings({ quietStart, quietEnd }))).toBe(expected);
  });

  it("quiet hours are in HOSTOPS_TZ", () => {
    // 05:30 UTC is 07:30 in Vilnius (UTC+2 in March): outside 22:00-07:00 there.
    const s = settings({ quietStart: "22:00", quietEnd: "07:00" });
    expect(inQuietHours(new Date("2026-03-10T05:30:00Z"), "UTC", s)).toBe(true);
    expect(inQuietHours(new Date("2026-03-10T05:30:00Z"), "Europe/Vilnius", s)).toBe(false);
  });

  it("critical alerts break through quiet hours only when allowed", () => {
    const night = new Date("2026-03-10T23:30:00Z");
    const s = settings({ quietStart: "22:00", quietEnd: "07:00" });
    expect(heldByQuietHours("warning", night, "UTC", s)).toBe(true);
    expect(heldByQuietHours("critical", night, "UTC", s)).toBe(false);
    expect(heldByQuietHours("critical", night, "UTC", { ...s, criticalOverridesQuiet: false })).toBe(true);
  });
});
