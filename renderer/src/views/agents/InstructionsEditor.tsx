import { useEffect, useState, type FormEvent } from 'react';
import type { Agent } from '../../../../shared/domain/agents';
import { useKeel } from '../../store/store';

/** An agent's instructions: saving makes a new version, with an optional note saying why. */
export function InstructionsEditor({ agent }: { agent: Agent }) {
  const update = useKeel((s) => s.updateAgent);
  const [text, setText] = useState(agent.instructions);
  const [note, setNote] = useState('');
  useEffect(() => setText(agent.instructions), [agent.instructions]);
  const dirty = text.trim() !== '' && text !== agent.instructions;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!dirty) return;
    const ok = await update(agent.name, { instructions: text, ...(note.trim() ? { note: note.trim() } : {}) }, `${agent.name}: instructions saved as a new version.`);
    if (ok) setNote('');
  };
  return (
    <form className="instructions" aria-label="Instructions" onSubmit={(e) => void submit(e)}>
      <textarea value={text} onChange={(e) => setText(e.target.value)} rows={12} maxLength={20_000} aria-label="Instructions" spellCheck />
      <div className="inline-form">
        <label className="grow">
          <span className="sr-only">Note for this version</span>
          <input value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} placeholder="What changed and why (optional, kept with the version)" />
        </label>
        <button type="submit" disabled={!dirty}>
          Save as version {agent.version + 1}
        </button>
        <button type="button" className="secondary" disabled={text === agent.instructions} onClick={() => setText(agent.instructions)}>
          Discard
        </button>
      </div>
    </form>
  );
}
