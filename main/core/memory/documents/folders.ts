import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { ApiError } from '../../../../shared/api/errors';
import type { WatchedFolder } from '../../../../shared/domain/documents';
import { newId } from '../../kernel/ids';
import type { MemoryContext } from '../context';
import type { Documents } from './documents';

interface FolderRow {
  id: string;
  path: string;
  created_at: Date;
  documents?: string;
}

/** Files nobody means as documents: hidden files, editors' temporaries, partial downloads. */
const IGNORED = /(^|[\\/])(\.[^\\/]*|~\$[^\\/]*|[^\\/]*~|[^\\/]*\.(tmp|part|crdownload|swp))$/;

/**
 * Watched folders (chokidar): every file in them is ingested, new and changed files are
 * picked up, deleted ones are marked deleted. A file already ingested with the same size and
 * modification time is not queued again at start-up, so a large folder costs nothing to
 * re-watch.
 */
export class Folders {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly errors = new Map<string, string>();
  private readonly scanning = new Set<string>();
  /** Paths waiting to be queued, gathered so a burst of events becomes one batch. */
  private pending = new Map<string, string>();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly m: MemoryContext,
    private readonly documents: Documents,
  ) {}

  async start(): Promise<void> {
    const { rows } = await this.m.db.query<FolderRow>('SELECT * FROM memory_folders');
    for (const f of rows) this.watch(f);
  }

  async stop(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await Promise.all([...this.watchers.values()].map((w) => w.close()));
    this.watchers.clear();
    await this.flushing;
  }

  async list(): Promise<WatchedFolder[]> {
    const { rows } = await this.m.db.query<FolderRow>(
      `SELECT f.*, (SELECT count(*) FROM memory_documents d WHERE d.folder_id = f.id AND d.status <> 'deleted') AS documents FROM memory_folders f ORDER BY f.path`,
    );
    return rows.map((r) => this.toFolder(r));
  }

  async add(rawPath: string): Promise<WatchedFolder> {
    const path = resolve(rawPath);
    if (!existsSync(path) || !statSync(path).isDirectory()) throw new ApiError({ code: 'invalid_input', message: `${path} is not a folder.` });
    const existing = await this.m.db.query<FolderRow>('SELECT * FROM memory_folders WHERE path = $1', [path]);
    if (existing.rows[0]) return this.toFolder(existing.rows[0]);
    const row = await this.m.commit(async (tx, log) => {
      const { rows } = await tx.query<FolderRow>('INSERT INTO memory_folders (id, path, created_at) VALUES ($1, $2, now()) RETURNING *', [newId(), path]);
      log({ type: 'folder.watched', actor: { kind: 'operator', name: 'operator' }, data: { folderId: rows[0]!.id, path } });
      return rows[0]!;
    });
    this.watch(row);
    this.m.notify('folders.changed', { id: row.id });
    return this.toFolder({ ...row, documents: '0' });
  }

  async remove(id: string): Promise<void> {
    const removed = await this.m.commit(async (tx, log) => {
      const { rows } = await tx.query<FolderRow>('DELETE FROM memory_folders WHERE id = $1 RETURNING *', [id]);
      if (rows[0]) log({ type: 'folder.unwatched', actor: { kind: 'operator', name: 'operator' }, data: { folderId: id, path: rows[0].path } });
      return rows[0];
    });
    if (!removed) throw new ApiError({ code: 'not_found', message: `There is no watched folder ${id}.` });
    await this.watchers.get(id)?.close();
    this.watchers.delete(id);
    this.scanning.delete(id);
    this.m.notify('folders.changed', { id });
  }

  private toFolder(r: FolderRow): WatchedFolder {
    return { id: r.id, path: r.path, documents: Number(r.documents ?? 0), scanning: this.scanning.has(r.id), createdAt: r.created_at.toISOString(), error: this.errors.get(r.id) ?? null };
  }

  private watch(folder: FolderRow): void {
    const w = watch(folder.path, {
      ignored: (p: string) => IGNORED.test(p),
      ignoreInitial: false,
      awaitWriteFinish: { stabilityThreshold: 500, pollInterval: 100 },
      alwaysStat: true,
    });
    w.on('add', (path, stats) => void this.onFile(folder.id, path, stats?.size, stats?.mtimeMs));
    w.on('change', (path, stats) => void this.onFile(folder.id, path, stats?.size, stats?.mtimeMs));
    w.on('unlink', (path) => void this.onDeleted(path));
    this.scanning.add(folder.id);
    w.on('ready', () => {
      this.scanning.delete(folder.id);
      this.m.notify('folders.changed', { id: folder.id });
    });
    w.on('error', (err) => {
      this.errors.set(folder.id, String((err as Error).message ?? err));
      this.m.notify('folders.changed', { id: folder.id });
    });
    this.watchers.set(folder.id, w);
  }

  private async onFile(folderId: string, path: string, size?: number, mtimeMs?: number): Promise<void> {
    const { rows } = await this.m.db.query<{ size: string | null; mtime_ms: number | null; status: string }>('SELECT size, mtime_ms, status FROM memory_documents WHERE source = $1', [path]);
    const known = rows[0];
    if (known && known.status !== 'deleted' && known.status !== 'failed' && Number(known.size) === size && known.mtime_ms === mtimeMs) return;
    this.pending.set(path, folderId);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      this.flushing = this.flushing.then(() => this.flush());
    }, 200);
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const byFolder = new Map<string, string[]>();
    for (const [path, folderId] of batch) byFolder.set(folderId, [...(byFolder.get(folderId) ?? []), path]);
    for (const [folderId, paths] of byFolder) {
      try {
        await this.documents.ingestPaths(paths, folderId);
        for (const p of paths) {
          const s = statSync(p, { throwIfNoEntry: false });
          if (s) await this.m.db.query('UPDATE memory_documents SET mtime_ms = $2 WHERE source = $1', [p, s.mtimeMs]);
        }
      } catch (err) {
        console.error('[memory] queueing files of a watched folder failed:', err);
      }
    }
  }

  private async onDeleted(path: string): Promise<void> {
    const { rows } = await this.m.db.query<{ id: string }>(`SELECT id FROM memory_documents WHERE source = $1 AND status <> 'deleted'`, [path]);
    if (rows[0]) await this.documents.remove(rows[0].id, 'file_deleted');
  }
}
