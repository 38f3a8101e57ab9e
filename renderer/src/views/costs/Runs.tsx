import type { CostReport, RunSpend, WastedRun } from '../../../../shared/domain/insights';
import { DataTable, type Column } from '../../components/DataTable';
import { href } from '../../routes';
import { formatCount, formatDate, formatUsd } from '../../util/format';
import { agentLabel } from './chart-data';
import { STATUS_LABEL, WASTE_LABEL } from './labels';

/** A run, linked to its trace in the Timeline: what it did for the money. */
const runCell = (r: RunSpend) => (
  <a href={href('timeline', ['runs', r.id])} title={`Run ${r.id}`}>
    <span className="mono">{r.workflow}</span>
  </a>
);

const RUN: Column<RunSpend>[] = [
  ['Run', runCell],
  ['Agent', (r) => agentLabel(r.agent)],
  ['Status', (r) => <span className={`costs-status status-${r.status}`}>{STATUS_LABEL[r.status]}</span>],
  ['Cost', (r) => formatUsd(r.costUsd), true],
  ['Tokens', (r) => formatCount(r.tokens), true],
  ['Model calls', (r) => formatCount(r.modelCalls), true],
  ['Started', (r) => formatDate(r.startedAt)],
];

const WASTED: Column<WastedRun>[] = [
  ['Run', runCell],
  ['Agent', (r) => agentLabel(r.agent)],
  ['Why', (r) => WASTE_LABEL[r.reason]],
  ['Cost', (r) => formatUsd(r.costUsd), true],
  ['Tokens', (r) => formatCount(r.tokens), true],
  ['Started', (r) => formatDate(r.startedAt)],
];

/** The costliest runs of the range. */
export function TopRuns({ report }: { report: CostReport }) {
  return (
    <section aria-labelledby="costs-top">
      <h2 id="costs-top">Most expensive runs</h2>
      {report.topRuns.length ? (
        <DataTable label="Most expensive runs" columns={RUN} rows={report.topRuns} rowKey={(r) => r.id} />
      ) : (
        <p className="meta">No run spent anything in this range.</p>
      )}
    </section>
  );
}

/** What failed, undone, cancelled, parked or rejected work cost: "what did that mistake cost me?" */
export function WastedWork({ report }: { report: CostReport }) {
  const w = report.wasted;
  return (
    <section aria-labelledby="costs-wasted" className="costs-wasted">
      <h2 id="costs-wasted">Wasted work</h2>
      {w.runs === 0 ? (
        <p className="meta" data-testid="costs-wasted-none">No failed, undone, cancelled, parked or rejected run spent anything in this range.</p>
      ) : (
        <>
          <p data-testid="costs-wasted-summary">
            <strong>{formatUsd(w.costUsd)}</strong> and {formatCount(w.tokens)} tokens went into {formatCount(w.runs)} {w.runs === 1 ? 'run' : 'runs'} that came to nothing:{' '}
            {w.byReason.map((b) => `${WASTE_LABEL[b.reason].toLowerCase()} ${formatUsd(b.costUsd)} (${formatCount(b.runs)})`).join(', ')}.
          </p>
          <DataTable label="Wasted work, costliest first" columns={WASTED} rows={w.list} rowKey={(r) => r.id} />
          {w.list.length < w.runs && <p className="meta small-text">The {formatCount(w.list.length)} costliest of {formatCount(w.runs)} are listed.</p>}
        </>
      )}
    </section>
  );
}
