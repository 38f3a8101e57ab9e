import type { StateCreator } from 'zustand';
import type { EventPayload } from '../../../shared/api/contract';
import type { DocumentStatus, DocumentSummary, IngestCounts, IngestErrorCode } from '../../../shared/domain/documents';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

const PAGE = 100;
/** The API's largest page: a refresh reloads at most this many rows in one call. */
const MAX_PAGE = 500;

export type DocumentEvent = EventPayload<'documents.changed'>;
export type ListedStatus = Exclude<DocumentStatus, 'deleted'>;

export interface DocumentFilter {
  status: ListedStatus | null;
  query: string;
}

export interface DocumentsSlice {
  documents: DocumentSummary[];
  documentsCursor: string | null;
  /** True once the Documents view asked for the list; pushed changes only reload it then. */
  documentsWanted: boolean;
  documentsLoaded: boolean;
  documentsError: string | null;
  ingestCounts: IngestCounts | null;
  documentFilter: DocumentFilter;
  setDocumentFilter(patch: Partial<DocumentFilter>): void;
  /** Reloads the rows shown so far (at least one page), newest change first. */
  refreshDocuments(): Promise<void>;
  loadMoreDocuments(): Promise<void>;
  refreshIngestCounts(): Promise<void>;
  setIngestCounts(counts: IngestCounts): void;
  /** A pushed change: patches the row at once; the full reload follows, coalesced. */
  documentChanged(e: DocumentEvent): void;
  reingestDocument(id: string): Promise<void>;
  removeDocument(id: string): Promise<void>;
}

/** The document list, paged by cursor, filtered by status and name, kept live by pushed events. */
export const createDocumentsSlice: StateCreator<KeelStore, [], [], DocumentsSlice> = (set, get) => {
  // Every reload or filter change bumps this; answers to older requests are dropped.
  let generation = 0;
  let loadingMore = false;

  const listInput = (limit: number, cursor?: string) => {
    const { status, query } = get().documentFilter;
    return { limit, ...(status ? { status: [status] } : {}), ...(query.trim() ? { query: query.trim() } : {}), ...(cursor ? { cursor } : {}) };
  };

  return {
    documents: [],
    documentsCursor: null,
    documentsWanted: false,
    documentsLoaded: false,
    documentsError: null,
    ingestCounts: null,
    documentFilter: { status: null, query: '' },

    setDocumentFilter(patch) {
      set({ documentFilter: { ...get().documentFilter, ...patch }, documents: [], documentsCursor: null, documentsLoaded: false });
      void get().refreshDocuments();
    },

    async refreshDocuments() {
      const gen = ++generation;
      set({ documentsWanted: true });
      const limit = Math.min(MAX_PAGE, Math.max(PAGE, get().documents.length));
      try {
        const out = await keelClient().call('documents.list', listInput(limit));
        if (gen !== generation) return;
        set({ documents: out.documents, documentsCursor: out.nextCursor, ingestCounts: out.counts, documentsLoaded: true, documentsError: null });
      } catch (err) {
        if (gen === generation) set({ documentsError: errorMessage(err) });
      }
    },

    async loadMoreDocuments() {
      const cursor = get().documentsCursor;
      if (!cursor || loadingMore) return;
      loadingMore = true;
      const gen = generation;
      try {
        const out = await keelClient().call('documents.list', listInput(PAGE, cursor));
        if (gen !== generation) return;
        const seen = new Set(get().documents.map((d) => d.id));
        set({ documents: [...get().documents, ...out.documents.filter((d) => !seen.has(d.id))], documentsCursor: out.nextCursor, ingestCounts: out.counts });
      } catch (err) {
        set({ documentsError: errorMessage(err) });
      } finally {
        loadingMore = false;
      }
    },

    async refreshIngestCounts() {
      try {
        set({ ingestCounts: (await keelClient().call('documents.list', { limit: 1 })).counts });
      } catch {
        // The status bar keeps its last figures; the next push corrects them.
      }
    },
    setIngestCounts: (ingestCounts) => set({ ingestCounts }),

    documentChanged(e) {
      const docs = get().documents;
      const i = docs.findIndex((d) => d.id === e.id);
      if (i < 0) return;
      const next = [...docs];
      if (e.status === 'deleted') next.splice(i, 1);
      else next[i] = { ...docs[i]!, status: e.status, error: e.error ? { code: e.error.code as IngestErrorCode, message: e.error.message } : null };
      set({ documents: next });
    },

    async reingestDocument(id) {
      try {
        await keelClient().call('documents.reingest', { id });
      } catch (err) {
        set({ documentsError: errorMessage(err) });
      }
    },
    async removeDocument(id) {
      try {
        await keelClient().call('documents.remove', { id });
        set({ documents: get().documents.filter((d) => d.id !== id) });
      } catch (err) {
        set({ documentsError: errorMessage(err) });
      }
    },
  };
};
