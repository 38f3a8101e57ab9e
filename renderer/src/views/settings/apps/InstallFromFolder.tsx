import { useState, type FormEvent } from 'react';
import type { AppSource } from '../../../../../shared/domain/apps';
import { keelClient } from '../../../api/client';

/**
 * An app from a folder on the machine Keel runs on (one holding keel-app.json): the desktop's
 * folder picker, or its path typed (a browser cannot see the server's folders).
 */
export function InstallFromFolder({ onReview }: { onReview: (s: AppSource) => void }) {
  const [path, setPath] = useState('');
  const desktop = keelClient().desktop;
  const pick = async () => {
    const chosen = await desktop?.chooseFolder();
    if (chosen) setPath(chosen);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (path.trim()) onReview({ path: path.trim() });
  };
  return (
    <section aria-labelledby="folder-app-title">
      <h2 id="folder-app-title">Install from folder</h2>
      <p className="meta">
        An app is a folder holding its manifest, <code>keel-app.json</code>. {desktop ? 'Choose the folder' : 'Give the folder’s full path on the machine Keel runs on'}; you
        will see what it asks for before anything is installed.
      </p>
      <form className="inline-form row" aria-label="Install from folder" onSubmit={submit}>
        <label className="grow">
          <span className="sr-only">App folder</span>
          <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="/home/you/keel-apps/invoicing" spellCheck={false} />
        </label>
        {desktop && (
          <button type="button" className="secondary" onClick={() => void pick()}>
            Choose…
          </button>
        )}
        <button type="submit" disabled={!path.trim()}>
          Review and install…
        </button>
      </form>
    </section>
  );
}
