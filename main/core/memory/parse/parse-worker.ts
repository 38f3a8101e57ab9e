import { parentPort } from 'node:worker_threads';
import type { IngestError, IngestLimits } from '../../../../shared/domain/documents';
import { parseDocument } from './parse';
import { IngestFailure, type ParsedDocument } from './types';

/** One file to parse; `bytes` is transferred, not copied. */
export interface ParseRequest {
  id: number;
  bytes: Uint8Array;
  name: string;
  limits: IngestLimits;
}

export type ParseReply = { id: number; ok: true; doc: ParsedDocument } | { id: number; ok: false; error: IngestError };

/**
 * A parse worker: parsing runs here, off the core's thread, so that a slow or hostile file
 * can be stopped (terminated) and an out-of-memory one dies alone. ParsePool sends one job
 * at a time.
 */
const port = parentPort;
if (!port) throw new Error('parse-worker must run as a worker thread');

port.on('message', (request: ParseRequest) => {
  void reply(request).then((message) => port.postMessage(message));
});

async function reply({ id, bytes, name, limits }: ParseRequest): Promise<ParseReply> {
  try {
    return { id, ok: true, doc: await parseDocument(bytes, name, limits) };
  } catch (err) {
    if (err instanceof IngestFailure) return { id, ok: false, error: { code: err.code, message: err.message } };
    // parseDocument turns parser errors into IngestFailures; this is a bug, reported as such.
    return { id, ok: false, error: { code: 'corrupt', message: `the parser failed: ${err instanceof Error ? err.message : String(err)}` } };
  }
}
