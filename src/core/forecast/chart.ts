import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts";
import { fromUnits } from "../alerts/decimal.ts";
import type { CalendarMark, Forecast, Risk } from "./plan.ts";

/**
 * The forecast as a PNG: Apache ECharts renders the two panels to SVG on the server (no DOM, no
 * canvas), resvg rasterizes it with the fonts shipped in assets/fonts (system fonts are never
 * loaded), and every date is placed in UTC, so the same data gives the same pixels on every
 * machine whatever its zone or installed fonts.
 */

export const RISK_COLORS: Record<Risk, string> = {
  expired: "#991b1b",
  critical: "#ef4444",
  soon: "#f59e0b",
  later: "#16a34a",
  overdue: "#7c3aed",
  unpaid: "#2563eb",
};

const RISK_NAMES: Record<Risk, string> = {
  expired: "expired",
  critical: "≤ 3 days",
  soon: "≤ 14 days",
  later: "later",
  overdue: "invoice overdue",
  unpaid: "invoice unpaid",
};

const LINE_COLORS = ["#2563eb", "#db2777", "#0d9488", "#9333ea", "#ea580c", "#4b5563", "#65a30d", "#0891b2"];

export const CHART_WIDTH = 1200;
const RUNWAY_HEIGHT = 360;
const ROW_HEIGHT = 44;

/** The fonts directory, found upward from this module (the same from src/ and from a build in dist/). */
function fontsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "assets", "fonts");
    if (existsSync(join(candidate, "Inter-Regular.ttf"))) return candidate;
    dir = dirname(dir);
  }
  throw new Error("assets/fonts/Inter-Regular.ttf not found next to the hostops installation");
}

let fontFiles: string[] | undefined;
function fonts(): string[] {
  if (!fontFiles) {
    const dir = fontsDir();
    fontFiles = [join(dir, "Inter-Regular.ttf"), join(dir, "Inter-SemiBold.ttf")];
  }
  return fontFiles;
}

const dayMs = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const amount = (units: bigint) => Number(fromUnits(units));

/** The chart's height for a forecast: the runway panel plus one row per account in the calendar. */
export function chartHeight(f: Forecast): number {
  const rows = Math.max(1, new Set(f.calendar.map((m) => m.account)).size);
  return 110 + RUNWAY_HEIGHT + 90 + rows * ROW_HEIGHT + 60;
}

