import { useEffect, useState, type FormEvent } from 'react';
import type { IngestLimits } from '../../../../shared/domain/documents';
import { useKeel } from '../../store/store';

const MB = 1024 * 1024;

interface Draft {
  maxFileMb: string;
  maxPages: string;
  parseSeconds: string;
}

const toDraft = (l: IngestLimits): Draft => ({ maxFileMb: String(Math.round(l.maxFileBytes / MB)), maxPages: String(l.maxPages), parseSeconds: String(Math.round(l.parseTimeoutMs / 1000)) });
const positive = (s: string) => (/^\d+$/.test(s.trim()) && Number(s) > 0 ? Number(s) : null);

/** What a single file may cost: size, pages and parse time. */
export function LimitsSection() {
  const limits = useKeel((s) => s.memorySettings?.limits);
  const save = useKeel((s) => s.saveSettings);
  const [draft, setDraft] = useState<Draft | null>(limits ? toDraft(limits) : null);
  useEffect(() => setDraft(limits ? toDraft(limits) : null), [limits]);
  if (!draft) return null;

  const mb = positive(draft.maxFileMb);
  const pages = positive(draft.maxPages);
  const secs = positive(draft.parseSeconds);
  const valid = mb !== null && pages !== null && secs !== null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (valid) void save({ limits: { maxFileBytes: mb * MB, maxPages: pages, parseTimeoutMs: secs * 1000 } }, 'Ingestion limits saved.');
  };
  const field = (id: keyof Draft, label: string, unit: string) => (
    <>
      <label htmlFor={`limit-${id}`}>{label}</label>
      <span>
        <input id={`limit-${id}`} inputMode="numeric" value={draft[id]} onChange={(e) => setDraft({ ...draft, [id]: e.target.value })} aria-invalid={positive(draft[id]) === null} size={8} /> {unit}
      </span>
    </>
  );
  return (
    <section aria-labelledby="limits-title">
      <h2 id="limits-title">Ingestion limits</h2>
      <form className="settings-grid" aria-label="Ingestion limits" onSubmit={submit}>
        {field('maxFileMb', 'Largest file', 'MB')}
        {field('maxPages', 'Most pages', 'pages')}
        {field('parseSeconds', 'Parse time limit', 'seconds per file')}
        <span />
        <div className="actions">
          <button type="submit" disabled={!valid}>
            Save limits
          </button>
        </div>
      </form>
    </section>
  );
}
