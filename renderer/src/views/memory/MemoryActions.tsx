import { useState } from 'react';
import type { Memory } from '../../../../shared/domain/memory';
import { useCommand } from '../../commands/bindings';
import { CommandButton } from '../../commands/CommandButton';
import { useKeel } from '../../store/store';

/** Pin, archive, mark stale, confirm, forget and edit: each a recorded, undoable change. */
export function MemoryActions({ memory }: { memory: Memory }) {
  const command = useKeel((s) => s.memoryCommand);
  const edit = useKeel((s) => s.editMemory);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(memory.text);
  const pin = () => void command(memory.id, memory.pinned ? 'unpin' : 'pin');
  const confirm = () => void command(memory.id, 'confirm');
  const markStale = () => void command(memory.id, 'mark_stale');
  const forget = () => void command(memory.id, 'forget');
  const startEdit = () => {
    setText(memory.text);
    setEditing(true);
  };
  // The keys work while the text is not being edited (a key in the text box is typing anyway).
  useCommand('memory.pin', pin, !editing);
  useCommand('memory.confirm', confirm, !editing);
  useCommand('memory.markStale', markStale, !editing && memory.status === 'active');
  useCommand('memory.edit', startEdit, !editing);
  useCommand('memory.forget', forget, !editing);
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
      <CommandButton id="memory.pin" run={pin}>
        {memory.pinned ? 'Unpin' : 'Pin'}
      </CommandButton>
      <CommandButton id="memory.confirm" run={confirm} variant="secondary">
        Confirm
      </CommandButton>
      {memory.status === 'active' ? (
        <>
          <CommandButton id="memory.markStale" run={markStale} variant="secondary">
            Mark stale
          </CommandButton>
          <CommandButton id="memory.archive" run={() => void command(memory.id, 'archive')} variant="secondary">
            Archive
          </CommandButton>
        </>
      ) : (
        <CommandButton id="memory.activate" run={() => void command(memory.id, 'activate')} variant="secondary">
          Make active
        </CommandButton>
      )}
      <CommandButton id="memory.edit" run={startEdit} variant="secondary">
        Edit text
      </CommandButton>
      <CommandButton id="memory.forget" run={forget} variant="danger">
        Forget
      </CommandButton>
    </div>
  );
}
