import type { Agent, AgentVersion } from '../../../../shared/domain/agents';
import { useKeel } from '../../store/store';
import { formatDate } from '../../util/format';

/** Every version of the instructions, newest first; any earlier one can be restored (as a new version). */
export function VersionHistory({ agent, versions }: { agent: Agent; versions: AgentVersion[] }) {
  const revert = useKeel((s) => s.revertAgent);
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  if (sorted.length === 0) return <p className="meta">No earlier versions.</p>;
  return (
    <ol className="versions" aria-label="Versions">
      {sorted.map((v) => (
        <li key={v.version} data-testid="agent-version" aria-current={v.version === agent.version ? 'true' : undefined}>
          <details>
            <summary>
              <strong>Version {v.version}</strong>
              {v.version === agent.version && <span className="pill small">current</span>}
              <span className="meta">
                {' '}
                {v.createdBy} · {formatDate(v.createdAt)}
              </span>
              {v.note && <span className="version-note"> — {v.note}</span>}
            </summary>
            <pre className="proposal">{v.instructions}</pre>
          </details>
          {v.version !== agent.version && (
            <button type="button" className="secondary small" onClick={() => void revert(agent.name, v.version)} aria-label={`Revert to version ${v.version}`}>
              Revert to this
            </button>
          )}
        </li>
      ))}
    </ol>
  );
}
