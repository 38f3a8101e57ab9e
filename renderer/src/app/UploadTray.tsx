import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState } from 'react';
import { StatusPill } from '../components/StatusPill';
import { documentHref } from '../routes';
import { useKeel } from '../store/store';
import { uploadFinished, type UploadItem } from '../store/uploads-slice';
import { formatBytes, formatCount } from '../util/format';

const ROW = 46;

function UploadRow({ item }: { item: UploadItem }) {
  const retry = useKeel((s) => s.retryUpload);
  const pct = item.size === 0 ? 100 : Math.round((item.sent / item.size) * 100);
  const duplicate = item.docStatus === 'deleted' && item.error !== null;
  return (
    <div className="upload-row" data-testid="upload" data-name={item.name} data-phase={item.phase} data-status={item.docStatus ?? ''}>
      <div className="upload-name">
        {item.documentId ? <a href={documentHref(item.documentId)}>{item.name}</a> : <span>{item.name}</span>}
        <span className="meta"> · {formatBytes(item.size)}</span>
      </div>
      <div className="upload-state">
        {item.phase === 'waiting' && <span className="meta">Waiting…</span>}
        {item.phase === 'uploading' && <progress max={100} value={pct} aria-label={`Uploading ${item.name}`} />}
        {item.phase === 'uploading' && <span className="meta">{pct}%</span>}
        {item.docStatus && <StatusPill status={item.docStatus} duplicate={duplicate} />}
        {item.phase === 'failed' && !item.docStatus && <span className="pill status status-failed">Not sent</span>}
        {item.canRetry && (
          <button type="button" className="link" onClick={() => retry(item.key)} aria-label={`Retry ${item.name}`}>
            Retry
          </button>
        )}
      </div>
      {item.error && (
        <div className={duplicate ? 'upload-error meta' : 'upload-error error'} data-testid="upload-error" title={item.error}>
          {item.error}
        </div>
      )}
    </div>
  );
}

/** Summary of the batch: what is still moving, what is done, what failed. */
function summary(uploads: UploadItem[]): string {
  let sending = 0;
  let ingesting = 0;
  let done = 0;
  let failed = 0;
  for (const u of uploads) {
    if (u.phase === 'waiting' || u.phase === 'uploading') sending++;
    else if (u.phase === 'failed' || u.docStatus === 'failed') failed++;
    else if (uploadFinished(u)) done++;
    else ingesting++;
  }
  return [
    sending && `${formatCount(sending)} sending`,
    ingesting && `${formatCount(ingesting)} ingesting`,
    done && `${formatCount(done)} done`,
    failed && `${formatCount(failed)} failed`,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Per-file progress of dropped and picked files, on every view, until cleared. */
export function UploadTray() {
  const uploads = useKeel((s) => s.uploads);
  const clear = useKeel((s) => s.clearFinishedUploads);
  // null: open while something is on its way or failed, folded once all went well. Once the
  // operator folds or opens it, that choice stands; the header's summary still follows progress.
  const [expanded, setExpanded] = useState<boolean | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: uploads.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 8 });
  if (uploads.length === 0) return null;
  const anyFinished = uploads.some(uploadFinished);
  const open = expanded ?? uploads.some((u) => !uploadFinished(u) || u.phase === 'failed' || u.docStatus === 'failed');
  const setOpen = (v: boolean) => setExpanded(v);
  return (
    <section className="upload-tray" aria-label="Uploads" data-testid="upload-tray">
      <header>
        <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? '▾' : '▸'} Files ({formatCount(uploads.length)})
        </button>
        <span className="meta" role="status">
          {summary(uploads)}
        </span>
        {anyFinished && (
          <button type="button" className="link" onClick={clear}>
            Clear finished
          </button>
        )}
      </header>
      {open && (
        <div className="upload-list" ref={scroller} role="list">
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {virtual.getVirtualItems().map((v) => (
              <div key={uploads[v.index]!.key} role="listitem" className="virtual-row" style={{ transform: `translateY(${v.start}px)`, height: v.size }}>
                <UploadRow item={uploads[v.index]!} />
              </div>
            ))}
          </div>
        </div>
      )}
    </section>
  );
}
