import type { AgentSpend, AppSpend, CostReport, ModelSpend } from '../../../../shared/domain/insights';
import { DataTable, type Column } from '../../components/DataTable';
import { formatCount, formatPercent, formatUsd } from '../../util/format';
import { agentLabel } from './chart-data';
import { appLabel } from './labels';

/** A cost with its share of the total: the number, and a bar for the eye (the number is what is read out). */
function Share({ part, whole }: { part: number; whole: number }) {
  const pct = whole > 0 ? Math.min(100, (part / whole) * 100) : 0;
  return (
    <span className="costs-share">
      <span className="costs-bar" aria-hidden="true">
        <span style={{ width: `${pct}%` }} />
      </span>
      {pct > 0 && pct < 1 ? '<1%' : formatPercent(part, whole)}
    </span>
  );
}

const money = <T extends { costUsd: number }>(total: number): Column<T>[] => [
  ['Cost', (r) => formatUsd(r.costUsd), true],
  ['Share', (r) => <Share part={r.costUsd} whole={total} />],
];

const byAgent = (total: number): Column<AgentSpend>[] => [
  ['Agent', (a) => agentLabel(a.agent)],
  ...money<AgentSpend>(total),
  ['Tokens', (a) => formatCount(a.tokens), true],
  ['Model calls', (a) => formatCount(a.modelCalls), true],
  ['Runs', (a) => formatCount(a.runs), true],
];

const byApp = (total: number): Column<AppSpend>[] => [
  ['App', (a) => appLabel(a.app)],
  ...money<AppSpend>(total),
  ['Tokens', (a) => formatCount(a.tokens), true],
  ['Runs', (a) => formatCount(a.runs), true],
];

const byModel = (total: number): Column<ModelSpend>[] => [
  ['Model', (m) => (<><span className="mono">{m.model}</span> <span className="meta">on {m.provider}</span></>)],
  ...money<ModelSpend>(total),
  ['Calls', (m) => formatCount(m.calls), true],
  ['Tokens', (m) => formatCount(m.tokens), true],
];

/** Where the money went: by agent, by app, by model. */
export function Breakdowns({ report }: { report: CostReport }) {
  const total = report.totals.costUsd;
  const modelTotal = report.models.reduce((s, m) => s + m.costUsd, 0);
  if (report.agents.length === 0) return <p className="meta">Nothing was spent in this range: no step used tokens or money.</p>;
  return (
    <div className="costs-grid">
      <section aria-labelledby="costs-agents">
        <h2 id="costs-agents">By agent</h2>
        <DataTable label="Spending by agent" columns={byAgent(total)} rows={report.agents} rowKey={(a) => a.agent ?? ''} />
      </section>
      <section aria-labelledby="costs-apps">
        <h2 id="costs-apps">By app</h2>
        <DataTable label="Spending by app" columns={byApp(total)} rows={report.apps} rowKey={(a) => a.app ?? ''} />
      </section>
      <section aria-labelledby="costs-models">
        <h2 id="costs-models">By model</h2>
        {report.models.length ? (
          <DataTable label="Spending by model" columns={byModel(modelTotal)} rows={report.models} rowKey={(m) => `${m.provider}/${m.model}`} />
        ) : (
          <p className="meta">No model call used tokens or money in this range (the built-in rules use neither).</p>
        )}
      </section>
    </div>
  );
}
