import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ReviewAction } from '../../../../shared/domain/memory';
import { useKeel } from '../../store/store';
import { plural } from '../../util/format';
import { ReviewCard } from './ReviewCard';
import { useCommand } from '../../commands/bindings';
import { commandsOf, keyLabel } from '../../commands/registry';
import { useWhenConnected } from '../../app/useWhenConnected';

function CurationBar() {
  const { run, curating, report } = useKeel(useShallow((s) => ({ run: s.runCuration, curating: s.curating, report: s.curation })));
  return (
    <div className="curation-bar">
      <button type="button" onClick={() => void run()} disabled={curating}>
        {curating ? 'Curating…' : 'Run curation now'}
      </button>
      {report && (
        <span className="meta" role="status" data-testid="curation-report">
          Found {plural(report.duplicates, 'duplicate')}, {plural(report.contradictions, 'contradiction')}, {report.stale} stale; archived {report.archived}, deleted{' '}
          {report.deleted}.
        </span>
      )}
    </div>
  );
}

function ShortcutList() {
  return (
    <aside className="shortcuts" aria-labelledby="shortcuts-title">
      <h3 id="shortcuts-title">Keyboard</h3>
      <dl>
        {commandsOf('Memory review').map(([id, info]) => (
          <div key={id}>
            <dt>
              {info.keys.map((k) => (
                <kbd key={k}>{keyLabel(k)}</kbd>
              ))}
            </dt>
            <dd>{info.label}</dd>
          </div>
        ))}
      </dl>
    </aside>
  );
}

/**
 * The curation queue: duplicates, contradictions and stale memories, resolved with buttons or
 * the keyboard (listed on screen). After a resolution the next item is selected; `u` undoes.
 */
export function ReviewQueue() {
  const s = useKeel(
    useShallow((st) => ({
      reviews: st.reviews,
      loaded: st.reviewsLoaded,
      index: st.reviewIndex,
      focus: st.reviewFocus,
      busy: st.reviewBusy,
      error: st.reviewsError,
      notice: st.reviewNotice,
      refresh: st.refreshReviews,
      select: st.selectReview,
      move: st.moveReview,
      moveFocus: st.moveReviewFocus,
      choose: st.chooseReviewMemory,
      resolve: st.resolveReview,
      undo: st.undoLastResolution,
    })),
  );
  const [editing, setEditing] = useState(false);
  const { refresh, move, moveFocus, resolve, undo } = s;

  useWhenConnected(refresh, [refresh]);
  // An edit belongs to the item it was opened on.
  useEffect(() => setEditing(false), [s.index]);

  // Keys and buttons run the same registered commands.
  useCommand('review.next', () => move(1));
  useCommand('review.previous', () => move(-1));
  useCommand('review.left', () => moveFocus(-1));
  useCommand('review.right', () => moveFocus(1));
  useCommand('review.undo', () => void undo());
  useCommand('review.edit', () => setEditing(true));
  useCommand('review.merge', () => void resolve('merge'));
  useCommand('review.keepNewer', () => void resolve('keep_newer'));
  useCommand('review.keepBoth', () => void resolve('keep_both'));
  useCommand('review.confirm', () => void resolve('confirm'));
  useCommand('review.markStale', () => void resolve('mark_stale'));
  useCommand('review.pin', () => void resolve('pin'));
  useCommand('review.forget', () => void resolve('forget'));

  const onCommand = (action: ReviewAction) => (action === 'edit' ? setEditing(true) : void resolve(action));
  return (
    <div className="review-queue">
      <CurationBar />
      <div className="notice-bar" role="status">
        {s.error ? <span className="error">{s.error}</span> : s.notice}
      </div>
      <div className="review-layout">
        <div className="review-list" role="list" aria-label="Open review items">
          {s.loaded && s.reviews.length === 0 && <p className="meta">Nothing to review. Curation runs on a schedule; run it now to check.</p>}
          {s.reviews.map((r, i) => (
            <div role="listitem" key={r.id}>
              <ReviewCard
                review={r}
                selected={i === s.index}
                focus={s.focus}
                editing={editing}
                busy={s.busy}
                onSelect={() => s.select(i)}
                onChoose={(m) => s.choose(i, m)}
                onCommand={onCommand}
                onSaveEdit={(text) => {
                  setEditing(false);
                  void resolve('edit', text);
                }}
                onCancelEdit={() => setEditing(false)}
              />
            </div>
          ))}
        </div>
        <ShortcutList />
      </div>
    </div>
  );
}
