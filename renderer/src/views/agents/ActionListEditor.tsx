import { useId, useState, type KeyboardEvent } from 'react';
import { ACTION_PATTERN, KNOWN_ACTIONS } from './labels';

/** A list of `adapter.action` strings: each removable, new ones typed (checked as they are added). */
export function ActionListEditor({ label, value, onChange }: { label: string; value: string[]; onChange: (next: string[]) => void }) {
  const [text, setText] = useState('');
  const listId = useId();
  const entry = text.trim();
  const valid = ACTION_PATTERN.test(entry) && !value.includes(entry);
  const add = () => {
    if (!valid) return;
    onChange([...value, entry]);
    setText('');
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      add();
    }
  };
  return (
    <div className="action-list" role="group" aria-label={label}>
      <ul className="chips">
        {value.length === 0 && <li className="meta">none</li>}
        {value.map((p) => (
          <li key={p} className="chip-item">
            <code>{p}</code>
            <button type="button" className="link" aria-label={`Remove ${p} from ${label.toLowerCase()}`} onClick={() => onChange(value.filter((x) => x !== p))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <span className="inline-form tight">
        <input
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          list={listId}
          placeholder="adapter.action, e.g. email.send"
          aria-label={`Add to ${label.toLowerCase()}`}
          aria-invalid={entry !== '' && !ACTION_PATTERN.test(entry)}
          spellCheck={false}
          size={24}
        />
        <datalist id={listId}>
          {KNOWN_ACTIONS.filter((a) => !value.includes(a)).map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <button type="button" className="secondary small" onClick={add} disabled={!valid}>
          Add
        </button>
      </span>
    </div>
  );
}
