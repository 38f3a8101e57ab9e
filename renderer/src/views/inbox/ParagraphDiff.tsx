import { diffWords } from 'diff';
import { useEffect, useRef } from 'react';
import type { DraftChange } from './proposals';

/** One side of a changed paragraph, words that differ marked (deleted on the left, inserted on the right). */
function Side({ before, after, side }: { before: string; after: string; side: 'before' | 'after' }) {
  const parts = diffWords(before, after);
  return (
    <>
      {parts.map((p, i) => {
        if (side === 'before' && p.added) return null;
        if (side === 'after' && p.removed) return null;
        if (p.removed) return <del key={i}>{p.value}</del>;
        if (p.added) return <ins key={i}>{p.value}</ins>;
        return <span key={i}>{p.value}</span>;
      })}
    </>
  );
}

const KIND = { changed: 'changed', added: 'added', removed: 'removed' } as const;

/** A revision's change to one paragraph: before → after, word by word, and why. */
export function ParagraphDiff({ change, accepted, focused, onToggle }: { change: DraftChange; accepted: boolean; focused: boolean; onToggle: (v: boolean) => void }) {
  const { before, after } = change;
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (focused) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [focused]);
  return (
    <li
      ref={ref}
      className={`change change-${change.kind}${focused ? ' focused' : ''}${accepted ? '' : ' declined'}`}
      data-testid="change"
      data-index={change.index}
      data-accepted={accepted}
      aria-current={focused ? 'true' : undefined}
    >
      <div className="change-head">
        <label>
          <input type="checkbox" checked={accepted} onChange={(e) => onToggle(e.target.checked)} aria-label={`Accept the change to paragraph ${change.index + 1}`} /> Accept
        </label>
        <span className="meta">
          Paragraph {change.index + 1} {KIND[change.kind]}
        </span>
      </div>
      <div className="diff">
        {before !== null && (
          <>
            <span className="diff-label">Before</span>
            <p className="diff-before" data-testid="change-before">
              {after !== null ? <Side before={before} after={after} side="before" /> : <del>{before}</del>}
            </p>
          </>
        )}
        {after !== null && (
          <>
            <span className="diff-label">After</span>
            <p className="diff-after" data-testid="change-after">
              {before !== null ? <Side before={before} after={after} side="after" /> : <ins>{after}</ins>}
            </p>
          </>
        )}
        <span className="diff-label">Why</span>
        <p className="reason" data-testid="change-reason">
          {change.reason}
        </p>
      </div>
    </li>
  );
}
