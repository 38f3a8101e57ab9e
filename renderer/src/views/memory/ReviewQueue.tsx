import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ReviewAction } from '../../../../shared/domain/memory';
import { useKeel } from '../../store/store';
import { plural } from '../../util/format';
import { ReviewCard } from './ReviewCard';
import { commandFor, SHORTCUTS, type ReviewCommand } from './shortcuts';
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
        {SHORTCUTS.map((s) => (
          <div key={s.command}>
            <dt>
              {s.keys.map((k) => (
                <kbd key={k}>{k}</kbd>
              ))}
            </dt>
            <dd>{s.label}</dd>
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

  useEffect(() => {
    const run = (command: ReviewCommand) => {
      if (command === 'next') return move(1);
      if (command === 'previous') return move(-1);
      if (command === 'left') return moveFocus(-1);
      if (command === 'right') return moveFocus(1);
      if (command === 'undo') return void undo();
      if (command === 'edit') return setEditing(true);
      void resolve(command as ReviewAction);
    };
    const onKey = (e: KeyboardEvent) => {
      const command = commandFor(e);
      if (!command) return;
      e.preventDefault();
      run(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [move, moveFocus, resolve, undo]);

  const onCommand = (command: ReviewCommand) => (command === 'edit' ? setEditing(true) : void resolve(command as ReviewAction));
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
