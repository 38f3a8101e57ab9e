import { describe, expect, it } from 'vitest';
import type { CostDay } from '../../shared/domain/insights';
import { rangeOf, rangeStart } from '../../renderer/src/views/costs/range';
import { OTHER, spendSeries, spendSummary, stacked } from '../../renderer/src/views/costs/chart-data';

/** The Costs view's chart data, as the view computes it from `insights.costs` days. */

const day = (d: string, byAgent: [string | null, number][]): CostDay => ({
  day: d,
  costUsd: byAgent.reduce((s, [, c]) => s + c, 0),
  tokens: 0,
  modelCalls: 0,
  byAgent: byAgent.map(([agent, costUsd]) => ({ agent, costUsd })),
});

describe('the spend chart', () => {
  const days = [day('2025-03-01', [['drafter', 2], ['triage', 0.5]]), day('2025-03-02', []), day('2025-03-03', [['triage', 1], [null, 0.25]])];

  it('has one series per agent, costliest first, each its own cost per day, on UTC midnights', () => {
    const s = spendSeries(days);
    expect(s.x).toEqual([Date.UTC(2025, 2, 1), Date.UTC(2025, 2, 2), Date.UTC(2025, 2, 3)].map((t) => t / 1000));
    expect(s.series).toEqual([
      { label: 'drafter', values: [2, 0, 0] },
      { label: 'triage', values: [0.5, 0, 1] },
      { label: '(no agent)', values: [0, 0, 0.25] },
    ]);
  });

  it('stacks them so each bar reaches the sum of its agent and those drawn over it', () => {
    expect(stacked(spendSeries(days).series)).toEqual([
      [2.5, 0, 1.25],
      [0.5, 0, 1.25],
      [0, 0, 0.25],
    ]);
  });

  it('keeps six series at most: the five costliest agents and the rest together', () => {
    const many = [day('2025-03-01', Array.from({ length: 8 }, (_, i): [string, number] => [`agent${i}`, 8 - i]))];
    const s = spendSeries(many).series;
    expect(s.map((x) => x.label)).toEqual(['agent0', 'agent1', 'agent2', 'agent3', 'agent4', OTHER]);
    expect(s.at(-1)!.values).toEqual([3 + 2 + 1]);
  });

  it('says in one sentence what it shows', () => {
    const text = spendSummary(days);
    expect(text).toMatch(/^Spend per day from .*2025 to .*2025, stacked by agent: \$3\.75 in total, the most on .*\(\$2\.50\)\. By agent: drafter \$2\.00, triage \$1\.50, \(no agent\) \$0\.25\.$/);
    expect(spendSummary([day('2025-03-01', [])])).toMatch(/nothing was spent\.$/);
  });
});

describe('the range picker', () => {
  it('starts a range on the operator\'s own calendar day, today included', () => {
    expect(rangeStart(7, new Date(2025, 2, 10, 23, 30))).toBe('2025-03-04');
    expect(rangeStart(30, new Date(2025, 2, 10, 0, 5))).toBe('2025-02-09');
    expect(rangeStart(90, new Date(2024, 2, 1, 12))).toBe('2023-12-03');
    expect([rangeOf('7'), rangeOf(undefined), rangeOf('365'), rangeOf('90')]).toEqual([7, 30, 30, 90]);
  });
});
