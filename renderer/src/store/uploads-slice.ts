import type { StateCreator } from 'zustand';
import { UPLOAD_PIECE_BYTES } from '../../../shared/api/memory-calls';
import type { DocumentStatus, IngestOutcome } from '../../../shared/domain/documents';
import { keelClient } from '../api/client';
import { bytesToBase64 } from '../util/base64';
import { errorMessage } from '../util/timing';
import type { DocumentEvent } from './documents-slice';
import type { KeelStore } from './store';

/** Files sent at once: enough to keep the pipe busy, few enough that 1,000 never swamp it. */
const CONCURRENCY = 3;
/** Paths handed to one documents.ingest call (desktop). */
const PATH_BATCH = 500;
/** Events for documents the tray does not know yet (their finish call is still answering). */
const EARLY_EVENTS = 2_000;

export type UploadPhase = 'waiting' | 'uploading' | 'sent' | 'failed';

export interface UploadItem {
  key: number;
  name: string;
  size: number;
  /** Bytes the core has confirmed. */
  sent: number;
  phase: UploadPhase;
  documentId: string | null;
  /** The document's ingestion status once it is queued; `deleted` for a duplicate. */
  docStatus: DocumentStatus | null;
  /** Why the upload or the ingestion failed, in the core's words. */
  error: string | null;
  /** The bytes did not get through (a dropped connection): sending again may work. */
  canRetry: boolean;
}

export interface DroppedEntry {
  file: File;
  /** A folder dragged from a browser: it has no bytes to send. */
  isDirectory?: boolean;
}

export interface UploadsSlice {
  uploads: UploadItem[];
  addFiles(entries: DroppedEntry[]): void;
  retryUpload(key: number): void;
  clearFinishedUploads(): void;
  uploadDocChanged(e: DocumentEvent): void;
}

const isFinished = (u: UploadItem) =>
  u.phase === 'failed' || (u.phase === 'sent' && (u.docStatus === 'indexed' || u.docStatus === 'failed' || u.docStatus === 'deleted'));
export const uploadFinished = isFinished;

/**
 * Files dropped on the window or picked with "Add files…". In the desktop app the core reads
 * them by path; a browser hides paths, so their bytes go through the API in pieces, a few
 * files at a time. Each file's row then follows its document's ingestion through pushed events.
 */
export const createUploadsSlice: StateCreator<KeelStore, [], [], UploadsSlice> = (set, get) => {
  let nextKey = 1;
  let active = 0;
  const waiting: number[] = [];
  const files = new Map<number, File>();
  const byDocument = new Map<string, number>();
  const early = new Map<string, DocumentEvent>();

  const update = (key: number, patch: Partial<UploadItem>) => {
    const list = get().uploads;
    const i = list.findIndex((u) => u.key === key);
    if (i < 0) return;
    const next = [...list];
    next[i] = { ...list[i]!, ...patch };
    set({ uploads: next });
  };

  const applyEvent = (key: number, e: DocumentEvent) =>
    update(key, { docStatus: e.status, error: e.error ? e.error.message : e.status === 'failed' ? 'ingestion failed' : null });

  const queued = (key: number, outcome: IngestOutcome) => {
    const size = get().uploads.find((u) => u.key === key)?.size ?? 0;
    update(key, {
      phase: outcome.status === 'failed' ? 'failed' : 'sent',
      sent: size,
      documentId: outcome.documentId,
      docStatus: outcome.status,
      error: outcome.error?.message ?? null,
    });
    if (!outcome.documentId) return;
    byDocument.set(outcome.documentId, key);
    const seen = early.get(outcome.documentId);
    if (seen) applyEvent(key, seen);
  };

  const upload = async (key: number, file: File) => {
    const client = keelClient();
    let uploadId: string | null = null;
    update(key, { phase: 'uploading', sent: 0, error: null });
    try {
      const begun = await client.call('documents.uploadBegin', { name: file.name || 'unnamed', size: file.size });
      uploadId = begun.uploadId;
      const piece = Math.max(1, Math.min(begun.pieceBytes, UPLOAD_PIECE_BYTES));
      // A 0-byte file sends no piece and is still finished: its ingest run says "empty file".
      for (let offset = 0; offset < file.size; offset += piece) {
        const bytes = new Uint8Array(await file.slice(offset, Math.min(offset + piece, file.size)).arrayBuffer());
        const { received } = await client.call('documents.uploadChunk', { uploadId, offset, data: bytesToBase64(bytes) });
        update(key, { sent: received });
      }
      queued(key, await client.call('documents.uploadFinish', { uploadId }));
      files.delete(key);
    } catch (err) {
      if (uploadId) void client.call('documents.uploadAbort', { uploadId }).catch(() => undefined);
      update(key, { phase: 'failed', error: errorMessage(err), canRetry: true });
    }
  };

  const pump = () => {
    while (active < CONCURRENCY && waiting.length > 0) {
      const key = waiting.shift()!;
      const file = files.get(key);
      if (!file) continue;
      active++;
      void upload(key, file).finally(() => {
        active--;
        pump();
      });
    }
  };

  /** Desktop: the core reads the files itself; outcomes are matched back by name. */
  const ingestPaths = async (items: { key: number; name: string; path: string }[]) => {
    for (let i = 0; i < items.length; i += PATH_BATCH) {
      const batch = items.slice(i, i + PATH_BATCH);
      try {
        const { files: outcomes } = await keelClient().call('documents.ingest', { paths: batch.map((b) => b.path) });
        const open = [...batch];
        for (const o of outcomes) {
          const at = open.findIndex((b) => b.name === o.name);
          if (at >= 0) queued(open.splice(at, 1)[0]!.key, o);
        }
      } catch (err) {
        for (const b of batch) update(b.key, { phase: 'failed', error: errorMessage(err) });
      }
    }
  };

  return {
    uploads: [],

    addFiles(entries) {
      if (entries.length === 0) return;
      const client = keelClient();
      const added: UploadItem[] = [];
      const byPath: { key: number; name: string; path: string }[] = [];
      for (const { file, isDirectory } of entries) {
        const key = nextKey++;
        const item: UploadItem = { key, name: file.name, size: file.size, sent: 0, phase: 'waiting', documentId: null, docStatus: null, error: null, canRetry: false };
        const path = client.pathForDroppedFile(file) || null;
        if (path) byPath.push({ key, name: file.name, path });
        else if (isDirectory) Object.assign(item, { phase: 'failed', error: 'a folder: add it as a watched folder in Settings' });
        else {
          files.set(key, file);
          waiting.push(key);
        }
        added.push(item);
      }
      set({ uploads: [...get().uploads, ...added] });
      if (byPath.length) void ingestPaths(byPath);
      pump();
    },

    retryUpload(key) {
      if (!files.has(key)) return;
      update(key, { phase: 'waiting', error: null, sent: 0, canRetry: false });
      waiting.push(key);
      pump();
    },

    clearFinishedUploads() {
      const keep = get().uploads.filter((u) => !isFinished(u));
      for (const u of get().uploads) {
        if (!isFinished(u)) continue;
        files.delete(u.key);
        if (u.documentId) byDocument.delete(u.documentId);
      }
      set({ uploads: keep });
    },

    uploadDocChanged(e) {
      const key = byDocument.get(e.id);
      if (key !== undefined) return applyEvent(key, e);
      early.set(e.id, e);
      if (early.size > EARLY_EVENTS) early.delete(early.keys().next().value!);
    },
  };
};
