import { useState, type FormEvent } from 'react';
import type { ProviderConfig, StructuredMode } from '../../../../../shared/domain/models';
import { useKeel } from '../../../store/store';
import { PROVIDER_ID, slug } from './format';

type Kind = 'openai-compatible' | 'local-gguf';

const PRESETS = [
  { name: 'Ollama', label: 'Ollama', url: 'http://127.0.0.1:11434/v1' },
  { name: 'LM Studio', label: 'LM Studio', url: 'http://127.0.0.1:1234/v1' },
];

const STRUCTURED: [StructuredMode, string][] = [
  ['auto', 'Automatic (tries JSON schema, then JSON mode, then instructions)'],
  ['json_schema', 'JSON schema (OpenAI, recent llama.cpp, LM Studio)'],
  ['json_object', 'JSON mode only'],
  ['none', 'None: the schema is given as instructions'],
];

const validUrl = (s: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
};
const seconds = (s: string) => (/^\d+$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= 600 ? Number(s) : null);

/** The API key: never shown; "a key is stored", replaced or removed. */
function KeyField({ hasKey, value, onChange }: { hasKey: boolean; value: string | null | undefined; onChange: (v: string | null | undefined) => void }) {
  if (hasKey && value === undefined) {
    return (
      <span className="inline-form tight" data-testid="key-state">
        <span>A key is stored.</span>
        <button type="button" className="secondary small" onClick={() => onChange('')}>
          Replace key
        </button>
        <button type="button" className="danger small" onClick={() => onChange(null)}>
          Remove key
        </button>
      </span>
    );
  }
  if (value === null) {
    return (
      <span className="inline-form tight" data-testid="key-state">
        <span className="warn">The stored key is removed when you save.</span>
        <button type="button" className="link" onClick={() => onChange(undefined)}>
          Keep it
        </button>
      </span>
    );
  }
  return (
    <span className="inline-form tight">
      <input
        id="provider-key"
        type="password"
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value || (hasKey ? '' : undefined))}
        autoComplete="off"
        placeholder={hasKey ? 'the new key' : 'optional; local servers need none'}
        size={30}
      />
      {hasKey && (
        <button type="button" className="link" onClick={() => onChange(undefined)}>
          Keep the stored key
        </button>
      )}
    </span>
  );
}

/** Adds or edits an OpenAI-compatible endpoint or a local GGUF model file. */
export function ProviderForm({ editing, onDone }: { editing: ProviderConfig | null; onDone: () => void }) {
  const save = useKeel((s) => s.saveProvider);
  const taken = useKeel((s) => s.providers).map((p) => p.id);
  const [kind, setKind] = useState<Kind>(editing?.kind === 'local-gguf' ? 'local-gguf' : 'openai-compatible');
  const [label, setLabel] = useState(editing?.label ?? '');
  const [id, setId] = useState(editing?.id ?? '');
  const [idTouched, setIdTouched] = useState(Boolean(editing));
  const [baseUrl, setBaseUrl] = useState(editing?.baseUrl ?? '');
  const [modelPath, setModelPath] = useState(editing?.modelPath ?? '');
  const [structured, setStructured] = useState<StructuredMode>(editing?.structuredOutput ?? 'auto');
  const [timeout, setTimeoutText] = useState(String(Math.round((editing?.timeoutMs ?? 60_000) / 1000)));
  const [key, setKey] = useState<string | null | undefined>(undefined);

  const theId = idTouched ? id : slug(label);
  const idOk = PROVIDER_ID.test(theId) && theId !== 'builtin' && (editing !== null || !taken.includes(theId));
  const secs = seconds(timeout);
  const valid = label.trim() !== '' && idOk && secs !== null && (kind === 'openai-compatible' ? validUrl(baseUrl.trim()) : modelPath.trim() !== '') && key !== '';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    const provider = {
      id: theId,
      kind,
      label: label.trim(),
      structuredOutput: structured,
      timeoutMs: secs * 1000,
      ...(kind === 'openai-compatible' ? { baseUrl: baseUrl.trim() } : { modelPath: modelPath.trim() }),
    };
    if (await save(provider, kind === 'openai-compatible' ? key : undefined)) onDone();
  };
  const preset = (p: (typeof PRESETS)[number]) => {
    setBaseUrl(p.url);
    if (!label.trim()) setLabel(p.label);
  };

  return (
    <form className="settings-grid provider-form card" aria-label={editing ? `Edit ${editing.label}` : 'Add a provider'} onSubmit={(e) => void submit(e)}>
      <strong className="span-2">{editing ? `Edit ${editing.label}` : 'Add a provider'}</strong>
      {!editing && (
        <>
          <label htmlFor="provider-kind">Kind</label>
          <select id="provider-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="openai-compatible">OpenAI-compatible server (Ollama, LM Studio, llama.cpp, OpenAI…)</option>
            <option value="local-gguf">Local GGUF model file</option>
          </select>
        </>
      )}
      <label htmlFor="provider-label">Name</label>
      <input id="provider-label" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={100} placeholder="e.g. Ollama on this machine" />
      <label htmlFor="provider-id">Id</label>
      <span className="stack">
        <input
          id="provider-id"
          value={theId}
          readOnly={Boolean(editing)}
          onChange={(e) => {
            setIdTouched(true);
            setId(e.target.value);
          }}
          aria-invalid={theId !== '' && !idOk}
          spellCheck={false}
        />
        {!editing && <span className="meta">lower-case letters, digits, dot, dash or underscore; used in prices and the ledger</span>}
      </span>
      {kind === 'openai-compatible' ? (
        <>
          <label htmlFor="provider-url">Base URL</label>
          <span className="stack">
            <input id="provider-url" type="url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="http://127.0.0.1:11434/v1" spellCheck={false} aria-invalid={baseUrl !== '' && !validUrl(baseUrl.trim())} />
            <span className="meta">
              Ends in /v1.{' '}
              {PRESETS.map((p) => (
                <button key={p.name} type="button" className="link" onClick={() => preset(p)}>
                  {p.name} ({p.url})
                </button>
              ))}
            </span>
          </span>
          <label htmlFor="provider-key">API key</label>
          <KeyField hasKey={editing?.hasKey ?? false} value={key} onChange={setKey} />
          <label htmlFor="provider-structured">Structured output</label>
          <select id="provider-structured" value={structured} onChange={(e) => setStructured(e.target.value as StructuredMode)}>
            {STRUCTURED.map(([v, text]) => (
              <option key={v} value={v}>
                {text}
              </option>
            ))}
          </select>
        </>
      ) : (
        <>
          <label htmlFor="provider-path">Model file</label>
          <input id="provider-path" value={modelPath} onChange={(e) => setModelPath(e.target.value)} placeholder="/home/you/models/qwen2.5-7b-instruct-q4_k_m.gguf" spellCheck={false} />
        </>
      )}
      <label htmlFor="provider-timeout">Time limit</label>
      <span>
        <input id="provider-timeout" inputMode="numeric" size={4} value={timeout} onChange={(e) => setTimeoutText(e.target.value)} aria-invalid={secs === null} /> seconds per call
      </span>
      <span />
      <div className="actions">
        <button type="submit" disabled={!valid}>
          Save provider
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
