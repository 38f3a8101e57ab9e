import { useState, type FormEvent } from 'react';
import { keelClient } from '../../api/client';
import { useKeel } from '../../store/store';
import { plural } from '../../util/format';

/** Watched folders: their files are ingested, and changes followed. */
export function FoldersSection() {
  const folders = useKeel((s) => s.folders);
  const add = useKeel((s) => s.addFolder);
  const remove = useKeel((s) => s.removeFolder);
  const [path, setPath] = useState('');
  const desktop = keelClient().desktop;
  const pick = async () => {
    const chosen = await desktop?.chooseFolder();
    if (chosen) setPath(chosen);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (path.trim() && (await add(path.trim()))) setPath('');
  };
  return (
    <section aria-labelledby="folders-title">
      <h2 id="folders-title">Watched folders</h2>
      {folders.length === 0 ? (
        <p className="meta">No folder is watched. Add one: its files are ingested, and new, changed and deleted files are followed.</p>
      ) : (
        <ul className="folders">
          {folders.map((f) => (
            <li key={f.id} data-testid="folder">
              <code>{f.path}</code>
              <span className="meta">{plural(f.documents, 'document')}</span>
              {f.error && <span className="error">{f.error}</span>}
              <button type="button" className="secondary small" onClick={() => void remove(f.id)} aria-label={`Stop watching ${f.path}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" aria-label="Watch a folder" onSubmit={(e) => void submit(e)}>
        <label className="grow">
          <span className="sr-only">Folder path</span>
          <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="/home/you/Documents/Clients" spellCheck={false} />
        </label>
        {desktop && (
          <button type="button" className="secondary" onClick={() => void pick()}>
            Choose…
          </button>
        )}
        <button type="submit" disabled={!path.trim()}>
          Watch folder
        </button>
      </form>
    </section>
  );
}
