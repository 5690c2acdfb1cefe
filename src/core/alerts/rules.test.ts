import { describe, expect, it } from "vitest";
import type { AlertSettings } from "../../db/schema.ts";
import type { Domain, Invoice, Service } from "../../providers/types.ts";
import { DEFAULT_ALERT_SETTINGS } from "../accounts.ts";
import { fromUnits, toUnits } from "./decimal.ts";
import { renderDigest } from "./render.ts";
import {
  type AccountFacts,
  type Alert,
  crossedThreshold,
  evaluateAlerts,
  evaluatedFamilies,
  FAMILY,
  heldByQuietHours,
  inQuietHours,
  localDay,
  outageAlert,
  runwayForecast,
} from "./rules.ts";
import { parseSettingsForm } from "./settings.ts";

const DAY = 86_400_000;
const NOW = new Date("2026-03-10T09:00:00Z");
const day = (offset: number, from = NOW) =>
  new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()) + offset * DAY);
const iso = (d: Date) => d.toISOString().slice(0, 10);

function service(over: Partial<Service> = {}): Service {
  return {
    id: "302",
    label: "vps1.example.com",
    product: "Linux 4",
    status: "active",
    expiresAt: day(30),
    autorenew: null,
    raw: {},
    ...over,
  };
}

function facts(over: Partial<AccountFacts> = {}): AccountFacts {
  return {
    account: { id: "acc-1", label: "prod", kind: "time4vps" },
    services: [],
    domains: [],
    invoices: [],
    canRenewService: true,
    canRenewDomain: true,
    ...over,
  };
}

const settings = (over: Partial<AlertSettings> = {}): AlertSettings => ({
  ...DEFAULT_ALERT_SETTINGS,
  ...over,
});
const run = (f: AccountFacts, now = NOW, s: Partial<AlertSettings> = {}, timeZone = "UTC") =>
  evaluateAlerts(f, { now, timeZone, settings: settings(s) });
const keys = (alerts: Alert[]) => alerts.map((a) => a.key);

describe("expiry thresholds", () => {
  it("crosses each threshold exactly once as the date approaches, then once more when expired", () => {
    const expiresAt = day(20);
    const seen: string[] = [];
    const changedAt: number[] = [];
    for (let left = 20; left >= -3; left--) {
      const now = new Date(expiresAt.getTime() - left * DAY + 9 * 3_600_000);
      const alerts = run(facts({ services: [service({ expiresAt })] }), now);
      const key = alerts[0]?.key;
      if (key && !seen.includes(key)) {
        seen.push(key);
        changedAt.push(left);
      }
    }
    const date = iso(expiresAt);
    expect(seen).toEqual([
      `expiry:service:302:${date}:d14`,
      `expiry:service:302:${date}:d7`,
      `expiry:service:302:${date}:d3`,
      `expiry:service:302:${date}:d1`,
      `expiry:service:302:${date}:expired`,
    ]);
    expect(changedAt).toEqual([14, 7, 3, 1, -1]);
  });

  it("alerts only the tightest threshold when first seen late (no burst of 14, 7 and 3)", () => {
    const alerts = run(facts({ services: [service({ expiresAt: day(2) })] }));
    expect(keys(alerts)).toEqual([`expiry:service:302:${iso(day(2))}:d3`]);
    expect(alerts[0]!.title).toContain("expires in 2 days");
  });

  it("nothing before the largest threshold", () => {
    expect(run(facts({ services: [service({ expiresAt: day(15) })] }))).toEqual([]);
    expect(keys(run(facts({ services: [service({ expiresAt: day(14) })] })))).toHaveLength(1);
  });

  it("today and tomorrow are critical; further out is a warning", () => {
    const sev = (n: number) => run(facts({ services: [service({ expiresAt: day(n) })] }))[0]!.severity;
    expect(sev(0)).toBe("critical");
    expect(sev(1)).toBe("critical");
    expect(sev(2)).toBe("warning");
    expect(run(facts({ services: [service({ expiresAt: day(0) })] }))[0]!.title).toContain("expires today");
  });

  it("an expired item is critical, alerts once, and is left alone after the look-back", () => {
    const a = run(facts({ services: [service({ expiresAt: day(-12), status: "suspended" })] }));
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ kind: "expired", severity: "critical" });
    expect(a[0]!.key).toBe(`expiry:service:302:${iso(day(-12))}:expired`);
    expect(a[0]!.title).toContain("expired 12 days ago");
    expect(run(facts({ services: [service({ expiresAt: day(-31) })] }))).toEqual([]);
  });

  it("a renewal (new date) gives a different key, so the next crossing alerts again", () => {
    const before = keys(run(facts({ services: [service({ expiresAt: day(3) })] })));
    const renewed = run(facts({ services: [service({ expiresAt: day(33) })] }));
    expect(renewed).toEqual([]);
    // Thirty days later the renewed date crosses 3 days again: a new key.
    const later = keys(
      run(facts({ services: [service({ expiresAt: day(33) })] }), new Date(NOW.getTime() + 30 * DAY)),
    );
    expect(later).toEqual([`expiry:service:302:${iso(day(33))}:d3`]);
    expect(later[0]).not.toBe(before[0]);
  });

  it("domains alert like services; cancelled services and transferred domains do not", () => {
    const d: Domain = {
      id: "48",
      name: "example-shop.com",
      expiresAt: day(6),
      status: "active",
      autorenew: false,
      raw: {},
    };
    const a = run(
      facts({
        services: [service({ status: "cancelled", expiresAt: day(1) })],
        domains: [d, { ...d, id: "49", name: "gone.net", status: "transferred away" }],
      }),
    );
    expect(keys(a)).toEqual([`expiry:domain:48:${iso(day(6))}:d7`]);
    expect(a[0]!.renew).toEqual({
      action: "domain-renew",
      params: { domainId: "48", domainName: "example-shop.com" },
    });
  });

  it("offers Renew only when the driver can renew, and says where to renew otherwise", () => {
    const can = run(
      facts({
        services: [service({ expiresAt: day(3), renewalPrice: { amount: "4.99", currency: "EUR" } })],
      }),
    );
    expect(can[0]!.renew).toEqual({
      action: "renew",
      params: { serviceId: "302", serviceName: "vps1.example.com" },
      cost: "4.99 EUR",
    });
    const cannot = run(facts({ canRenewService: false, services: [service({ expiresAt: day(3) })] }));
    expect(cannot[0]!.renew).toBeUndefined();
    expect(cannot[0]!.advice).toContain("Renew it in the Time4VPS client area");
    expect(cannot[0]!.advice).not.toMatch(/https?:/);
  });

  it("uses the configured thresholds, and none means no expiry alerts", () => {
    expect(
      keys(run(facts({ services: [service({ expiresAt: day(25) })] }), NOW, { expiryDays: [30, 10] })),
    ).toEqual([`expiry:service:302:${iso(day(25))}:d30`]);
    expect(run(facts({ services: [service({ expiresAt: day(1) })] }), NOW, { expiryDays: [] })).toEqual([]);
  });

  it("counts days from today in HOSTOPS_TZ", () => {
    // 23:30 UTC on the 10th is already the 11th in Tokyo: a service due on the 12th is due tomorrow there.
    const late = new Date("2026-03-10T23:30:00Z");
    const due = new Date("2026-03-12T00:00:00Z");
    expect(run(facts({ services: [service({ expiresAt: due })] }), late, {}, "UTC")[0]!.title).toContain(
      "in 2 days",
    );
    expect(
      run(facts({ services: [service({ expiresAt: due })] }), late, {}, "Asia/Tokyo")[0]!.title,
    ).toContain("tomorrow");
    expect(localDay(late, "Asia/Tokyo").iso).toBe("2026-03-11");
  });

  it("crossedThreshold picks the tightest crossed threshold", () => {
    expect(crossedThreshold(15, [14, 7, 3, 1])).toBeUndefined();
    expect(crossedThreshold(14, [14, 7, 3, 1])).toBe(14);
    expect(crossedThreshold(4, [14, 7, 3, 1])).toBe(7);
    expect(crossedThreshold(0, [14, 7, 3, 1])).toBe(1);
    expect(crossedThreshold(0, [14, 7, 3, 1, 0])).toBe(0);
  });
});

