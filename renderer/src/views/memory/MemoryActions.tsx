import { useState } from 'react';
import type { Memory } from '../../../../shared/domain/memory';
import { useKeel } from '../../store/store';

/** Pin, archive, mark stale, confirm, forget and edit: each a recorded, undoable change. */
export function MemoryActions({ memory }: { memory: Memory }) {
  const command = useKeel((s) => s.memoryCommand);
  const edit = useKeel((s) => s.editMemory);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(memory.text);
  if (editing) {
    return (
      <form
        className="edit-memory"
        aria-label="Edit the memory's text"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await edit(memory.id, text.trim())) setEditing(false);
        }}
      >
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={3} autoFocus aria-label="Text" onKeyDown={(e) => e.key === 'Escape' && setEditing(false)} />
        <div className="actions">
          <button type="submit" disabled={!text.trim() || text.trim() === memory.text}>
            Save
          </button>
          <button type="button" className="secondary" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </div>
      </form>
    );
  }
  return (
    <div className="actions wrap">
      <button type="button" onClick={() => void command(memory.id, memory.pinned ? 'unpin' : 'pin')}>
        {memory.pinned ? 'Unpin' : 'Pin'}
      </button>
      <button type="button" className="secondary" onClick={() => void command(memory.id, 'confirm')} title="Still true: resets its staleness clock">
        Confirm
      </button>
      {memory.status === 'active' ? (
        <>
          <button type="button" className="secondary" onClick={() => void command(memory.id, 'mark_stale')}>
            Mark stale
          </button>
          <button type="button" className="secondary" onClick={() => void command(memory.id, 'archive')}>
            Archive
          </button>
        </>
      ) : (
        <button type="button" className="secondary" onClick={() => void command(memory.id, 'activate')}>
          Make active
        </button>
      )}
      <button
        type="button"
        className="secondary"
        onClick={() => {
          setText(memory.text);
          setEditing(true);
        }}
      >
        Edit text
      </button>
      <button type="button" className="danger" onClick={() => void command(memory.id, 'forget')}>
        Forget
      </button>
    </div>
  );
}
