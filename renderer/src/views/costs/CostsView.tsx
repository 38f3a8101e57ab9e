import { useWhenConnected } from '../../app/useWhenConnected';
import { DataTable, type Column } from '../../components/DataTable';
import { costsHref } from '../../routes';
import { useKeel } from '../../store/store';
import { formatCount, formatUsd } from '../../util/format';
import { EmptyState } from '../EmptyState';
import { views } from '../registry';
import type { CostDay, CostReport } from '../../../../shared/domain/insights';
import { Breakdowns } from './Breakdowns';
import { agentLabel, dayLabel } from './chart-data';
import { Approvals, Budgets, Outcomes } from './Oversight';
import { rangeOf } from './range';
import { RangePicker } from './RangePicker';
import { TopRuns, WastedWork } from './Runs';
import { SpendChart } from './SpendChart';
import { Totals, TotalsSkeleton } from './Totals';
import './costs.css';

/** Spend per day as a table: the chart's figures for people who do not see it, or want the numbers. */
function DayTable({ days }: { days: CostDay[] }) {
  const agents = [...new Set(days.flatMap((d) => d.byAgent.map((a) => agentLabel(a.agent))))];
  const columns: Column<CostDay>[] = [
    ['Day', (d) => dayLabel(d.day, 'medium')],
    ['Total', (d) => formatUsd(d.costUsd), true],
    ...agents.map((name): Column<CostDay> => [name, (d) => formatUsd(d.byAgent.find((a) => agentLabel(a.agent) === name)?.costUsd ?? 0), true]),
    ['Model calls', (d) => formatCount(d.modelCalls), true],
  ];
  return (
    <details className="costs-day-table">
      <summary>Spend per day as a table</summary>
      <DataTable label="Spend per day" columns={columns} rows={days} rowKey={(d) => d.day} />
    </details>
  );
}

const isEmpty = (r: CostReport) => r.totals.costUsd === 0 && r.totals.tokens === 0 && r.totals.runs === 0 && r.approvals.length === 0;

/** The figures once they are here; a skeleton of the same shape before (the page does not jump). */
function Figures({ report }: { report: CostReport | null }) {
  if (!report) {
    return (
      <>
        <TotalsSkeleton />
        <div className="costs-chart costs-chart-skeleton" aria-hidden="true" />
        <div className="skeleton-line wide" />
        <div className="skeleton-line" />
      </>
    );
  }
  return (
    <>
      <Totals report={report} />
      <section aria-labelledby="costs-per-day">
        <h2 id="costs-per-day">Spend per day</h2>
        <SpendChart days={report.days} />
        <DayTable days={report.days} />
      </section>
      <Breakdowns report={report} />
      <WastedWork report={report} />
      <TopRuns report={report} />
      <div className="costs-grid">
        <Outcomes report={report} />
        <Approvals report={report} />
      </div>
      <Budgets report={report} />
    </>
  );
}

/** "What did my agents cost, and what did they do?": figures the core sums from the ledger. */
export function CostsView() {
  const range = rangeOf(useKeel((s) => s.route.query.days));
  const report = useKeel((s) => s.costs);
  const reportFor = useKeel((s) => s.costsFor);
  const loading = useKeel((s) => s.costsLoading);
  const error = useKeel((s) => s.costsError);
  const { refreshCosts, go } = useKeel.getState();
  useWhenConnected(() => refreshCosts(range), [range]);
  // Figures of another range stay until the new ones arrive (marked busy), so nothing jumps.
  const current = reportFor === range ? report : null;
  const shown = current ?? report;
  const picker = <RangePicker value={range} onChange={(days) => go(costsHref(days))} />;
  if (current && isEmpty(current)) {
    return (
      <div className="costs">
        <EmptyState view={views.find((v) => v.id === 'costs')!} />
        {picker}
      </div>
    );
  }
  return (
    <section className="costs" aria-labelledby="costs-title" aria-busy={loading || !current}>
      <div className="view-head">
        <h1 id="costs-title">Costs</h1>
        {picker}
      </div>
      <p className="meta costs-window" data-testid="costs-window" data-days={current?.days.length}>
        {shown ? `${dayLabel(shown.window.firstDay, 'medium')} – ${dayLabel(shown.window.lastDay, 'medium')}, days in ${shown.window.timeZone}. Summed from the ledger.` : 'Summing the ledger…'}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {/* A skeleton while the first answer is on its way; after a failed first call, only the error. */}
      {(shown || !error) && <Figures report={shown} />}
    </section>
  );
}
