import type { UsagePeriod } from '../../../store/models-slice';
import { useKeel } from '../../../store/store';
import type { ModelUsage } from '../../../../../shared/domain/models';
import { DataTable, type Column } from '../../../components/DataTable';
import { formatCount, formatMs as ms, formatUsd as usd } from '../../../util/format';

type ByAgent = ModelUsage['byAgent'][number];
type ByModel = ModelUsage['byModel'][number];

const BY_AGENT: Column<ByAgent>[] = [
  ['Agent', (a) => a.agent],
  ['Calls', (a) => formatCount(a.calls), true],
  ['Tokens', (a) => formatCount(a.tokens), true],
  ['Cost', (a) => usd(a.costUsd), true],
];

const BY_MODEL: Column<ByModel>[] = [
  ['Model', (m) => (<><span className="mono">{m.model}</span> <span className="meta">on {m.provider}</span></>)],
  ['Calls', (m) => formatCount(m.calls), true],
  ['In', (m) => formatCount(m.inputTokens), true],
  ['Out', (m) => formatCount(m.outputTokens), true],
  ['Cost', (m) => usd(m.costUsd), true],
  ['Mean latency', (m) => ms(m.meanLatencyMs), true],
];

const PERIODS: [UsagePeriod, string][] = [
  ['today', 'Today'],
  ['week', 'Last 7 days'],
  ['month', 'This month'],
  ['all', 'All time'],
];

/** What the models cost, from the ledger: by agent and by model. */
export function UsageSection() {
  const usage = useKeel((s) => s.usage);
  const period = useKeel((s) => s.usagePeriod);
  const refresh = useKeel((s) => s.refreshUsage);
  return (
    <section aria-labelledby="usage-title">
      <h2 id="usage-title">Usage</h2>
      <div className="inline-form">
        <select value={period} onChange={(e) => void refresh(e.target.value as UsagePeriod)} aria-label="Period">
          {PERIODS.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        {usage && (
          <span data-testid="usage-total">
            {formatCount(usage.calls)} calls · {formatCount(usage.inputTokens)} tokens in, {formatCount(usage.outputTokens)} out · <strong>{usd(usage.costUsd)}</strong>
          </span>
        )}
      </div>
      {usage && usage.calls > 0 && (
        <div className="usage-tables">
          <DataTable label="By agent" columns={BY_AGENT} rows={usage.byAgent} rowKey={(a) => a.agent} />
          <DataTable label="By model" columns={BY_MODEL} rows={usage.byModel} rowKey={(m) => `${m.provider}/${m.model}`} />
        </div>
      )}
    </section>
  );
}
