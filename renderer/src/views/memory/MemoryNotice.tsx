import { useKeel } from '../../store/store';

/** "Remembered. Undo": the last change made here, undoable in one click; errors beside it. */
export function MemoryNotice() {
  const last = useKeel((s) => s.lastMemoryChange);
  const error = useKeel((s) => s.memoriesError);
  const undo = useKeel((s) => s.undoMemoryChange);
  return (
    <div className="notice-bar" role="status">
      {error && <span className="error">{error}</span>}
      {!error && last && (
        <>
          <span>{last.label}.</span>
          <button type="button" className="link" onClick={() => void undo(last.changeId)}>
            Undo
          </button>
        </>
      )}
    </div>
  );
}
