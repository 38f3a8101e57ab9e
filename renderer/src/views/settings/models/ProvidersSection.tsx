import { useState } from 'react';
import type { ProviderConfig } from '../../../../../shared/domain/models';
import { useKeel } from '../../../store/store';
import { KIND_LABEL } from './format';
import { ProviderForm } from './ProviderForm';
import { ProviderTest } from './ProviderTest';

function where(p: ProviderConfig): string {
  if (p.kind === 'builtin') return 'Rules built into Keel: works with no model, costs nothing.';
  if (p.kind === 'local-gguf') return p.modelPath ?? '';
  return p.baseUrl ?? '';
}

function ProviderRow({ provider, onEdit }: { provider: ProviderConfig; onEdit: () => void }) {
  const remove = useKeel((s) => s.removeProvider);
  const p = provider;
  return (
    <li className="provider" data-testid="provider" data-id={p.id}>
      <div className="provider-head">
        <strong>{p.label}</strong>
        <span className="pill small">{KIND_LABEL[p.kind]}</span>
        <code className="meta">{p.id}</code>
        <span className="spacer" />
        {p.kind === 'builtin' ? (
          <span className="meta small-text">cannot be changed</span>
        ) : (
          <>
            <button type="button" className="secondary small" onClick={onEdit} aria-label={`Edit ${p.label}`}>
              Edit
            </button>
            <button type="button" className="danger small" onClick={() => void remove(p.id)} aria-label={`Remove ${p.label}`}>
              Remove
            </button>
          </>
        )}
      </div>
      <div className="meta provider-where">
        <span className="mono">{where(p)}</span>
        {p.kind === 'openai-compatible' && (
          <span data-testid="provider-key">
            {' · '}
            {p.hasKey ? 'a key is stored' : 'no key'} · structured output: {p.structuredOutput} · {Math.round(p.timeoutMs / 1000)} s limit
          </span>
        )}
      </div>
      <ProviderTest provider={p} />
    </li>
  );
}

/** Where models come from: the built-in rules first, then the operator's endpoints and files. */
export function ProvidersSection() {
  const providers = useKeel((s) => s.providers);
  const [form, setForm] = useState<{ editing: ProviderConfig | null } | null>(null);
  return (
    <section aria-labelledby="providers-title">
      <h2 id="providers-title">Providers</h2>
      <ul className="providers">
        {providers.map((p) => (
          <ProviderRow key={p.id} provider={p} onEdit={() => setForm({ editing: p })} />
        ))}
      </ul>
      {form ? (
        <ProviderForm key={form.editing?.id ?? 'new'} editing={form.editing} onDone={() => setForm(null)} />
      ) : (
        <button type="button" onClick={() => setForm({ editing: null })}>
          Add a provider…
        </button>
      )}
    </section>
  );
}
