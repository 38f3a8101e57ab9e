import { useState, type KeyboardEvent } from 'react';
import type { InstalledApp } from '../../../../../shared/domain/apps';
import { useKeel } from '../../../store/store';
import type { Outcome } from '../../../util/outcome';
import { plural } from '../../../util/format';

type State = { at: 'idle' } | { at: 'asking'; keepData: boolean; refused: Extract<Outcome, { ok: false }> | null } | { at: 'working'; keepData: boolean; cancelRuns: boolean };

/**
 * Uninstall with the operator's choice of keeping or removing the app's records. Runs in
 * flight make the API refuse: its message is shown, with the offer to cancel them first.
 */
export function UninstallControl({ app }: { app: InstalledApp }) {
  const uninstall = useKeel((s) => s.uninstallApp);
  const [state, setState] = useState<State>({ at: 'idle' });
  const records = app.entities.reduce((n, e) => n + e.records, 0);
  if (state.at === 'idle') {
    return (
      <button type="button" className="danger" onClick={() => setState({ at: 'asking', keepData: true, refused: null })} aria-label={`Uninstall ${app.name}…`}>
        Uninstall…
      </button>
    );
  }
  const go = async (keepData: boolean, cancelRuns: boolean) => {
    setState({ at: 'working', keepData, cancelRuns });
    const out = await uninstall(app.id, keepData, cancelRuns);
    // Done: the card goes away with the app. Refused: say why, next to the buttons.
    if (!out.ok) setState({ at: 'asking', keepData, refused: out });
  };
  const working = state.at === 'working';
  const refused = state.at === 'asking' ? state.refused : null;
  const close = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && !working) setState({ at: 'idle' });
  };
  const name = `uninstall-${app.id}-data`;
  return (
    <div className="confirm uninstall" role="group" aria-label={`Uninstall ${app.name}`} onKeyDown={close}>
      <p>
        Uninstalling removes {app.name}’s agents, workflows, schedules and subscriptions.{' '}
        {records > 0 ? `What about its ${plural(records, 'record')}?` : 'It holds no records yet.'}
      </p>
      <label className="radio">
        <input type="radio" name={name} checked={state.keepData} disabled={working} onChange={() => setState({ at: 'asking', keepData: true, refused: null })} autoFocus /> Keep its data
        <span className="meta"> (its records stay in Keel)</span>
      </label>
      <label className="radio">
        <input type="radio" name={name} checked={!state.keepData} disabled={working} onChange={() => setState({ at: 'asking', keepData: false, refused: null })} /> Remove its data
        <span className="meta"> (deleted for good)</span>
      </label>
      {refused && (
        <p className="error" role="alert" data-testid="uninstall-error">
          {refused.error}
        </p>
      )}
      <div className="actions">
        {refused?.code === 'conflict' ? (
          <button type="button" className="danger" disabled={working} onClick={() => void go(state.keepData, true)}>
            Cancel its runs and uninstall
          </button>
        ) : (
          <button type="button" className="danger" disabled={working} onClick={() => void go(state.keepData, false)}>
            {state.at === 'working' ? (state.cancelRuns ? 'Cancelling its runs…' : 'Uninstalling…') : `Uninstall ${app.name}`}
          </button>
        )}
        <button type="button" className="secondary" disabled={working} onClick={() => setState({ at: 'idle' })}>
          Cancel
        </button>
      </div>
    </div>
  );
}
