import { useEffect, useState, type FormEvent } from 'react';
import type { EmbeddingSettings } from '../../../../shared/domain/memory';
import { modelText } from '../../app/StatusBar';
import { useKeel } from '../../store/store';
import { formatCount } from '../../util/format';

const DTYPES: EmbeddingSettings['dtype'][] = ['q8', 'q4', 'fp16', 'fp32'];

/** The embedding model: its state, which one, and getting it. */
export function ModelSection() {
  const embedding = useKeel((s) => s.embedding);
  const status = useKeel((s) => s.status?.embeddingModel);
  const settings = useKeel((s) => s.memorySettings?.embedding);
  const install = useKeel((s) => s.installModel);
  const save = useKeel((s) => s.saveSettings);
  const [draft, setDraft] = useState<EmbeddingSettings | null>(settings ?? null);
  useEffect(() => setDraft(settings ?? null), [settings]);

  const changed = draft && settings && (draft.modelId !== settings.modelId || draft.dtype !== settings.dtype || draft.baseUrl !== settings.baseUrl);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (draft && changed) void save({ embedding: { modelId: draft.modelId, dtype: draft.dtype, baseUrl: draft.baseUrl } }, 'Model changed: everything is re-embedded in the background.');
  };
  return (
    <section aria-labelledby="model-title">
      <h2 id="model-title">Embedding model</h2>
      <p>
        {status ? modelText(status) : '—'}
        {embedding?.dims ? ` · ${embedding.dims} dimensions` : ''}
        {embedding && embedding.pending > 0 ? ` · ${formatCount(embedding.pending)} waiting` : ''}
      </p>
      {embedding?.state === 'downloading' && embedding.progress !== null && <progress max={1} value={embedding.progress} aria-label="Model download" />}
      {embedding && embedding.state !== 'ready' && embedding.state !== 'downloading' && (
        <button type="button" onClick={() => void install()}>
          Download model
        </button>
      )}
      {draft && (
        <form className="settings-grid" aria-label="Model settings" onSubmit={submit}>
          <label htmlFor="model-id">Model id</label>
          <input id="model-id" value={draft.modelId} onChange={(e) => setDraft({ ...draft, modelId: e.target.value })} spellCheck={false} />
          <label htmlFor="model-dtype">Precision</label>
          <select id="model-dtype" value={draft.dtype} onChange={(e) => setDraft({ ...draft, dtype: e.target.value as EmbeddingSettings['dtype'] })}>
            {DTYPES.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
          <label htmlFor="model-url">Download from</label>
          <input id="model-url" type="url" value={draft.baseUrl} onChange={(e) => setDraft({ ...draft, baseUrl: e.target.value })} spellCheck={false} />
          <span />
          <div className="actions">
            <button type="submit" disabled={!changed}>
              Save model
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
