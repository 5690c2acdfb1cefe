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
/** Height of one currency's runway panel, and the room above it for its title. */
const PANEL_HEIGHT = 220;
const PANEL_GAP = 70;
const TOP = 100;
const ROW_HEIGHT = 44;
const LEFT = 150;

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

/** Currencies in the order their panels are drawn (one panel each: amounts in SAT and EUR do not share an axis). */
function currencies(f: Forecast): string[] {
  return [...new Set(f.runway.map((r) => r.currency))];
}

function calendarTop(f: Forecast): number {
  const panels = Math.max(1, currencies(f).length);
  return TOP + panels * (PANEL_HEIGHT + PANEL_GAP) + 40;
}

/** The chart's height: one runway panel per currency, then one calendar row per account. */
export function chartHeight(f: Forecast): number {
  const rows = Math.max(1, new Set(f.calendar.map((m) => m.account)).size);
  return calendarTop(f) + rows * ROW_HEIGHT + 60;
}

/** The ECharts option for every panel (exported for tests that check what is drawn). */
export function forecastOption(f: Forecast): echarts.EChartsOption {
  const min = dayMs(f.today);
  const max = dayMs(f.until);
  const accounts = [...new Set(f.calendar.map((m) => m.account))].sort();
  const money = currencies(f);
  const panels = money.length ? money : [""];
  const calTop = calendarTop(f);
  const calendarAxis = panels.length;
  const grid: echarts.GridComponentOption[] = panels.map((_, i) => ({
    top: TOP + i * (PANEL_HEIGHT + PANEL_GAP),
    height: PANEL_HEIGHT,
    left: LEFT,
    right: 48,
  }));
  grid.push({ top: calTop, height: Math.max(1, accounts.length) * ROW_HEIGHT, left: LEFT, right: 48 });
  const timeAxis = (gridIndex: number): echarts.XAXisComponentOption => ({
    type: "time",
    gridIndex,
    min,
    max,
    splitLine: { show: true, lineStyle: { color: "#eef0f3" } },
  });
  const runwaySeries: echarts.SeriesOption[] = f.runway.flatMap((r, i) => {
    const panel = money.indexOf(r.currency);
    const color = LINE_COLORS[i % LINE_COLORS.length];
    const last = r.steps[r.steps.length - 1];
    const data: [number, number][] = r.steps.map((s) => [dayMs(s.day), amount(s.units)]);
    // Carry the last balance to the end of the horizon, so that the line spans the whole panel.
    if (last && last.day !== f.until) data.push([max, amount(last.units)]);
    const out = r.runsOutOn ? r.steps.findLast((s) => s.day === r.runsOutOn) : undefined;
    // Several accounts can run out on one day: their labels are stacked, not drawn over each other.
    const nthOut = f.runway.filter((x, j) => j < i && x.currency === r.currency && x.runsOutOn).length;
    const line: echarts.LineSeriesOption = {
      type: "line",
      name: `${r.account} (${r.currency})`,
      step: "end",
      xAxisIndex: panel,
      yAxisIndex: panel,
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
            symbolSize: 40,
            itemStyle: { color: "#b91c1c" },
            label: { formatter: "!", color: "#fff", fontWeight: "bold" },
            data: [{ coord: [dayMs(out.day), amount(out.units)], name: "runs out" }],
          }
        : undefined,
    };
    if (!out) return [line];
    const label: echarts.ScatterSeriesOption = {
      type: "scatter",
      name: `${r.account} runs out`,
      xAxisIndex: panel,
      yAxisIndex: panel,
      symbolSize: 0,
      silent: true,
      data: [[dayMs(out.day), amount(out.units)]],
      label: {
        show: true,
        position: "bottom",
        distance: 12 + nthOut * 16,
        // Near the right edge the label grows leftwards, so that it is never cut off.
        align: dayMs(out.day) > min + (max - min) * 0.7 ? "right" : "left",
        color: "#b91c1c",
        fontWeight: "bold",
        formatter: `${r.account} runs out ${r.runsOutOn}`,
      },
    };
    return [line, label];
  });
  const risks = Object.keys(RISK_COLORS) as Risk[];
  // Every mark is labelled on a light calendar; on a crowded one, the "later" marks (green, the
  // least urgent) go unlabelled, so that the names that matter are the ones that fit.
  const labelLater = f.calendar.length <= 60;
  const calendarSeries: echarts.SeriesOption[] = risks.map((risk) => ({
    type: "scatter",
    name: RISK_NAMES[risk],
    xAxisIndex: calendarAxis,
    yAxisIndex: calendarAxis,
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
      ...money.map((c, i) => ({
        text: c,
        left: 24,
        top: TOP + i * (PANEL_HEIGHT + PANEL_GAP) - 4,
        textStyle: { fontSize: 13, color: "#6b7280" },
      })),
      ...(money.length ? [] : [{ text: "No balance to draw", left: LEFT + 20, top: TOP + 80 }]),
      { text: "Renewal calendar", left: 24, top: calTop - 58 },
    ],
    legend: [
      { top: 16, right: 24, data: f.runway.map((r) => `${r.account} (${r.currency})`) },
      { top: calTop - 54, right: 24, data: risks.map((r) => RISK_NAMES[r]) },
    ],
    grid,
    xAxis: [...panels.map((_, i) => timeAxis(i)), timeAxis(calendarAxis)],
    yAxis: [
      ...panels.map(
        (_, i): echarts.YAXisComponentOption => ({
          type: "value",
          gridIndex: i,
          splitLine: { lineStyle: { color: "#eef0f3" } },
        }),
      ),
      {
        type: "category",
        gridIndex: calendarAxis,
        data: accounts.length ? accounts : ["(nothing due)"],
        inverse: true,
        axisLabel: { width: LEFT - 20, overflow: "truncate" },
      },
    ],
    series: [...runwaySeries, ...calendarSeries],
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
