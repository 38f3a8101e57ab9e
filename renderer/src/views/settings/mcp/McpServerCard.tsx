import { useState } from 'react';
import type { McpServerView } from '../../../../../shared/domain/mcp';
import { useKeel } from '../../../store/store';
import { ToolRisk } from './ToolRisk';

const STATE: Record<McpServerView['state'], [label: string, tone: string]> = {
  disabled: ['Off', 'muted'],
  connecting: ['Connecting', 'warn'],
  connected: ['Connected', 'ok'],
  disconnected: ['Disconnected', 'warn'],
  failed: ['Failed', 'bad'],
};

const where = (s: McpServerView) => (s.transport.kind === 'stdio' ? [s.transport.command, ...s.transport.args].join(' ') : s.transport.url);

/** One MCP server: its connection, its tools with the risk each has, and what can be done with it. */
export function McpServerCard({ server: s, onEdit }: { server: McpServerView; onEdit: () => void }) {
  const reconnect = useKeel((st) => st.reconnectMcp);
  const remove = useKeel((st) => st.removeMcp);
  const [busy, setBusy] = useState<null | 'reconnect' | 'remove'>(null);
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (what: 'reconnect' | 'remove') => {
    setBusy(what);
    setError(null);
    const out = what === 'reconnect' ? await reconnect(s.name) : await remove(s.name);
    setBusy(null);
    if (!out.ok) setError(out.error);
  };
  const [label, tone] = STATE[s.state];
  return (
    <li className="provider" data-testid="mcp-server" data-name={s.name}>
      <div className="provider-head">
        <strong>{s.name}</strong>
        <span className={`pill status tone-${tone}`} data-testid="mcp-state" data-state={s.state}>
          {label}
        </span>
        {s.version && <span className="meta small-text">version {s.version}</span>}
        <span className="spacer" />
        <button type="button" className="secondary small" disabled={busy !== null} onClick={() => void run('reconnect')} aria-label={busy === null ? `Reconnect ${s.name}` : undefined}>
          {busy === 'reconnect' ? 'Connecting…' : 'Reconnect'}
        </button>
        <button type="button" className="secondary small" onClick={onEdit} aria-label={`Edit ${s.name}`}>
          Edit
        </button>
        <button type="button" className="danger small" onClick={() => setConfirm(true)} aria-label={`Remove ${s.name}`}>
          Remove
        </button>
      </div>
      <p className="meta provider-where">
        <span className="mono">{where(s)}</span> · adapter <code>{s.adapter}</code>
        {s.secret.length > 0 && ` · secrets: ${s.secret.join(', ')}`}
      </p>
      {s.error && (
        <p className="error small-text" data-testid="mcp-error">
          {s.error}
        </p>
      )}
      {error && (
        <p className="error small-text" role="alert">
          {error}
        </p>
      )}
      {s.tools.length > 0 ? (
        <ul className="mcp-tools" aria-label={`Tools of ${s.name}`}>
          {s.tools.map((t) => (
            <ToolRisk key={t.name} server={s.name} tool={t} />
          ))}
        </ul>
      ) : (
        <p className="meta small-text">{s.state === 'connected' ? 'It offers no tools.' : 'Its tools are listed once it is connected.'}</p>
      )}
      {confirm && (
        <div className="confirm" role="group" aria-label={`Remove ${s.name}`} onKeyDown={(e) => e.key === 'Escape' && busy === null && setConfirm(false)}>
          <p>Disconnect {s.name} and forget it and its secrets? Agents lose its tools; runs still waiting on them fail with the reason.</p>
          <div className="actions">
            <button type="button" className="danger" disabled={busy !== null} onClick={() => void run('remove')} autoFocus>
              {busy === 'remove' ? 'Removing…' : 'Remove server'}
            </button>
            <button type="button" className="secondary" disabled={busy !== null} onClick={() => setConfirm(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </li>
  );
}
