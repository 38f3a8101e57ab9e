import type { Budget } from '../../../../shared/domain/kernel';
import type { AgentApprovals, CostReport, RunOutcome } from '../../../../shared/domain/insights';
import { DataTable, type Column } from '../../components/DataTable';
import { formatCount, formatMs, formatPercent, formatUsd } from '../../util/format';
import { agentLabel } from './chart-data';
import { STATUS_LABEL } from './labels';

const OUTCOMES: Column<RunOutcome>[] = [
  ['Status', (o) => <span className={`costs-status status-${o.status}`}>{STATUS_LABEL[o.status]}</span>],
  ['Runs', (o) => formatCount(o.runs), true],
  ['Cost', (o) => formatUsd(o.costUsd), true],
];

const APPROVALS: Column<AgentApprovals>[] = [
  ['Agent', (a) => agentLabel(a.agent)],
  ['Asked', (a) => formatCount(a.requested), true],
  ['Decided', (a) => formatCount(a.decided), true],
  ['Approval rate', (a) => formatPercent(a.approved, a.decided), true],
  ['Rejected', (a) => formatCount(a.rejected), true],
  ['Edited', (a) => formatCount(a.edited), true],
  ['Waiting', (a) => formatCount(a.pending), true],
  ['Median time to decide', (a) => formatMs(a.medianDecisionMs), true],
];

/** Spent against a cap: the money and the share, "—" for a cap that is not set. */
function use(spent: number, cap: number | null, show: (n: number) => string) {
  if (cap === null) return '—';
  const over = spent > cap;
  return (
    <span className={over ? 'error' : spent >= cap * 0.8 ? 'warn' : undefined}>
      {show(spent)} of {show(cap)} ({formatPercent(spent, cap)}){over ? ', over the cap' : ''}
    </span>
  );
}

const BUDGETS: Column<Budget>[] = [
  ['Who', (b) => `${b.scope === 'agent' ? 'Agent' : 'App'} ${b.name}`],
  ['Period', (b) => (b.period === 'day' ? 'Today' : 'This month')],
  ['Money', (b) => use(b.spentUsd, b.maxUsd, formatUsd)],
  ['Tokens', (b) => use(b.spentTokens, b.maxTokens, formatCount)],
];

/** How the runs of the range stand now. */
export function Outcomes({ report }: { report: CostReport }) {
  return (
    <section aria-labelledby="costs-outcomes">
      <h2 id="costs-outcomes">Outcomes</h2>
      {report.outcomes.length ? <DataTable label="Runs started in this range, by how they stand" columns={OUTCOMES} rows={report.outcomes} rowKey={(o) => o.status} /> : <p className="meta">No run started in this range.</p>}
    </section>
  );
}

/** How often each agent's proposals are approved and how long they wait for a decision. */
export function Approvals({ report }: { report: CostReport }) {
  return (
    <section aria-labelledby="costs-approvals">
      <h2 id="costs-approvals">Approvals</h2>
      {report.approvals.length ? <DataTable label="Approvals by agent" columns={APPROVALS} rows={report.approvals} rowKey={(a) => a.agent ?? ''} /> : <p className="meta">No approval was asked for or decided in this range.</p>}
    </section>
  );
}

/** Caps with what their current day or month has used (whatever the range). */
export function Budgets({ report }: { report: CostReport }) {
  return (
    <section aria-labelledby="costs-budgets">
      <h2 id="costs-budgets">Budgets</h2>
      {report.budgets.length ? (
        <DataTable label="Budget use against caps" columns={BUDGETS} rows={report.budgets} rowKey={(b) => `${b.scope}/${b.name}/${b.period}`} />
      ) : (
        <p className="meta">No caps are set. Set daily or monthly caps per agent in Settings.</p>
      )}
    </section>
  );
}
