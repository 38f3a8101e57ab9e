import type { MemoryChange } from '../../../../shared/domain/memory';
import { useKeel } from '../../store/store';
import { formatDate } from '../../util/format';

function describe(c: MemoryChange): string {
  if (!c.before && c.after) return `“${c.after.text}”`;
  if (c.before && !c.after) return 'removed';
  if (c.before && c.after) {
    const parts: string[] = [];
    if (c.before.text !== c.after.text) parts.push(`text “${c.before.text}” → “${c.after.text}”`);
    if (c.before.status !== c.after.status) parts.push(`${c.before.status} → ${c.after.status}`);
    if (c.before.pinned !== c.after.pinned) parts.push(c.after.pinned ? 'pinned' : 'unpinned');
    if (c.before.validTo !== c.after.validTo) parts.push(c.after.validTo ? `valid until ${formatDate(c.after.validTo)}` : 'valid again');
    return parts.join('; ') || 'no visible change';
  }
  return '';
}

/** Every change to a memory, newest first, each undoable (the core refuses out-of-order undos). */
export function MemoryHistory({ history }: { history: MemoryChange[] }) {
  const undo = useKeel((s) => s.undoMemoryChange);
  if (history.length === 0) return <p className="meta">No changes recorded.</p>;
  return (
    <ol className="history" aria-label="History">
      {history.map((c) => (
        <li key={c.seq} data-testid="memory-change">
          <span className="action">{c.action.replace('_', ' ')}</span>
          <span className="what">{describe(c)}</span>
          <span className="meta">
            {c.actor} · {formatDate(c.at)}
          </span>
          {c.undoneBy ? (
            <span className="meta">undone</span>
          ) : c.action === 'undo' ? null : (
            <button type="button" className="secondary small" onClick={() => void undo(c.changeId)} aria-label={`Undo ${c.action} of ${formatDate(c.at)}`}>
              Undo
            </button>
          )}
        </li>
      ))}
    </ol>
  );
}
