export interface VarRow {
  name: string;
  value: string;
  secret: boolean;
  /** The stored secret's mask ("••••ab12"): a blank value keeps it. */
  masked: string | null;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,100}$/;
export const varNameOk = (n: string) => NAME.test(n);

/** Environment variables or HTTP headers: name, value, and whether the value is a secret (encrypted, shown masked). */
export function VarsEditor({ id, label, rows, onChange }: { id: string; label: string; rows: VarRow[]; onChange: (rows: VarRow[]) => void }) {
  const put = (i: number, patch: Partial<VarRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="vars settings-fieldset" aria-describedby={`${id}-hint`}>
      <legend>{label}</legend>
      <p id={`${id}-hint`} className="meta small-text">
        Mark API keys and tokens as secret: they are stored encrypted and only ever shown masked; a stored secret left blank is kept.
      </p>
      {rows.map((r, i) => (
        <div className="var-row" key={i}>
          <input aria-label={`${label} ${i + 1}: name`} value={r.name} onChange={(e) => put(i, { name: e.target.value })} placeholder="NAME" spellCheck={false} aria-invalid={r.name !== '' && !varNameOk(r.name)} />
          <input
            aria-label={`${label} ${i + 1}: value`}
            type={r.secret ? 'password' : 'text'}
            value={r.value}
            onChange={(e) => put(i, { value: e.target.value })}
            placeholder={r.secret && r.masked ? `stored ${r.masked}` : 'value'}
            autoComplete="off"
            spellCheck={false}
          />
          <label className="checkbox">
            <input type="checkbox" checked={r.secret} onChange={(e) => put(i, { secret: e.target.checked })} /> secret
          </label>
          <button type="button" className="secondary small" onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove ${r.name || `${label} ${i + 1}`}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="secondary small" onClick={() => onChange([...rows, { name: '', value: '', secret: false, masked: null }])}>
        Add
      </button>
    </fieldset>
  );
}
