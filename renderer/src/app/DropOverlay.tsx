import { useEffect, useState } from 'react';
import { useKeel } from '../store/store';
import type { DroppedEntry } from '../store/uploads-slice';

const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;

/** The dropped files, with folders marked (a browser can send a file's bytes, not a folder's). */
function entriesOf(data: DataTransfer): DroppedEntry[] {
  const items = Array.from(data.items ?? []).filter((i) => i.kind === 'file');
  return Array.from(data.files).map((file, i) => ({ file, isDirectory: items[i]?.webkitGetAsEntry?.()?.isDirectory ?? false }));
}

/**
 * Files can be dropped anywhere on the window: while a drag carrying files is over it, an
 * overlay says what will happen. Listeners sit on the window (released on unmount); the
 * overlay ignores the pointer, so the elements under it keep receiving the drag events.
 */
export function DropOverlay() {
  const [shown, setShown] = useState(false);
  const addFiles = useKeel((s) => s.addFiles);

  useEffect(() => {
    // dragenter/dragleave fire for every element crossed: the drag has left the window when they balance.
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth++;
      setShown(true);
    };
    const over = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      setShown(true);
    };
    const leave = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setShown(false);
    };
    const drop = (e: DragEvent) => {
      depth = 0;
      setShown(false);
      if (!carriesFiles(e) || !e.dataTransfer) return;
      e.preventDefault();
      addFiles(entriesOf(e.dataTransfer));
    };
    const end = () => {
      depth = 0;
      setShown(false);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    window.addEventListener('dragend', end);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
      window.removeEventListener('dragend', end);
    };
  }, [addFiles]);

  if (!shown) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" role="status" aria-live="assertive">
      <div className="drop-card">
        <strong>Drop to add to memory</strong>
        <span>PDF, Word, HTML, Markdown, text, CSV and e-mail files are parsed, chunked and indexed.</span>
      </div>
    </div>
  );
}
