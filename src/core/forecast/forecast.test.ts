import { createHash } from "node:crypto";
import * as echarts from "echarts";
import { describe, expect, it } from "vitest";
import type { Domain, Invoice, Service } from "../../providers/types.ts";
import {
  CHART_WIDTH,
  chartHeight,
  forecastOption,
  RISK_COLORS,
  rasterize,
  renderForecastPng,
} from "./chart.ts";
import { buildForecast, type ForecastAccount, forecastSummary } from "./plan.ts";

const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
const NOW = new Date("2026-12-01T10:00:00Z");

function svc(
  id: string,
  label: string,
  expires: string,
  price: string,
  months = 1,
  currency = "EUR",
): Service {
  return {
    id,
    label,
    product: "VPS",
    status: "active",
    expiresAt: d(expires),
    autorenew: true,
    renewalPrice: { amount: price, currency },
    billingCycleMonths: months,
    raw: {},
  };
}
const domain = (name: string, expires: string): Domain => ({
  id: name,
  name,
  expiresAt: d(expires),
  status: "active",
  autorenew: false,
  raw: {},
});
const invoice = (id: string, due: string, status: Invoice["status"]): Invoice => ({
  id,
  issuedAt: d("2026-11-20"),
  dueAt: d(due),
  total: { amount: "14.99", currency: "EUR" },
  status,
  raw: {},
});

const PROD: ForecastAccount = {
  label: "prod",
  providerName: "Hostens",
  balance: { amount: "62.00", currency: "EUR" },
  minBalance: "30",
  services: [svc("1", "web-1", "2026-12-04", "14.99"), svc("2", "db-1", "2026-12-20", "24.00")],
  domains: [domain("example-shop.com", "2026-12-12")],
  invoices: [invoice("308977", "2026-11-27", "unpaid"), invoice("308990", "2026-12-20", "unpaid")],
};

describe("forecast plan", () => {
  it("steps the balance down at each renewal, repeating monthly ones, and finds the day it runs out", () => {
    const f = buildForecast([PROD], { now: NOW, timeZone: "UTC" });
    expect(f.today).toBe("2026-12-01");
    expect(f.until).toBe("2027-03-01");
    const r = f.runway[0];
    expect(r?.steps.map((s) => s.day)).toEqual([
      "2026-12-01",
      "2026-12-04",
      "2026-12-20",
      "2027-01-04",
      "2027-01-20",
      "2027-02-04",
      "2027-02-20",
    ]);
    // 62.00 - 14.99 - 24.00 - 14.99 = 8.02, then -24.00: out on 2027-01-20.
    expect(r?.steps[3]?.units).toBe(8_020_000n);
    expect(r?.runsOutOn).toBe("2027-01-20");
    expect(r?.minUnits).toBe(30_000_000n);
  });

  it("names the renewals of the day the balance runs out, also when that day is today", () => {
    const f = buildForecast(
      [
        {
          ...PROD,
          balance: { amount: "10.00", currency: "EUR" },
          services: [svc("1", "web-1", "2026-12-01", "14.99")],
        },
      ],
      { now: NOW, timeZone: "UTC" },
    );
    expect(f.runway[0]?.runsOutOn).toBe("2026-12-01");
    expect(forecastSummary(f)[0]).toContain("runs out on 2026-12-01 (renewing web-1 14.99)");
  });

  it("colours the calendar by risk and places overdue invoices today", () => {
    const f = buildForecast([PROD, { label: "lab", providerName: "HOSTKEY", services: [] }], {
      now: NOW,
      timeZone: "UTC",
    });
    expect(f.calendar.map((m) => [m.day, m.label, m.risk])).toEqual([
      ["2026-12-01", "invoice 308977 14.99 EUR", "overdue"],
      ["2026-12-04", "web-1", "critical"],
      ["2026-12-12", "example-shop.com", "soon"],
      ["2026-12-20", "db-1", "later"],
      ["2026-12-20", "invoice 308990 14.99 EUR", "unpaid"],
    ]);
  });

  it("counts days from today in HOSTOPS_TZ (the same calendar as commands and alerts)", () => {
    // 2026-12-01 02:00 UTC is still 30 November in Los Angeles: web-1 is 4 days away, not 3.
    const at = new Date("2026-12-01T02:00:00Z");
    const la = buildForecast([PROD], { now: at, timeZone: "America/Los_Angeles" });
    expect(la.today).toBe("2026-11-30");
    expect(la.calendar.find((m) => m.label === "web-1")?.risk).toBe("soon");
    expect(
      buildForecast([PROD], { now: at, timeZone: "UTC" }).calendar.find((m) => m.label === "web-1")?.risk,
    ).toBe("critical");
  });

  it("skips services in another currency or without a price, and says so", () => {
    const f = buildForecast(
      [
        {
          ...PROD,
          services: [
            svc("1", "web-1", "2026-12-04", "14.99", 1, "USD"),
            { ...svc("2", "x", "2026-12-05", "1"), renewalPrice: undefined },
          ],
        },
        { label: "nobal", providerName: "TheHost", services: [svc("3", "y", "2026-12-06", "1")] },
      ],
      { now: NOW, timeZone: "UTC" },
    );
    expect(f.runway[0]?.skipped).toBe(2);
    expect(f.runway[0]?.runsOutOn).toBeNull();
    expect(f.noBalance).toEqual(["nobal"]);
    expect(forecastSummary(f).join("\n")).toContain("2 services without a price in EUR not counted");
  });

  it("summarizes in plain sentences", () => {
    const lines = forecastSummary(buildForecast([PROD], { now: NOW, timeZone: "UTC" }));
    expect(lines[0]).toBe(
      "prod (EUR): 62.00 today; runs out on 2027-01-20 (renewing db-1 24.00); below the minimum 30.00 from 2026-12-20.",
    );
    expect(lines[1]).toBe(
      "3 renewals due by 2027-03-01; 1 within 3 days; 1 within 14 days; 1 invoice unpaid, 1 overdue.",
    );
  });
});

