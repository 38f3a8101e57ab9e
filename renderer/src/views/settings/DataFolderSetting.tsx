import { useState } from 'react';
import type { DataFolderPlan } from '../../../../shared/api/bridge';
import { keelClient } from '../../api/client';

type Step = { at: 'idle' } | { at: 'confirm'; plan: DataFolderPlan } | { at: 'changing'; plan: DataFolderPlan };

const CONFIRM = {
  move: (p: DataFolderPlan) => `Keel will close, copy all its data (database, documents, workspace) to ${p.to}, and restart there. ${p.from} stays as it is: delete it yourself once all is well.`,
  use: (p: DataFolderPlan) => `${p.to} already holds Keel's data. Keel will restart on it as it is; what is in ${p.from} stays there, unused.`,
};

/**
 * Where Keel keeps its data. The desktop app can move it (the OS picker, then a plan the shell
 * checks before anything closes, then a confirmation); a headless server is given it with --data.
 */
export function DataFolderSetting({ dataDir }: { dataDir: string }) {
  const desktop = keelClient().desktop;
  const [step, setStep] = useState<Step>({ at: 'idle' });
  const [error, setError] = useState<string | null>(null);

  const choose = async () => {
    setError(null);
    const path = await desktop!.chooseFolder();
    if (!path) return;
    const planned = await desktop!.planDataFolder(path);
    if (planned.ok) setStep({ at: 'confirm', plan: planned.value });
    else setError(planned.error);
  };
  const change = async (plan: DataFolderPlan) => {
    setStep({ at: 'changing', plan });
    const done = await desktop!.changeDataFolder(plan.to);
    // On success the app restarts; an answer here is a refusal.
    if (!done.ok) {
      setError(done.error);
      setStep({ at: 'idle' });
    }
  };

  return (
    <div className="data-folder">
      <code data-testid="data-dir">{dataDir}</code>
      {!desktop ? (
        <p className="meta" data-testid="data-dir-hint">
          This server was given its data folder when it started; to use another, start it with <code>npm run serve -- --data FOLDER</code>.
        </p>
      ) : step.at === 'idle' ? (
        <button type="button" className="secondary small" onClick={() => void choose()}>
          Change…
        </button>
      ) : (
        <div className="confirm" role="group" aria-label="Change the data folder">
          <p>{CONFIRM[step.plan.kind](step.plan)}</p>
          <button type="button" disabled={step.at === 'changing'} onClick={() => void change(step.plan)}>
            {step.at === 'changing' ? (step.plan.kind === 'move' ? 'Copying…' : 'Restarting…') : step.plan.kind === 'move' ? 'Move and restart' : 'Switch and restart'}
          </button>
          <button type="button" className="secondary" disabled={step.at === 'changing'} onClick={() => setStep({ at: 'idle' })}>
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