describe("balance, runway and autorenew", () => {
  const eur = (amount: string) => ({ amount, currency: "EUR" });

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
      localDay(NOW, "UTC"),
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
      localDay(NOW, "UTC"),
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
      localDay(NOW, "UTC"),
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

describe("invoices", () => {
  const inv = (over: Partial<Invoice>): Invoice => ({
    id: "308977",
    issuedAt: day(-2),
    dueAt: day(5),
    total: { amount: "4.99", currency: "EUR" },
    status: "unpaid",
    raw: {},
    ...over,
  });

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

describe("settings form", () => {
  const ok = { expiry_days: "14, 7, 3, 1", min_balance: "", unpaid: "on", quiet_hours: "", critical: "on" };

  it("parses every field", () => {
    const r = parseSettingsForm(
      {
        expiry_days: "30 7,1 7",
        min_balance: "12.5 EUR",
        unpaid: "off",
        quiet_hours: "22:00-7:30",
        critical: "off",
      },
      DEFAULT_ALERT_SETTINGS,
    );
    expect(r).toEqual({
      ok: true,
      settings: {
        ...DEFAULT_ALERT_SETTINGS,
        expiryDays: [30, 7, 1],
        minBalance: "12.50",
        unpaidInvoices: false,
        quietStart: "22:00",
        quietEnd: "07:30",
        criticalOverridesQuiet: false,
      },
    });
    expect(parseSettingsForm(ok, DEFAULT_ALERT_SETTINGS)).toMatchObject({
      ok: true,
      settings: { minBalance: null, quietStart: null },
    });
  });

  it.each([
    ["expiry_days", "14, soon", /whole numbers from 0 to 365/],
    ["expiry_days", "400", /whole numbers from 0 to 365/],
    ["min_balance", "-5", /an amount such as 10 or 12.50/],
    ["min_balance", "ten", /an amount such as 10 or 12.50/],
    ["quiet_hours", "22:00", /HH:MM-HH:MM/],
    ["quiet_hours", "25:00-07:00", /HH:MM-HH:MM/],
    ["quiet_hours", "07:00-07:00", /must differ/],
    ["unpaid", "maybe", /on or off/],
    ["critical", "", /on or off/],
  ])("%s = %j is refused with a clear message", (field, value, message) => {
    const r = parseSettingsForm({ ...ok, [field]: value }, DEFAULT_ALERT_SETTINGS);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(Object.keys(r.errors)).toEqual([field]);
      expect(r.errors[field]).toMatch(message);
    }
  });
});

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
});
