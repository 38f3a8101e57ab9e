import { useEffect, useRef, useState } from 'react';
import type { AppPreview, AppSource, InstalledApp } from '../../../../../shared/domain/apps';
import { useKeel } from '../../../store/store';
import type { Outcome } from '../../../util/outcome';
import { PreviewDetails } from './PreviewDetails';
import { Problems } from './Problems';

const sourceText = (s: AppSource) => ('bundled' in s ? `the app "${s.bundled}" that comes with Keel` : s.path);

function title(p: AppPreview): string {
  if (p.installed === null) return `Install ${p.name} ${p.version}?`;
  if (p.installed === p.version) return `Install ${p.name} ${p.version} again?`;
  return `Upgrade ${p.name} from ${p.installed} to ${p.version}?`;
}

/**
 * The operator's consent to an app: what apps.preview says it registers and asks for, problems
 * first. "Allow" sends exactly the permissions shown. Escape or Cancel closes it, except while
 * installing (the answer is shown here).
 */
export function ConsentDialog({ source, onClose }: { source: AppSource; onClose: (installed: InstalledApp | null) => void }) {
  const preview = useKeel((s) => s.previewApp);
  const install = useKeel((s) => s.installApp);
  const ref = useRef<HTMLDialogElement>(null);
  const [shown, setShown] = useState<Outcome<AppPreview> | null>(null);
  const [installing, setInstalling] = useState(false);
  const [refused, setRefused] = useState<Extract<Outcome, { ok: false }> | null>(null);
  const result = useRef<InstalledApp | null>(null);

  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
    let live = true;
    void preview(source).then((out) => live && setShown(out));
    return () => {
      live = false;
    };
  }, []);

  const p = shown?.ok ? shown.value : null;
  const blocked = !p || p.problems.length > 0;
  const allow = async () => {
    if (!p || blocked) return;
    setInstalling(true);
    setRefused(null);
    const out = await install(source, p.permissions.map((x) => x.permission));
    setInstalling(false);
    if (out.ok) {
      result.current = out.value;
      ref.current?.close();
    } else setRefused(out);
  };
  const verb = p && p.installed !== null && p.installed !== p.version ? 'upgrade' : 'install';

  return (
    <dialog
      ref={ref}
      className="consent"
      aria-labelledby="consent-title"
      aria-busy={!shown || installing}
      data-testid="consent-dialog"
      onCancel={(e) => installing && e.preventDefault()}
      onClose={() => onClose(result.current)}
    >
      <h2 id="consent-title">{p ? title(p) : shown ? 'This app cannot be installed' : 'Reading the app…'}</h2>
      <p className="meta small-text">From {sourceText(source)}</p>
      <div className="consent-body">
        {!shown ? (
          <div aria-hidden="true">
            <div className="skeleton-line wide" />
            <div className="skeleton-line" />
            <div className="skeleton-line" />
          </div>
        ) : !shown.ok ? (
          <Problems summary={shown.issues.length ? `Its manifest has ${shown.issues.length} problem${shown.issues.length === 1 ? '' : 's'}; fix them and try again.` : shown.error} problems={shown.issues} />
        ) : (
          <>
            {p!.problems.length > 0 && <Problems summary={`It cannot be installed until ${p!.problems.length === 1 ? 'this is' : 'these are'} fixed:`} problems={p!.problems} />}
            <PreviewDetails preview={p!} />
          </>
        )}
      </div>
      {refused && (
        <div data-testid="consent-error">
          <Problems summary={refused.error} problems={refused.issues} />
        </div>
      )}
      <div className="actions">
        <button type="button" disabled={blocked || installing} onClick={() => void allow()}>
          {installing ? (verb === 'upgrade' ? 'Upgrading…' : 'Installing…') : verb === 'upgrade' ? 'Allow and upgrade' : 'Allow and install'}
        </button>
        <button type="button" className="secondary" disabled={installing} onClick={() => ref.current?.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
