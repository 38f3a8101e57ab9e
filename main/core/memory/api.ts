import type { z } from 'zod';
import type { memoryCalls } from '../../../shared/api/memory-calls';
import { ApiError } from '../../../shared/api/errors';
import { decodeCursor, encodeCursor } from '../db/cursor';
import { SUMMARY_COLUMNS, toChunk, toSummary, toVersion, type ChunkRow, type DocumentRow, type VersionRow } from './documents/rows';
import type { MemoryService } from './memory';

type Calls = typeof memoryCalls;
type Handler<N extends keyof Calls> = (m: MemoryService, input: z.output<Calls[N]['input']>) => Promise<z.input<Calls[N]['output']>>;
const OK = { ok: true } as const;



/** The memory layer's API calls, served in the core worker. */
export const memoryHandlers: { [N in keyof Calls]: Handler<N> } = {
  async 'documents.ingest'(m, { paths, uploadIds }) {
    if (!paths?.length && !uploadIds?.length) throw new ApiError({ code: 'invalid_input', message: 'Name at least one path or finished upload.' });
    const files = paths?.length ? await m.documents.ingestPaths(paths) : [];
    for (const id of uploadIds ?? []) files.push(await m.uploads.finish(id));
    return { files };
  },
  'documents.uploadBegin': (m, { name, size }) => m.uploads.begin(name, size),
  async 'documents.uploadChunk'(m, { uploadId, offset, data }) {
    return { received: await m.uploads.piece(uploadId, offset, data) };
  },
  'documents.uploadFinish': (m, { uploadId }) => m.uploads.finish(uploadId),
  async 'documents.uploadAbort'(m, { uploadId }) {
    await m.uploads.abort(uploadId);
    return OK;
  },
  async 'documents.list'(m, q) {
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    const statuses = q.status ?? ['queued', 'parsing', 'embedding', 'indexed', 'failed'];
    const { rows } = await m.context.db.query<DocumentRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM memory_documents d
       WHERE d.status = ANY($1) AND ($2::text IS NULL OR d.name ILIKE '%' || $2 || '%' OR d.title ILIKE '%' || $2 || '%') AND ($3::text IS NULL OR d.folder_id = $3)
         AND ($4::timestamptz IS NULL OR (d.updated_at, d.id) < ($4::timestamptz, $5::text))
       ORDER BY d.updated_at DESC, d.id DESC LIMIT $6`,
      [statuses, q.query?.replace(/[%_\\]/g, (c) => `\\${c}`) ?? null, q.folderId ?? null, after?.[0] ?? null, after?.[1] ?? null, q.limit + 1],
    );
    const page = rows.slice(0, q.limit);
    return { documents: page.map(toSummary), nextCursor: rows.length > q.limit ? encodeCursor(page.at(-1)!.updated_at, page.at(-1)!.id) : null, counts: await m.documents.counts() };
  },
  async 'documents.get'(m, { id }) {
    const document = await m.documents.summary(id);
    const { rows } = await m.context.db.query<VersionRow>('SELECT * FROM memory_document_versions WHERE document_id = $1 ORDER BY version DESC', [id]);
    return { document, versions: rows.map(toVersion) };
  },
  async 'documents.chunks'(m, { id, offset, limit }) {
    const doc = await m.documents.mustFind(id);
    const version = doc.current_version;
    const { rows } = await m.context.db.query<ChunkRow>(
      `SELECT id, ordinal, text, heading_path, page, page_end, start_offset, end_offset, tokens, embedding IS NOT NULL AS embedded
       FROM memory_chunks WHERE document_id = $1 AND version = $2 ORDER BY ordinal OFFSET $3 LIMIT $4`,
      [id, version, offset, limit],
    );
    return { chunks: rows.map(toChunk), total: version === null ? 0 : doc.chunk_count, version };
  },
  async 'documents.reingest'(m, { id }) {
    return { runId: await m.documents.reingest(id) };
  },
  async 'documents.remove'(m, { id }) {
    await m.documents.remove(id);
    return OK;
  },

  async 'folders.list'(m) {
    return { folders: await m.folders.list() };
  },
  async 'folders.add'(m, { path }) {
    return { folder: await m.folders.add(path) };
  },
  async 'folders.remove'(m, { id }) {
    await m.folders.remove(id);
    return OK;
  },

  'memory.search': (m, { query, filters, limit, mode }) => m.search.search(query, filters, limit, mode),
  'memory.list': (m, q) => m.memories.list(q),
  async 'memory.get'(m, { id }) {
    const memory = await m.memories.mustGet(id);
    const history = await m.memories.history(id, 200);
    const entity = memory.entityId ? await m.entities.get(memory.entityId).catch(() => null) : null;
    return { memory, history, entity };
  },
  'memory.remember': (m, { replaces, pinned, provenance, ...rest }) => m.memories.remember({ ...rest, replaces, pinned, provenance: { source: 'operator', ...provenance } }, 'operator'),
  'memory.update': (m, { id, ...patch }) => m.memories.update(id, patch, 'operator'),
  async 'memory.setStatus'(m, { id, action }) {
    return { changeId: await m.memories.setStatus(id, action, 'operator') };
  },
  async 'memory.supersede'(m, { id, by }) {
    return { changeId: await m.memories.supersede([id], by, 'operator') };
  },
  'memory.merge': (m, { ids, into, text }) => m.memories.merge(ids, into, text, 'operator'),
  async 'memory.undo'(m, { changeId }) {
    return { changeId: await m.memories.undo(changeId, 'operator') };
  },
  async 'memory.history'(m, { memoryId, limit }) {
    return { changes: await m.memories.history(memoryId, limit) };
  },
  'memory.propose': (m, input) => m.curation.propose(input),
  'memory.curate': (m) => m.curation.run(),
  async 'memory.getSettings'(m) {
    return m.context.settings.get();
  },
  'memory.setSettings': (m, patch) => m.setSettings(patch),

  'reviews.list': (m, { status, limit }) => m.curation.list(status, limit),
  async 'reviews.resolve'(m, { id, action, memoryId, text, note }) {
    return { changeId: await m.curation.resolve(id, action, { memoryId, text, note }) };
  },

  async 'entities.list'(m, q) {
    return { entities: await m.entities.list(q) };
  },
  async 'entities.get'(m, { id }) {
    const entity = await m.entities.get(id);
    const [history, memories, links] = await Promise.all([m.entities.history(id), m.memories.list({ entityId: id, limit: 200 }), m.entities.links(id)]);
    const docIds = links.filter((l) => l.to.kind === 'document').map((l) => l.to.id);
    const { rows } = await m.context.db.query<DocumentRow>(`SELECT ${SUMMARY_COLUMNS} FROM memory_documents d WHERE d.id = ANY($1::text[]) AND d.status <> 'deleted' ORDER BY d.updated_at DESC`, [docIds]);
    return { entity, history, memories: memories.memories, documents: rows.map(toSummary), links };
  },
  async 'entities.upsert'(m, input) {
    return { entity: await m.entities.upsert(input) };
  },
  async 'entities.revert'(m, { id, version }) {
    return { entity: await m.entities.revert(id, version) };
  },
  async 'entities.link'(m, { from, to, type }) {
    return { link: await m.entities.link(from, to, type) };
  },
  async 'entities.unlink'(m, { id }) {
    await m.entities.unlink(id);
    return OK;
  },

  'embeddings.status': (m) => m.embeddings.state(),
  async 'embeddings.install'(m) {
    void m.context.embedder.install();
    return m.embeddings.state();
  },
};