describe("forecast chart", () => {
  const f = buildForecast([PROD], { now: NOW, timeZone: "UTC" });

  it("is a PNG of the announced size", () => {
    const { png, width, height } = renderForecastPng(f);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width and height, big-endian, at bytes 16-23.
    expect(png.readUInt32BE(16)).toBe(CHART_WIDTH);
    expect(png.readUInt32BE(20)).toBe(chartHeight(f));
    expect([width, height]).toEqual([CHART_WIDTH, chartHeight(f)]);
  });

  it("gives the same pixels for the same data, whatever the process's zone", () => {
    const hash = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    const first = hash(renderForecastPng(f).png);
    const tz = process.env.TZ;
    process.env.TZ = "Pacific/Kiritimati";
    try {
      expect(hash(renderForecastPng(f).png)).toBe(first);
    } finally {
      process.env.TZ = tz;
    }
  });

  it("draws each calendar mark in its risk colour where the axes put it", () => {
    const option = forecastOption(f);
    const { width, height } = { width: CHART_WIDTH, height: chartHeight(f) };
    const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
    chart.setOption(option);
    const svg = chart.renderToSVGString();
    const at = (day: string, account: string) =>
      chart.convertToPixel({ xAxisIndex: 1, yAxisIndex: 1 }, [
        Date.parse(`${day}T00:00:00Z`),
        account,
      ]) as number[];
    const marks = [
      { day: "2026-12-04", color: RISK_COLORS.critical },
      { day: "2026-12-12", color: RISK_COLORS.soon },
    ].map((m) => ({ ...m, xy: at(m.day, "prod") }));
    chart.dispose();
    const { rgba } = rasterize(svg);
    for (const m of marks) {
      const [x, y] = m.xy.map(Math.round) as [number, number];
      const i = (y * width + x) * 4;
      const rgb = `#${[rgba[i], rgba[i + 1], rgba[i + 2]].map((v) => (v ?? 0).toString(16).padStart(2, "0")).join("")}`;
      expect(rgb, `mark on ${m.day}`).toBe(m.color);
    }
  });

  it("renders an empty forecast (no account answered) without failing", () => {
    const empty = buildForecast([], { now: NOW, timeZone: "UTC" });
    expect(renderForecastPng(empty).png.length).toBeGreaterThan(1000);
    expect(forecastSummary(empty)).toEqual(["0 renewals due by 2027-03-01."]);
  });
});
