/**
 * 7. Forecast chart: building and rendering `/hosting forecast` for 10 accounts and 200 services
 * (plus 40 domains and 20 unpaid invoices) to a PNG, repeated; the time of one render and the
 * memory growth over the renders (bounded: nothing may be kept between renders).
 *
 * `npx tsx bench/forecast-chart.ts [--renders N]`
 */
import { renderForecastPng } from "../src/core/forecast/chart.ts";
import { buildForecast, type ForecastAccount } from "../src/core/forecast/plan.ts";
import type { Service } from "../src/providers/types.ts";
import { arg } from "./lib/args.ts";
import { benchMain, dist, measure, single } from "./lib/report.ts";
import { summarize } from "./lib/stats.ts";

export const meta = { id: "forecast-chart", title: "7. Forecast chart: 10 accounts, 200 services, as a PNG" };

const NOW = new Date("2026-12-01T10:00:00Z");
const day = (offset: number) => new Date(Date.UTC(2026, 11, 1) + offset * 86_400_000);

function accounts(): ForecastAccount[] {
  return Array.from({ length: 10 }, (_, a) => ({
    label: `acct${a}`,
    providerName: "Hostens",
    balance: { amount: `${100 + a * 37}.00`, currency: a % 3 === 0 ? "USD" : "EUR" },
    minBalance: "40",
    services: Array.from(
      { length: 20 },
      (_, s): Service => ({
        id: `${a}-${s}`,
        label: `vps-${a}-${s}.example.com`,
        product: "VPS",
        status: "active",
        expiresAt: day((((a * 20 + s) * 7) % 120) - 10),
        autorenew: true,
        renewalPrice: { amount: `${5 + (s % 7)}.99`, currency: a % 3 === 0 ? "USD" : "EUR" },
        billingCycleMonths: s % 5 === 0 ? 12 : 1,
        raw: {},
      }),
    ),
    domains: Array.from({ length: 4 }, (_, i) => ({
      id: `${a}-d${i}`,
      name: `site${a}${i}.example`,
      expiresAt: day(((a + i) * 11) % 90),
      status: "active",
      autorenew: false,
      raw: {},
    })),
    invoices: Array.from({ length: 2 }, (_, i) => ({
      id: `${a}${i}`,
      issuedAt: day(-20),
      dueAt: day(i ? 5 : -3),
      total: { amount: "9.99", currency: "EUR" },
      status: "unpaid" as const,
      raw: {},
    })),
  }));
}

export async function run(opts: { renders?: number } = {}) {
  const renders = opts.renders ?? 100;
  return measure(meta, async (r) => {
    r.setup = `In one process: buildForecast over 10 accounts × 20 services (200 in all, monthly and yearly, 3 in USD) plus 40 domains and 20 unpaid invoices, then renderForecastPng (ECharts SSR to SVG, resvg to PNG with the shipped Inter fonts), ${renders} renders after 3 warm-ups. Memory: RSS and heap after a forced GC, before and after the measured renders (one event-loop turn between renders, as between commands).`;
    const data = accounts();
    for (let i = 0; i < 3; i++) renderForecastPng(buildForecast(data, { now: NOW, timeZone: "UTC" }));
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage();
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < renders; i++) {
      const t0 = performance.now();
      const { png } = renderForecastPng(buildForecast(data, { now: NOW, timeZone: "UTC" }));
      times.push(performance.now() - t0);
      bytes = png.length;
      // resvg frees its native pixmaps in finalizers, which run between event-loop turns, as they
      // do between commands in the bot; a tight synchronous loop would only measure held garbage.
      await new Promise((resolve) => setImmediate(resolve));
    }
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = process.memoryUsage();
    const mb = (n: number) => n / 1_048_576;
    const s = summarize(times);
    r.figures.push(
      dist("build + render one forecast PNG", "ms", s, { target: "median ≤ 300 ms", pass: s.median <= 300 }),
      single(`heap growth over ${renders} renders`, "MB", mb(after.heapUsed - before.heapUsed), {
        target: "bounded (< 20 MB)",
        pass: mb(after.heapUsed - before.heapUsed) < 20,
      }),
      single(`RSS growth over ${renders} renders`, "MB", mb(after.rss - before.rss), {
        target: "bounded (< 100 MB)",
        pass: mb(after.rss - before.rss) < 100,
      }),
      single("PNG size", "KB", bytes / 1024),
    );
    if (!gc) r.notes.push("Run without --expose-gc: memory figures include garbage not yet collected.");
  });
}

await benchMain(import.meta.url, () => run({ renders: arg("renders") }));
