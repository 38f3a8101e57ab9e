import { useState } from 'react';
import type { IngestCounts } from '../../../shared/domain/documents';
import type { SystemStatus } from '../../../shared/domain/system';
import { keelClient } from '../api/client';
import { useCommand } from '../commands/bindings';
import { CommandButton } from '../commands/CommandButton';
import { useKeel } from '../store/store';
import { formatCount } from '../util/format';

const CONNECTION_TEXT = { connecting: 'Connecting…', connected: 'Connected', reconnecting: 'Reconnecting…' } as const;

/** What semantic search can do right now, in the operator's words. */
export function modelText(m: SystemStatus['embeddingModel']): string {
  const backlog = m.pending > 0 ? ` · embedding ${formatCount(m.pending)} ${m.pending === 1 ? 'chunk' : 'chunks'}…` : '';
  switch (m.state) {
    case 'ready':
      return `Semantic search on${backlog}`;
    case 'downloading':
      return m.progress === null ? 'Downloading model…' : `Downloading model ${Math.round(m.progress * 100)}%`;
    case 'loading':
      return 'Loading model…';
    default:
      return m.message ?? 'semantic search off: model not installed';
  }
}

/** "Ingesting: 3 parsing, 12 queued · 1 failed", or null when nothing moves and nothing failed. */
export function ingestText(c: IngestCounts): string | null {
  const moving = (['parsing', 'embedding', 'queued'] as const).filter((k) => c[k] > 0).map((k) => `${formatCount(c[k])} ${k}`);
  const parts = [moving.length ? `Ingesting: ${moving.join(', ')}` : null, c.failed > 0 ? `${formatCount(c.failed)} failed` : null].filter(Boolean);
  return parts.length ? parts.join(' · ') : null;
}

function IngestProgress() {
  const counts = useKeel((s) => s.ingestCounts);
  const go = useKeel((s) => s.go);
  const setFilter = useKeel((s) => s.setDocumentFilter);
  const text = counts && ingestText(counts);
  if (!counts || !text) return null;
  const onlyFailed = counts.parsing + counts.queued + counts.embedding === 0;
  return (
    <a
      href="#/documents"
      className={`pill ${onlyFailed ? 'ingest-failed' : 'ingest-busy'}`}
      data-testid="ingest-progress"
      title={onlyFailed ? 'Show the documents that failed' : 'Show documents'}
      onClick={(e) => {
        e.preventDefault();
        setFilter({ status: onlyFailed ? 'failed' : null, query: '' });
        go('#/documents');
      }}
    >
      {text}
    </a>
  );
}

/**
 * Pauses or resumes all agents (running runs stop at their next step, nothing new starts). The
 * pill follows the core's pushed status, so the tray and the API changing it show here too.
 */
function PauseToggle({ paused }: { paused: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const toggle = () =>
    void keelClient()
      .call(paused ? 'kernel.resume' : 'kernel.pause', {})
      .then(() => setError(null), (err: Error) => setError(err.message));
  useCommand('runs.pauseAll', toggle);
  return (
    <>
      {paused && <span className="pill paused">Agents paused</span>}
      <CommandButton id="runs.pauseAll" run={toggle} variant="secondary small">
        {paused ? 'Resume agents' : 'Pause agents'}
      </CommandButton>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

export function StatusBar() {
  const connection = useKeel((s) => s.connection);
  const status = useKeel((s) => s.status);
  // While disconnected the last status is stale: say so rather than show a green light.
  const live = connection === 'connected' ? status : null;
  const db = live?.database;
  const dbText = !db
    ? 'Database: waiting for connection'
    : db.state === 'ready'
      ? `Database ready · schema ${status?.databaseSchemaVersion}`
      : db.state === 'opening'
        ? 'Database opening…'
        : `Database failed: ${db.error ?? 'unknown error'}`;
  const model = live?.embeddingModel;
  return (
    <footer className="status-bar" role="status">
      <span className={`pill ${connection}`} data-testid="connection">
        {CONNECTION_TEXT[connection]}
      </span>
      <span className={`pill db-${db?.state ?? 'unknown'}`} data-testid="database">
        {dbText}
      </span>
      {model && (
        <span className={`pill model-${model.state}`} data-testid="model-state" title={model.model ?? undefined}>
          {modelText(model)}
        </span>
      )}
      {live && <IngestProgress />}
      {live && <PauseToggle paused={live.agentsPaused} />}
      <span className="spacer" />
      {status && (
        <span className="meta">
          {status.mode === 'desktop' ? 'Desktop' : 'Headless'} · Keel {status.appVersion}
        </span>
      )}
    </footer>
  );
}
