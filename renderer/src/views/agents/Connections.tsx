import { useEffect } from 'react';
import type { AdapterInfo } from '../../../../shared/domain/kernel';
import { RiskPill } from '../../components/RiskPill';
import { useWhenConnected } from '../../app/useWhenConnected';
import { useKeel } from '../../store/store';
import { formatDate, plural } from '../../util/format';
import { HealthPill } from './HealthPill';

/** While shown, the list also reloads this often (pushed ledger events reload it sooner). */
const REFRESH_MS = 30_000;

function Health({ adapter: a }: { adapter: AdapterInfo }) {
  const h = a.health;
  return (
    <div className="stack">
      <HealthPill health={h} />
      {(h.lastSuccessAt || h.lastErrorAt) && <span className="meta small-text">Last success: {formatDate(h.lastSuccessAt)}</span>}
      {h.lastErrorAt && (
        <span className="small-text" data-testid="adapter-error">
          <span className="meta">Last error: {formatDate(h.lastErrorAt)}</span>
          {h.lastError && (
            <span className="error">
              {' '}
              {h.lastError.message}
              {h.lastError.code && <code className="meta"> ({h.lastError.code})</code>}
            </span>
          )}
        </span>
      )}
    </div>
  );
}

function Actions({ adapter: a }: { adapter: AdapterInfo }) {
  if (!a.actions.length) return <span className="meta">none</span>;
  return (
    <ul className="adapter-actions">
      {a.actions.map((act) => (
        <li key={act.name} data-testid="adapter-action" data-action={act.name} className={act.flags.length ? 'flagged' : undefined}>
          <code title={act.summary}>{act.name}</code> <RiskPill risk={act.risk} />
          {act.flags.length > 0 && (
            <div className="flag-warning" role="note" data-testid="action-flag">
              <strong>Warning:</strong> {act.flags.join(' ')} Read what this action does before you allow an agent to use it.
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * Keel's connections to the outside world: every adapter with its version, how its calls go
 * (last success, last error, login expired) and its actions' risk, warnings on flagged ones.
 */
export function Connections() {
  const adapters = useKeel((s) => s.adapters);
  const loaded = useKeel((s) => s.adaptersLoaded);
  const error = useKeel((s) => s.adaptersError);
  const refresh = useKeel((s) => s.refreshAdapters);
  const watch = useKeel((s) => s.watchAdapters);
  useWhenConnected(refresh, [refresh]);
  useEffect(() => {
    const release = watch();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      clearInterval(timer);
      release();
    };
  }, [watch, refresh]);
  return (
    <section className="connections" aria-labelledby="connections-title">
      <h2 id="connections-title">Connections</h2>
      <p className="meta">
        Agents act on the outside world only through these adapters. Each action has a risk: calls at or above your approval threshold (Settings → General) wait for
        your approval. A failing connection shows its last error here.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!loaded ? (
        !error && <p className="meta">Loading connections…</p>
      ) : (
        <table className="connections-table" aria-label="Connections">
          <thead>
            <tr>
              <th scope="col">Adapter</th>
              <th scope="col">Health</th>
              <th scope="col" className="num">
                Calls
              </th>
              <th scope="col">Actions and their risk</th>
            </tr>
          </thead>
          <tbody>
            {adapters.map((a) => (
              <tr key={a.name} data-testid="adapter-row" data-name={a.name}>
                <td>
                  <strong className="adapter-name">{a.name}</strong>
                  <div className="meta small-text" data-testid="adapter-version">
                    version {a.version}
                  </div>
                </td>
                <td>
                  <Health adapter={a} />
                </td>
                <td className="num">
                  {a.health.calls}
                  {a.health.failures > 0 && <div className="small-text">{plural(a.health.failures, 'failure')}</div>}
                </td>
                <td>
                  <Actions adapter={a} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
