import { useEffect, useRef, useState } from 'react';
import type { Memory, Review, ReviewAction } from '../../../../shared/domain/memory';
import { CommandButton } from '../../commands/CommandButton';
import type { CommandId } from '../../commands/registry';
import { documentHref, memoryHref } from '../../routes';
import { reviewMemories } from '../../store/reviews-slice';
import { formatDate } from '../../util/format';
import { KIND_LABEL, STATUS_LABEL } from './labels';

const KIND_TITLE: Record<Review['kind'], string> = { duplicate: 'Duplicate', contradiction: 'Contradiction', stale: 'Stale', proposed: 'Proposed' };

function MemoryColumn({ memory, label, chosen, onChoose }: { memory: Memory; label: string; chosen: boolean; onChoose: () => void }) {
  const p = memory.provenance;
  return (
    <div className={chosen ? 'review-memory chosen' : 'review-memory'} data-testid="review-memory" aria-current={chosen ? 'true' : undefined}>
      <div className="review-memory-head">
        <span className="meta">{label}</span>
        <button type="button" className="link small" onClick={onChoose} aria-pressed={chosen}>
          {chosen ? 'Chosen' : 'Choose'}
        </button>
      </div>
      <p className="memory-statement">{memory.text}</p>
      <dl className="facts compact">
        <dt>Kind · status</dt>
        <dd>
          {KIND_LABEL[memory.kind]} · {STATUS_LABEL[memory.status]}
          {memory.pinned ? ' · pinned' : ''}
        </dd>
        <dt>Valid from</dt>
        <dd>{formatDate(memory.validFrom)}</dd>
        <dt>Last confirmed</dt>
        <dd>{formatDate(memory.lastConfirmedAt)}</dd>
        <dt>From</dt>
        <dd>
          {p.documentId ? <a href={documentHref(p.documentId, p.chunkId)}>a document</a> : (p.source ?? 'unknown')}
          {' · '}
          <a href={memoryHref(memory.id)}>details</a>
        </dd>
      </dl>
    </div>
  );
}

function EditBox({ initial, onSave, onCancel }: { initial: string; onSave: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(initial);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <form
      className="edit-memory"
      aria-label="Edit the chosen memory"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) onSave(text.trim());
      }}
    >
      <textarea
        ref={ref}
        value={text}
        rows={3}
        aria-label="New text"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && text.trim()) onSave(text.trim());
        }}
      />
      <div className="actions">
        <button type="submit">Save (Ctrl+Enter)</button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel (Esc)
        </button>
      </div>
    </form>
  );
}

/** The resolutions a card offers as buttons: the command each runs, and its short label. */
const ACTIONS: { action: ReviewAction; command: CommandId; label: string }[] = [
  { action: 'merge', command: 'review.merge', label: 'Merge' },
  { action: 'keep_newer', command: 'review.keepNewer', label: 'Keep newer' },
  { action: 'keep_both', command: 'review.keepBoth', label: 'Keep both' },
  { action: 'confirm', command: 'review.confirm', label: 'Still true' },
  { action: 'mark_stale', command: 'review.markStale', label: 'Mark stale' },
  { action: 'pin', command: 'review.pin', label: 'Pin' },
  { action: 'edit', command: 'review.edit', label: 'Edit' },
  { action: 'forget', command: 'review.forget', label: 'Forget' },
];

/** A proposal is accepted (made a memory in use), pinned, edited or forgotten; pairs can also be merged. */
function actionsFor(review: Review, count: number): typeof ACTIONS {
  if (review.kind === 'proposed') {
    return ACTIONS.filter((a) => ['confirm', 'pin', 'edit', 'forget'].includes(a.action)).map((a) => (a.action === 'confirm' ? { ...a, label: 'Accept' } : a));
  }
  return ACTIONS.filter((a) => count > 1 || !['merge', 'keep_newer'].includes(a.action));
}

export interface ReviewCardProps {
  review: Review;
  selected: boolean;
  focus: number;
  editing: boolean;
  busy: boolean;
  onSelect: () => void;
  onChoose: (index: number) => void;
  onCommand: (action: ReviewAction) => void;
  onSaveEdit: (text: string) => void;
  onCancelEdit: () => void;
}

/** One review item: why it was raised, the memories side by side, and what can be done. */
export function ReviewCard(p: ReviewCardProps) {
  const memories = reviewMemories(p.review);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (p.selected) ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [p.selected]);
  const labels = memories.length === 2 ? ['Older', 'Newer'] : memories.map((_, i) => `Memory ${i + 1}`);
  return (
    <article
      ref={ref}
      className={p.selected ? 'card review selected' : 'card review'}
      data-testid="review"
      data-kind={p.review.kind}
      aria-current={p.selected ? 'true' : undefined}
      aria-label={`${KIND_TITLE[p.review.kind]}: ${p.review.reason}`}
      onClick={p.selected ? undefined : p.onSelect}
    >
      <header>
        <h3>
          <span className={`kind review-${p.review.kind}`}>{KIND_TITLE[p.review.kind]}</span> {p.review.reason}
        </h3>
        <span className="meta">
          {p.review.similarity !== null ? `similarity ${p.review.similarity} · ` : ''}raised {formatDate(p.review.createdAt)}
        </span>
      </header>
      <div className="review-memories">
        {memories.map((m, i) => (
          <MemoryColumn key={m.id} memory={m} label={labels[i]!} chosen={p.selected && i === p.focus} onChoose={() => p.onChoose(i)} />
        ))}
      </div>
      {p.selected && p.editing && memories[p.focus] && <EditBox initial={memories[p.focus]!.text} onSave={p.onSaveEdit} onCancel={p.onCancelEdit} />}
      {p.selected && !p.editing && (
        <div className="actions wrap" role="group" aria-label="Resolve">
          {actionsFor(p.review, memories.length).map((a) => (
            <CommandButton
              key={a.action}
              id={a.command}
              variant={a.action === 'forget' ? 'danger' : a.action === 'keep_newer' || a.action === 'merge' ? undefined : 'secondary'}
              disabled={p.busy}
              run={() => p.onCommand(a.action)}
            >
              {a.label}
            </CommandButton>
          ))}
        </div>
      )}
    </article>
  );
}
