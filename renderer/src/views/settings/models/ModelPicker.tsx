import type { ModelRef, ProviderConfig } from '../../../../../shared/domain/models';

/** A provider and a model name on it (the built-in provider has one model, "builtin"). */
export function ModelPicker({ idPrefix, providers, value, onChange }: { idPrefix: string; providers: ProviderConfig[]; value: ModelRef; onChange: (v: ModelRef) => void }) {
  const builtin = value.provider === 'builtin';
  return (
    <span className="inline-form tight">
      <label>
        <span className="sr-only">Provider</span>
        <select id={`${idPrefix}-provider`} value={value.provider} aria-label="Provider" onChange={(e) => onChange({ provider: e.target.value, model: e.target.value === 'builtin' ? 'builtin' : builtin ? '' : value.model })}>
          {providers.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      {!builtin && (
        <label>
          <span className="sr-only">Model</span>
          <input id={`${idPrefix}-model`} value={value.model} aria-label="Model" onChange={(e) => onChange({ ...value, model: e.target.value })} placeholder="model name, e.g. llama3.1:8b" spellCheck={false} size={22} />
        </label>
      )}
    </span>
  );
}
