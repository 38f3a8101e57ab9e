import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { CostDay } from '../../../../shared/domain/insights';
import { formatUsd } from '../../util/format';
import { dayLabel, spendSeries, spendSummary, stacked, type SpendSeries } from './chart-data';

const HEIGHT = 240;
const HALF_DAY = 43_200;
const DAY_STEPS = [1, 2, 7, 14, 28].map((d) => d * 86_400);

/** The theme's colours, read from CSS variables where the chart is (they change with light and dark). */
function palette(el: HTMLElement) {
  const css = getComputedStyle(el);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return { text: v('--muted'), grid: v('--border'), series: [1, 2, 3, 4, 5, 6].map((i) => v(`--chart-${i}`)) };
}

/** The width the chart may take: the box's, less its padding. */
function plotWidth(el: HTMLElement): number {
  const css = getComputedStyle(el);
  return Math.max(0, el.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight));
}

/** Axis money: whole dollars when they are large, cents below. */
const axisUsd = (v: number) => (v === 0 ? '$0' : v >= 10 ? `$${Math.round(v)}` : v >= 0.1 ? `$${v.toFixed(2)}` : `$${v.toPrecision(1)}`);

function options(data: SpendSeries, width: number, el: HTMLElement): uPlot.Options {
  const c = palette(el);
  const axis = { stroke: c.text, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  const bars = uPlot.paths.bars!({ size: [0.7, 40], gap: 1 });
  return {
    width,
    height: HEIGHT,
    // Days are calendar days of the operator's zone, sent as UTC midnights: shown in UTC they stay put.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    // Half a day of room on each side, so the first and last bars are whole.
    scales: { x: { time: true, range: (_u, min, max) => [min - HALF_DAY, max + HALF_DAY] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
    axes: [
      // Ticks on whole days only (a week's chart would otherwise tick every 12 hours).
      { ...axis, incrs: DAY_STEPS, values: (_u, splits) => splits.map((s) => dayLabel(new Date(s * 1000).toISOString().slice(0, 10))) },
      { ...axis, size: 64, values: (_u, splits) => splits.map(axisUsd) },
    ],
    cursor: { points: { show: false }, drag: { x: false, y: false } },
    legend: { live: true },
    series: [
      { label: 'Day', value: (_u, ts) => (ts == null ? 'all days' : dayLabel(new Date(ts * 1000).toISOString().slice(0, 10), 'medium')) },
      ...data.series.map((s, i) => ({
        label: s.label,
        stroke: c.series[i % c.series.length],
        fill: c.series[i % c.series.length],
        width: 0,
        paths: bars,
        points: { show: false },
        // The stacked value is a running sum; the legend shows the agent's own cost (the range's, away from a bar).
        value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => formatUsd(idx == null ? s.values.reduce((a, b) => a + b, 0) : (s.values[idx] ?? 0)),
      })),
    ],
  };
}

/** Keeps `draw` current with the theme: the operator's choice (data-theme) or the system's. */
function useThemeChanges(draw: () => void): void {
  useEffect(() => {
    const media = matchMedia('(prefers-color-scheme: dark)');
    const watch = new MutationObserver(draw);
    watch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    media.addEventListener('change', draw);
    return () => {
      watch.disconnect();
      media.removeEventListener('change', draw);
    };
  }, [draw]);
}

/** Spend per day, stacked by agent (uPlot on a canvas), named for screen readers by a one-sentence summary. */
export function SpendChart({ days }: { days: CostDay[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = useMemo(() => spendSeries(days), [days]);
  const draw = useMemo(
    () => () => {
      const el = box.current;
      if (!el) return;
      plot.current?.destroy();
      plot.current = new uPlot(options(data, plotWidth(el), el), [data.x, ...stacked(data.series)], el);
    },
    [data],
  );
  useEffect(() => {
    draw();
    const el = box.current!;
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: plotWidth(el), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [draw]);
  useThemeChanges(draw);
  return <div ref={box} className="costs-chart" role="img" aria-label={spendSummary(days)} data-testid="costs-chart" />;
}
