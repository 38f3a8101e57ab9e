import type { UsagePeriod } from '../../../store/models-slice';
import { useKeel } from '../../../store/store';
import { formatCount } from '../../../util/format';
import { ms, usd } from './format';

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
          <table aria-label="By agent">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Calls</th>
                <th scope="col">Tokens</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              {usage.byAgent.map((a) => (
                <tr key={a.agent}>
                  <td>{a.agent}</td>
                  <td className="num">{formatCount(a.calls)}</td>
                  <td className="num">{formatCount(a.tokens)}</td>
                  <td className="num">{usd(a.costUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table aria-label="By model">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Calls</th>
                <th scope="col">In</th>
                <th scope="col">Out</th>
                <th scope="col">Cost</th>
                <th scope="col">Mean latency</th>
              </tr>
            </thead>
            <tbody>
              {usage.byModel.map((m) => (
                <tr key={`${m.provider}/${m.model}`}>
                  <td>
                    <span className="mono">{m.model}</span> <span className="meta">on {m.provider}</span>
                  </td>
                  <td className="num">{formatCount(m.calls)}</td>
                  <td className="num">{formatCount(m.inputTokens)}</td>
                  <td className="num">{formatCount(m.outputTokens)}</td>
                  <td className="num">{usd(m.costUsd)}</td>
                  <td className="num">{ms(m.meanLatencyMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
