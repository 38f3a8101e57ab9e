import { useState, type DragEvent } from 'react';
import { keelClient } from '../api/client';
import { EmptyState } from './EmptyState';
import { views } from './registry';

interface Dropped {
  name: string;
  size: number;
  path: string | null;
}

/**
 * Accepts files dragged onto the window. In the desktop app the preload hands over each
 * file's absolute path (webUtils.getPathForFile); a browser never reveals paths.
 */
export function DocumentsView() {
  const [dropped, setDropped] = useState<Dropped[]>([]);
  const [over, setOver] = useState(false);
  const info = views.find((v) => v.id === 'documents')!;

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const client = keelClient();
    const files = Array.from(e.dataTransfer.files).map((f) => ({ name: f.name, size: f.size, path: client.pathForDroppedFile(f) }));
    setDropped((prev) => [...files, ...prev]);
  };

  return (
    <div
      className={over ? 'drop-zone over' : 'drop-zone'}
      data-testid="drop-zone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <EmptyState view={info} />
      {dropped.length > 0 && (
        <>
          <p className="note">Received; ingestion (parsing, chunking, embedding) is not built yet, so these are not stored.</p>
          <ul className="dropped">
            {dropped.map((f, i) => (
              <li key={`${f.name}-${i}`}>
                <strong>{f.name}</strong> · {f.size.toLocaleString()} bytes · {f.path ?? 'path hidden by the browser'}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
