import type { CostDay } from '../../../../shared/domain/insights';
import { formatUsd } from '../../util/format';

/** Agents the chart tells apart; the rest are one "other agents" series, so colours stay distinct. */
export const CHART_AGENTS = 6;
export const OTHER = 'other agents';
export const NO_AGENT = '(no agent)';

export const agentLabel = (agent: string | null): string => agent ?? NO_AGENT;

/** A calendar day (YYYY-MM-DD) as the operator reads it, e.g. "Mar 4". The date is the zone's own: shown as UTC so it does not move. */
export const dayLabel = (day: string, style: 'short' | 'medium' = 'short'): string =>
  new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, style === 'short' ? { month: 'short', day: 'numeric', timeZone: 'UTC' } : { dateStyle: 'medium', timeZone: 'UTC' });

export interface SpendSeries {
  /** Day starts as Unix seconds (UTC midnight of each calendar day). */
  x: number[];
  /** One series per agent, costliest first, each its own cost per day. */
  series: { label: string; values: number[] }[];
}

/** The window's days as chart series: the costliest agents, then everyone else as one. */
export function spendSeries(days: CostDay[]): SpendSeries {
  const totals = new Map<string, number>();
  for (const d of days) for (const a of d.byAgent) totals.set(agentLabel(a.agent), (totals.get(agentLabel(a.agent)) ?? 0) + a.costUsd);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([label]) => label);
  const shown = ranked.length > CHART_AGENTS ? ranked.slice(0, CHART_AGENTS - 1) : ranked;
  const labels = ranked.length > shown.length ? [...shown, OTHER] : shown;
  const index = new Map(labels.map((l, i) => [l, i]));
  const series = labels.map((label) => ({ label, values: days.map(() => 0) }));
  days.forEach((d, i) => {
    for (const a of d.byAgent) series[index.get(agentLabel(a.agent)) ?? index.get(OTHER)!]!.values[i]! += a.costUsd;
  });
  return { x: days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000), series };
}

/**
 * Stacked bars from plain series: bar k reaches the sum of series k..n, and bars are drawn
 * from the tallest, so each agent's visible part is its own cost (the first agent on top).
 */
export function stacked(series: SpendSeries['series']): number[][] {
  const out = series.map((s) => [...s.values]);
  for (let k = out.length - 2; k >= 0; k--) out[k] = out[k]!.map((v, i) => v + out[k + 1]![i]!);
  return out;
}

/** The chart in one sentence, for people who do not see it (its accessible name). */
export function spendSummary(days: CostDay[]): string {
  if (days.length === 0) return 'Spend per day: no days.';
  const range = `${dayLabel(days[0]!.day, 'medium')} to ${dayLabel(days.at(-1)!.day, 'medium')}`;
  const total = days.reduce((s, d) => s + d.costUsd, 0);
  if (total === 0) return `Spend per day from ${range}: nothing was spent.`;
  const peak = days.reduce((best, d) => (d.costUsd > best.costUsd ? d : best));
  const agents = spendSeries(days).series.map((s) => `${s.label} ${formatUsd(s.values.reduce((a, b) => a + b, 0))}`);
  return `Spend per day from ${range}, stacked by agent: ${formatUsd(total)} in total, the most on ${dayLabel(peak.day, 'medium')} (${formatUsd(peak.costUsd)}). By agent: ${agents.join(', ')}.`;
}
