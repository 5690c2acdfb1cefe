import { describe, expect, it } from "vitest";
import { dayIn } from "../calendar.ts";
import { day, eur, facts, iso, NOW, run, service } from "./__fixtures__/facts.ts";
import { fromUnits, toUnits } from "./decimal.ts";
import { runwayForecast } from "./runway.ts";

/** Balance rules: the runway forecast (exact money), low balance, a short runway, uncovered autorenewals. */

describe("balance, runway and autorenew", () => {
  it("runway: monthly spend from renewalPrice / billingCycleMonths, exact decimals", () => {
    const f = runwayForecast(
      eur("25.50"),
      [
        service({ id: "1", renewalPrice: eur("4.99"), billingCycleMonths: 1, expiresAt: day(40) }),
        service({ id: "2", renewalPrice: eur("47.88"), billingCycleMonths: 12, expiresAt: day(200) }),
        service({ id: "3", renewalPrice: eur("120.00"), billingCycleMonths: 3, expiresAt: day(50) }),
        // Not counted: another currency, cancelled, autorenew off.
        service({ id: "4", renewalPrice: { amount: "9.00", currency: "USD" }, billingCycleMonths: 1 }),
        service({ id: "5", status: "cancelled", renewalPrice: eur("100"), billingCycleMonths: 1 }),
        service({ id: "6", autorenew: false, renewalPrice: eur("100"), billingCycleMonths: 1 }),
      ],
      dayIn(NOW, "UTC"),
    )!;
    // 4.99 + 3.99 + 40.00 = 48.98 a month; 25.50 * 365 / (48.98 * 12) = 15.83 -> 15 days.
    expect(f.monthlySpend).toBe("48.98");
    expect(f.servicesCounted).toBe(3);
    expect(f.servicesSkipped).toBe(1);
    expect(f.daysLeft).toBe(15);
    expect(f.lastsUntil).toBe(iso(day(15)));
  });

  it("runway: tenths do not drift like floats would", () => {
    const f = runwayForecast(
      eur("0.30"),
      [
        service({ id: "a", renewalPrice: eur("0.10"), billingCycleMonths: 1, expiresAt: null }),
        service({ id: "b", renewalPrice: eur("0.20"), billingCycleMonths: 1, expiresAt: null }),
      ],
      dayIn(NOW, "UTC"),
    )!;
    expect(f.monthlySpend).toBe("0.30");
    expect(f.daysLeft).toBe(30); // 0.30 * 365 / 3.60 = 30.42
    expect(fromUnits(toUnits("0.1") + toUnits("0.2"))).toBe("0.30");
  });

  it("lists the upcoming renewals the balance will not cover, paying them in date order", () => {
    const f = runwayForecast(
      eur("5.00"),
      [
        service({
          id: "late",
          label: "late",
          renewalPrice: eur("4.99"),
          billingCycleMonths: 1,
          expiresAt: day(5),
        }),
        service({
          id: "soon",
          label: "soon",
          renewalPrice: eur("4.99"),
          billingCycleMonths: 1,
          expiresAt: day(2),
        }),
        service({
          id: "far",
          label: "far",
          renewalPrice: eur("1.00"),
          billingCycleMonths: 1,
          expiresAt: day(60),
        }),
      ],
      dayIn(NOW, "UTC"),
    )!;
    expect(f.covered.map((c) => c.serviceId)).toEqual(["soon"]);
    expect(f.uncovered).toEqual([
      expect.objectContaining({ serviceId: "late", shortfall: "4.98 EUR", price: "4.99 EUR" }),
    ]);
  });

  it("low balance below the minimum, with the runway; at the minimum is not below", () => {
    const s = [service({ renewalPrice: eur("4.99"), billingCycleMonths: 1, expiresAt: day(40) })];
    const low = run(facts({ balance: eur("9.99"), services: s }), NOW, { minBalance: "10.00" });
    const a = low.find((x) => x.kind === "low-balance")!;
    expect(a.key).toBe("balance:low:10.00");
    // The currency and the runway are in the title: previews and `alerts` show only titles.
    expect(a.title).toBe("Balance of prod is 9.99 EUR, below the minimum of 10.00 EUR (lasts about 60 days)");
    expect(a.detail).toContain("At about 4.99 EUR a month");
    expect(a.detail).toContain("lasts about 60 days");
    expect(
      run(facts({ balance: eur("10.00"), services: s }), NOW, { minBalance: "10.00" }).some(
        (x) => x.kind === "low-balance",
      ),
    ).toBe(false);
    expect(
      run(facts({ balance: eur("0.00"), services: s }), NOW, { minBalance: null }).some(
        (x) => x.kind === "low-balance",
      ),
    ).toBe(false);
  });

  it("a short runway alerts by the expiry thresholds and names what it will not cover", () => {
    const s = [
      service({ id: "a", label: "a", renewalPrice: eur("30.00"), billingCycleMonths: 1, expiresAt: day(4) }),
      service({ id: "b", label: "b", renewalPrice: eur("30.00"), billingCycleMonths: 1, expiresAt: day(20) }),
    ];
    const a = run(facts({ balance: eur("12.00"), services: s })).find((x) => x.kind === "runway")!;
    // 12 * 365 / (60 * 12) = 6.08 -> 6 days -> threshold 7.
    expect(a.key).toBe("runway:EUR:d7");
    expect(a.detail).toContain("will not cover: a on");
    expect(run(facts({ balance: eur("500.00"), services: s })).some((x) => x.kind === "runway")).toBe(false);
  });

  it("autorenew on and the balance does not cover the next renewal", () => {
    const s = (autorenew: boolean | null) => [
      service({ autorenew, renewalPrice: eur("10.00"), billingCycleMonths: 12, expiresAt: day(3) }),
    ];
    const a = run(facts({ balance: eur("5.00"), services: s(true) })).find(
      (x) => x.kind === "autorenew-uncovered",
    )!;
    expect(a.key).toBe(`autorenew:service:302:${iso(day(3))}`);
    expect(a.advice).toContain("Top up at least 5.00 EUR");
    expect(
      run(facts({ balance: eur("5.00"), services: s(null) })).some((x) => x.kind === "autorenew-uncovered"),
    ).toBe(false);
    expect(
      run(facts({ balance: eur("10.00"), services: s(true) })).some((x) => x.kind === "autorenew-uncovered"),
    ).toBe(false);
    // The expiry alert says whether the balance covers the renewal.
    const expiry = run(facts({ balance: eur("5.00"), services: s(true) })).find((x) => x.kind === "expiry")!;
    expect(expiry.detail).toContain("does not cover the renewal (10.00 EUR); 5.00 EUR more is needed");
  });
});
