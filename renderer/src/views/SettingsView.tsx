import { useKeel } from '../store/store';

export function SettingsView() {
  const status = useKeel((s) => s.status);
  return (
    <section className="settings" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {status ? (
        <dl>
          <dt>Data folder</dt>
          <dd data-testid="data-dir">{status.dataDir}</dd>
          <dt>Mode</dt>
          <dd>{status.mode === 'desktop' ? 'Desktop app' : 'Headless server'}</dd>
          <dt>Keel version</dt>
          <dd>{status.appVersion}</dd>
          <dt>Schema</dt>
          <dd>
            {status.databaseSchemaVersion ?? '—'} (this build knows {status.schemaVersion})
          </dd>
          <dt>Embedding model</dt>
          <dd>{status.embeddingModel.state === 'ready' ? `${status.embeddingModel.model} (ready)` : (status.embeddingModel.message ?? status.embeddingModel.state)}</dd>
        </dl>
      ) : (
        <p>Waiting for Keel…</p>
      )}
    </section>
  );
}
