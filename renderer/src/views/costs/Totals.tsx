import type { CostReport } from '../../../../shared/domain/insights';
import { formatCount, formatPercent, formatUsd } from '../../util/format';

interface Figure {
  id: string;
  label: string;
  value: number;
  shown: string;
  note?: string;
}

function figures(r: CostReport): Figure[] {
  const t = r.totals;
  return [
    { id: 'usd', label: 'Spent', value: t.costUsd, shown: formatUsd(t.costUsd) },
    { id: 'tokens', label: 'Tokens', value: t.tokens, shown: formatCount(t.tokens) },
    { id: 'calls', label: 'Model calls', value: t.modelCalls, shown: formatCount(t.modelCalls) },
    { id: 'runs', label: 'Runs started', value: t.runs, shown: formatCount(t.runs), note: t.spendingRuns !== t.runs ? `${formatCount(t.spendingRuns)} spent` : undefined },
    { id: 'wasted-usd', label: 'Wasted', value: r.wasted.costUsd, shown: formatUsd(r.wasted.costUsd), note: t.costUsd > 0 ? `${formatPercent(r.wasted.costUsd, t.costUsd)} of spending` : undefined },
  ];
}

/** The window's totals; each carries its exact value (`data-value`) next to the rounded text. */
export function Totals({ report }: { report: CostReport }) {
  return (
    <dl className="costs-totals">
      {figures(report).map((f) => (
        <div key={f.id} className={`costs-total costs-total-${f.id}`}>
          <dt>{f.label}</dt>
          <dd data-testid={`costs-total-${f.id}`} data-value={f.value}>
            {f.shown}
          </dd>
          {f.note && <dd className="meta small-text">{f.note}</dd>}
        </div>
      ))}
    </dl>
  );
}

/** The same boxes, empty, while the first answer is on its way. */
export function TotalsSkeleton() {
  return (
    <div className="costs-totals" aria-hidden="true">
      {['Spent', 'Tokens', 'Model calls', 'Runs started', 'Wasted'].map((label) => (
        <div key={label} className="costs-total">
          <span className="meta">{label}</span>
          <div className="skeleton-line wide" />
        </div>
      ))}
    </div>
  );
}
