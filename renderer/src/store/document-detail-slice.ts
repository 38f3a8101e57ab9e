import type { StateCreator } from 'zustand';
import type { ChunkView, DocumentSummary, DocumentVersion } from '../../../shared/domain/documents';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

const CHUNK_PAGE = 200;
/** Pages read looking for a targeted chunk: a search hit's chunk is found in long documents too. */
const FIND_PAGE = 1000;

export interface DocumentDetail {
  id: string;
  document: DocumentSummary | null;
  versions: DocumentVersion[];
  chunks: ChunkView[];
  chunkTotal: number;
  error: string | null;
  /** The chunk asked for (`?chunk=`) and whether it was found among the loaded ones. */
  target: string | null;
  targetMissing: boolean;
}

export interface DocumentDetailSlice {
  docDetail: DocumentDetail | null;
  /** Opens a document; with a chunk id, loads chunks until that one is in. */
  openDocument(id: string, chunkId: string | null): Promise<void>;
  /** Reloads the open document after a pushed change (its chunks start over). */
  reloadDocument(id: string): Promise<void>;
  loadMoreChunks(): Promise<void>;
}

/** One document: its summary, version history and text as chunks, paged. */
export const createDocumentDetailSlice: StateCreator<KeelStore, [], [], DocumentDetailSlice> = (set, get) => {
  let generation = 0;
  let loadingMore = false;

  const load = async (id: string, target: string | null, keepShown: boolean) => {
    const gen = ++generation;
    const shown = get().docDetail;
    if (!keepShown || shown?.id !== id) {
      set({ docDetail: { id, document: null, versions: [], chunks: [], chunkTotal: 0, error: null, target, targetMissing: false } });
    }
    try {
      const client = keelClient();
      const [doc, first] = await Promise.all([client.call('documents.get', { id }), client.call('documents.chunks', { id, offset: 0, limit: target ? FIND_PAGE : CHUNK_PAGE })]);
      const chunks = [...first.chunks];
      // The API pages by offset and a chunk id does not say its position: read on until it appears.
      while (target && !chunks.some((c) => c.id === target) && chunks.length < first.total) {
        const more = await client.call('documents.chunks', { id, offset: chunks.length, limit: FIND_PAGE });
        if (more.chunks.length === 0) break;
        chunks.push(...more.chunks);
      }
      if (gen !== generation) return;
      set({
        docDetail: {
          id,
          document: doc.document,
          versions: doc.versions,
          chunks,
          chunkTotal: first.total,
          error: null,
          target,
          targetMissing: target !== null && !chunks.some((c) => c.id === target),
        },
      });
    } catch (err) {
      if (gen !== generation) return;
      const d = get().docDetail;
      if (d?.id === id) set({ docDetail: { ...d, error: errorMessage(err) } });
    }
  };

  return {
    docDetail: null,
    openDocument: (id, chunkId) => load(id, chunkId, false),
    async reloadDocument(id) {
      const d = get().docDetail;
      if (d?.id !== id) return;
      const gen = generation;
      try {
        const doc = await keelClient().call('documents.get', { id });
        const now = get().docDetail;
        if (gen !== generation || now?.id !== id) return;
        // Same version: its chunks are unchanged, and the reader keeps their place in them.
        if (doc.document.currentVersion === now.document?.currentVersion) set({ docDetail: { ...now, document: doc.document, versions: doc.versions, error: null } });
        else await load(id, now.target, true);
      } catch (err) {
        const now = get().docDetail;
        if (gen === generation && now?.id === id) set({ docDetail: { ...now, error: errorMessage(err) } });
      }
    },
    async loadMoreChunks() {
      const d = get().docDetail;
      if (!d || loadingMore || d.chunks.length >= d.chunkTotal) return;
      loadingMore = true;
      const gen = generation;
      try {
        const more = await keelClient().call('documents.chunks', { id: d.id, offset: d.chunks.length, limit: CHUNK_PAGE });
        const now = get().docDetail;
        if (gen !== generation || !now || now.id !== d.id) return;
        set({ docDetail: { ...now, chunks: [...now.chunks, ...more.chunks], chunkTotal: more.total } });
      } catch (err) {
        const now = get().docDetail;
        if (now?.id === d.id) set({ docDetail: { ...now, error: errorMessage(err) } });
      } finally {
        loadingMore = false;
      }
    },
  };
};