/** The ECharts option for both panels (exported for tests that check what is drawn). */
export function forecastOption(f: Forecast): echarts.EChartsOption {
  const min = dayMs(f.today);
  const max = dayMs(f.until);
  const accounts = [...new Set(f.calendar.map((m) => m.account))].sort();
  const calendarTop = 110 + RUNWAY_HEIGHT + 90;
  const runwaySeries: echarts.SeriesOption[] = f.runway.map((r, i) => {
    const color = LINE_COLORS[i % LINE_COLORS.length];
    const last = r.steps[r.steps.length - 1];
    const data: [number, number][] = r.steps.map((s) => [dayMs(s.day), amount(s.units)]);
    // Carry the last balance to the end of the horizon, so that the line spans the whole panel.
    if (last && last.day !== f.until) data.push([max, amount(last.units)]);
    const out = r.runsOutOn ? r.steps.find((s) => s.day === r.runsOutOn) : undefined;
    return {
      type: "line",
      name: `${r.account} (${r.currency})`,
      step: "end",
      xAxisIndex: 0,
      yAxisIndex: 0,
      data,
      color,
      // Dozens of renewal steps: the steps themselves show the dates; dots would only cost time.
      showSymbol: r.steps.length <= 30,
      symbolSize: 6,
      lineStyle: { width: 2.5 },
      markLine:
        r.minUnits === null
          ? undefined
          : {
              symbol: "none",
              lineStyle: { type: "dashed", color, width: 1.5 },
              label: { formatter: `min ${fromUnits(r.minUnits)} ${r.currency}`, position: "insideEndTop" },
              data: [{ yAxis: amount(r.minUnits) }],
            },
      markPoint: out
        ? {
            symbol: "pin",
            symbolSize: 46,
            itemStyle: { color: "#b91c1c" },
            label: { formatter: "!", color: "#fff", fontWeight: "bold" },
            data: [{ coord: [dayMs(out.day), amount(out.units)], name: "runs out" }],
          }
        : undefined,
    } satisfies echarts.LineSeriesOption;
  });
  const runOutLabels: echarts.SeriesOption[] = f.runway
    .filter((r) => r.runsOutOn)
    .map((r) => {
      const out = r.steps.find((s) => s.day === r.runsOutOn);
      return {
        type: "scatter",
        name: `${r.account} runs out`,
        xAxisIndex: 0,
        yAxisIndex: 0,
        symbolSize: 0,
        silent: true,
        data: out ? [[dayMs(out.day), amount(out.units)]] : [],
        label: {
          show: true,
          position: "bottom",
          distance: 14,
          // Near the right edge the label grows leftwards, so that it is never cut off.
          align: out && dayMs(out.day) > min + (max - min) * 0.7 ? "right" : "center",
          color: "#b91c1c",
          fontWeight: "bold",
          formatter: `${r.account} runs out ${r.runsOutOn}`,
        },
      } satisfies echarts.ScatterSeriesOption;
    });
  const risks = Object.keys(RISK_COLORS) as Risk[];
  // Every mark is labelled on a light calendar; on a crowded one, the "later" marks (green, the
  // least urgent) go unlabelled, so that the names that matter are the ones that fit.
  const labelLater = f.calendar.length <= 60;
  const calendarSeries: echarts.SeriesOption[] = risks.map((risk) => ({
    type: "scatter",
    name: RISK_NAMES[risk],
    xAxisIndex: 1,
    yAxisIndex: 1,
    color: RISK_COLORS[risk],
    itemStyle: { opacity: 1 },
    symbol: risk === "overdue" || risk === "unpaid" ? "diamond" : "circle",
    symbolSize: 13,
    data: f.calendar
      .filter((m) => m.risk === risk)
      .map((m: CalendarMark) => ({ value: [dayMs(m.day), m.account], name: m.label })),
    label: {
      show: risk !== "later" || labelLater,
      position: "top",
      formatter: "{b}",
      fontSize: 11,
      color: "#374151",
    },
    labelLayout: { hideOverlap: true },
  }));
  return {
    animation: false,
    useUTC: true,
    backgroundColor: "#ffffff",
    textStyle: { fontFamily: "Inter" },
    title: [
      { text: "Balance runway", subtext: `${f.today} to ${f.until}`, left: 24, top: 12 },
      { text: "Renewal calendar", left: 24, top: calendarTop - 58 },
    ],
    legend: [
      { top: 16, right: 24, data: f.runway.map((r) => `${r.account} (${r.currency})`) },
      { top: calendarTop - 54, right: 24, data: risks.map((r) => RISK_NAMES[r]) },
    ],
    grid: [
      { top: 110, height: RUNWAY_HEIGHT - 40, left: 90, right: 48 },
      { top: calendarTop, height: Math.max(1, accounts.length) * ROW_HEIGHT, left: 90, right: 48 },
    ],
    xAxis: [
      { type: "time", gridIndex: 0, min, max, splitLine: { show: true, lineStyle: { color: "#eef0f3" } } },
      { type: "time", gridIndex: 1, min, max, splitLine: { show: true, lineStyle: { color: "#eef0f3" } } },
    ],
    yAxis: [
      { type: "value", gridIndex: 0, scale: false, splitLine: { lineStyle: { color: "#eef0f3" } } },
      { type: "category", gridIndex: 1, data: accounts.length ? accounts : ["(nothing due)"], inverse: true },
    ],
    series: [...runwaySeries, ...runOutLabels, ...calendarSeries],
  };
}

/** The forecast as SVG (ECharts' server-side renderer). */
export function renderForecastSvg(f: Forecast): { svg: string; width: number; height: number } {
  const width = CHART_WIDTH;
  const height = chartHeight(f);
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption(forecastOption(f));
    return { svg: chart.renderToSVGString(), width, height };
  } finally {
    chart.dispose();
  }
}

/** SVG to pixels with the shipped fonts only. */
export function rasterize(svg: string): { png: Buffer; rgba: Buffer; width: number; height: number } {
  const image = new Resvg(svg, {
    background: "#ffffff",
    fitTo: { mode: "original" },
    font: { fontFiles: fonts(), loadSystemFonts: false, defaultFontFamily: "Inter" },
  }).render();
  return { png: image.asPng(), rgba: image.pixels, width: image.width, height: image.height };
}

/** The forecast rendered as a PNG image. */
export function renderForecastPng(f: Forecast): { png: Buffer; width: number; height: number } {
  const { png, width, height } = rasterize(renderForecastSvg(f).svg);
  return { png, width, height };
}
