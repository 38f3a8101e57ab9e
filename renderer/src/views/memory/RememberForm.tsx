import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { MemoryKind } from '../../../../shared/domain/memory';
import { useKeel } from '../../store/store';
import { KIND_LABEL, KINDS } from './labels';

/** Keeps a memory the operator states: its kind, its words, and optionally what it is about. */
export function RememberForm({ onDone }: { onDone: () => void }) {
  const remember = useKeel((s) => s.remember);
  const entities = useKeel((s) => s.entities);
  const refreshEntities = useKeel((s) => s.refreshEntities);
  const [kind, setKind] = useState<MemoryKind>('fact');
  const [text, setText] = useState('');
  const [entityId, setEntityId] = useState('');
  const [attribute, setAttribute] = useState('');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const uid = useId();

  useEffect(() => {
    void refreshEntities();
    textRef.current?.focus();
  }, [refreshEntities]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    const saved = await remember({
      kind,
      text: text.trim(),
      ...(entityId ? { entityId } : {}),
      ...(entityId && attribute.trim() ? { attribute: attribute.trim(), value: value.trim() || null } : {}),
    });
    setBusy(false);
    if (saved) onDone();
  };

  return (
    <form className="card remember" aria-label="Remember something" onSubmit={(e) => void submit(e)} onKeyDown={(e) => e.key === 'Escape' && onDone()}>
      <div className="field-row">
        <label>
          Kind{' '}
          <select value={kind} onChange={(e) => setKind(e.target.value as MemoryKind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          About{' '}
          <select value={entityId} onChange={(e) => setEntityId(e.target.value)}>
            <option value="">Nothing in particular</option>
            {entities.map((en) => (
              <option key={en.id} value={en.id}>
                {en.name} ({en.type})
              </option>
            ))}
          </select>
        </label>
      </div>
      <label htmlFor={`${uid}-text`}>What to remember</label>
      <textarea id={`${uid}-text`} ref={textRef} value={text} onChange={(e) => setText(e.target.value)} rows={3} required maxLength={20_000} />
      {entityId && (
        <div className="field-row">
          <label>
            Attribute <input value={attribute} onChange={(e) => setAttribute(e.target.value)} placeholder="e.g. payment terms" />
          </label>
          <label>
            Value <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="e.g. 30 days" />
          </label>
        </div>
      )}
      <div className="actions">
        <button type="submit" disabled={busy || !text.trim()}>
          Remember
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
