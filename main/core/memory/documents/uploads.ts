import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { appendFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../../../shared/api/errors';
import { UPLOAD_PIECE_BYTES } from '../../../../shared/api/memory-calls';
import type { IngestOutcome } from '../../../../shared/domain/documents';
import { newId } from '../../kernel/ids';
import type { MemoryContext } from '../context';
import type { Documents } from './documents';

const STALE_MS = 24 * 3600_000;

interface UploadRow {
  id: string;
  name: string;
  size: string | number;
  received: string | number;
}

/**
 * Files sent as bytes (a browser cannot hand over paths): begun with a name and size, sent in
 * pieces in order, then finished, which queues the file like any other. The bytes wait in the
 * data folder's `uploads/` until the ingest run has kept them among the originals.
 */
export class Uploads {
  constructor(
    private readonly m: MemoryContext,
    private readonly documents: Documents,
  ) {
    mkdirSync(m.uploadsDir, { recursive: true });
  }

  private partPath(id: string): string {
    return join(this.m.uploadsDir, `${id}.part`);
  }

  async begin(name: string, size: number): Promise<{ uploadId: string; pieceBytes: number }> {
    const limit = this.m.settings.get().limits.maxFileBytes;
    if (size > limit) throw new ApiError({ code: 'invalid_input', message: `${name}: file larger than the ${Math.round(limit / 1048576)} MB limit.` });
    const id = newId();
    await this.m.db.query(`INSERT INTO memory_uploads (id, name, size, received, created_at) VALUES ($1, $2, $3, 0, now())`, [id, safeName(name), size]);
    // Written before answering: an empty file is finished right after, and its rename needs the file.
    await writeFile(this.partPath(id), '');
    return { uploadId: id, pieceBytes: UPLOAD_PIECE_BYTES };
  }

  async piece(id: string, offset: number, data: string): Promise<number> {
    const up = await this.find(id);
    const received = Number(up.received);
    if (offset !== received) throw new ApiError({ code: 'conflict', message: `Upload ${id} expected the piece at byte ${received}, not ${offset}.` });
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length > UPLOAD_PIECE_BYTES) throw new ApiError({ code: 'invalid_input', message: `A piece holds at most ${UPLOAD_PIECE_BYTES} bytes.` });
    if (received + bytes.length > Number(up.size)) throw new ApiError({ code: 'invalid_input', message: `Upload ${id} is ${up.size} bytes; this piece goes past its end.` });
    await appendFile(this.partPath(id), bytes);
    await this.m.db.query('UPDATE memory_uploads SET received = $2 WHERE id = $1', [id, received + bytes.length]);
    return received + bytes.length;
  }

  async finish(id: string): Promise<IngestOutcome> {
    const up = await this.find(id);
    if (Number(up.received) !== Number(up.size)) throw new ApiError({ code: 'conflict', message: `Upload ${id} has ${up.received} of ${up.size} bytes; send the rest first.` });
    const path = join(this.m.uploadsDir, id);
    await rename(this.partPath(id), path);
    await this.m.db.query('DELETE FROM memory_uploads WHERE id = $1', [id]);
    const [outcome] = await this.documents.queue([{ source: `upload:${up.name}`, path, name: up.name, upload: true }], null);
    return outcome!;
  }

  async abort(id: string): Promise<void> {
    await this.find(id);
    rmSync(this.partPath(id), { force: true });
    await this.m.db.query('DELETE FROM memory_uploads WHERE id = $1', [id]);
  }

  async discardFile(path: string): Promise<void> {
    rmSync(path, { force: true });
  }

  /** Forgets uploads abandoned for a day (a closed tab), and their bytes. */
  async sweep(): Promise<void> {
    const { rows } = await this.m.db.query<{ id: string }>(`DELETE FROM memory_uploads WHERE created_at < now() - interval '1 day' RETURNING id`);
    for (const r of rows) rmSync(this.partPath(r.id), { force: true });
    if (!existsSync(this.m.uploadsDir)) return;
    for (const f of readdirSync(this.m.uploadsDir)) {
      const p = join(this.m.uploadsDir, f);
      if (f.endsWith('.part') && Date.now() - statSync(p).mtimeMs > STALE_MS) rmSync(p, { force: true });
    }
  }

  private async find(id: string): Promise<UploadRow> {
    const { rows } = await this.m.db.query<UploadRow>('SELECT * FROM memory_uploads WHERE id = $1', [id]);
    if (!rows[0]) throw new ApiError({ code: 'not_found', message: `There is no upload ${id} (finished, aborted, or older than a day).` });
    return rows[0];
  }
}

/** A display name without folders: an uploaded name is a label, never a path. */
export function safeName(name: string): string {
  const base = name.split(/[\\/]/).filter(Boolean).pop() ?? 'upload';
  return base.replace(/[\u0000-\u001f]/g, '').slice(0, 255) || 'upload';
}
