import { useEffect, useState, type FormEvent } from 'react';
import type { MemoryKind, RetentionPolicies, RetentionPolicy } from '../../../../shared/domain/memory';
import { useKeel } from '../../store/store';
import { KIND_LABEL, KINDS } from '../memory/labels';

type Field = keyof RetentionPolicy;
type Draft = Record<MemoryKind, Record<Field, string>>;

const FIELDS: [Field, string][] = [
  ['staleAfterDays', 'Review as stale after'],
  ['archiveAfterDays', 'Archive after'],
  ['deleteAfterDays', 'Delete after'],
];

const toDraft = (r: RetentionPolicies): Draft =>
  Object.fromEntries(KINDS.map((k) => [k, Object.fromEntries(FIELDS.map(([f]) => [f, r[k]?.[f]?.toString() ?? '']))])) as Draft;

/** Blank means never; otherwise a whole number of days. */
const days = (s: string): number | null | undefined => (s.trim() === '' ? null : /^\d+$/.test(s.trim()) && Number(s) > 0 ? Number(s) : undefined);

/** How long each kind of memory lives unconfirmed (pinned memories are never touched). */
export function RetentionSection() {
  const retention = useKeel((s) => s.memorySettings?.retention);
  const save = useKeel((s) => s.saveSettings);
  const [draft, setDraft] = useState<Draft | null>(retention ? toDraft(retention) : null);
  useEffect(() => setDraft(retention ? toDraft(retention) : null), [retention]);
  if (!draft) return null;

  const valid = KINDS.every((k) => FIELDS.every(([f]) => days(draft[k][f]) !== undefined));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    const policies = Object.fromEntries(KINDS.map((k) => [k, Object.fromEntries(FIELDS.map(([f]) => [f, days(draft[k][f])]))])) as RetentionPolicies;
    void save({ retention: policies }, 'Retention saved; the next curation pass applies it.');
  };
  return (
    <section aria-labelledby="retention-title">
      <h2 id="retention-title">Retention</h2>
      <p className="meta">Days since a memory was last confirmed; blank means never. Pinned memories are kept.</p>
      <form aria-label="Retention" onSubmit={submit}>
        <table className="retention">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              {FIELDS.map(([f, label]) => (
                <th key={f} scope="col">
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {KINDS.map((k) => (
              <tr key={k}>
                <th scope="row">{KIND_LABEL[k]}</th>
                {FIELDS.map(([f, label]) => (
                  <td key={f}>
                    <input
                      inputMode="numeric"
                      size={6}
                      value={draft[k][f]}
                      placeholder="never"
                      aria-label={`${KIND_LABEL[k]}: ${label} (days)`}
                      aria-invalid={days(draft[k][f]) === undefined}
                      onChange={(e) => setDraft({ ...draft, [k]: { ...draft[k], [f]: e.target.value } })}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <div className="actions">
          <button type="submit" disabled={!valid}>
            Save retention
          </button>
        </div>
      </form>
    </section>
  );
}
