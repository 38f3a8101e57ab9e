import { z } from 'zod';
import { defineWorkflow, type StepScope } from '../../kernel/workflow';
import { IngestFailure } from '../parse/types';
import { INGEST_AGENT, INGEST_WORKFLOW, type Documents, type IngestInput } from './documents';

const ATTEMPTS = 3;

/**
 * Runs a step of ingestion; a failure that is the file's fault (IngestFailure), or any error
 * on the last attempt, is recorded on the document and ends the run quietly instead of
 * parking it: one bad file must not stop the others or flood the inbox.
 */
async function guarded<T>(docs: Documents, input: IngestInput, scope: StepScope, fn: () => Promise<T>): Promise<T | { kind: 'failed' }> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof IngestFailure) return docs.fail(input, { code: err.code, message: err.message });
    if (scope.attempt < ATTEMPTS) throw err;
    const message = err instanceof Error ? err.message : String(err);
    return docs.fail(input, { code: 'corrupt', message: `ingestion failed: ${message}` });
  }
}

/**
 * One run per file (agent `ingest`): read and keep the original, parse and store a version,
 * embed its chunks. Each step's result is recorded, so after a crash or kill -9 the run
 * resumes where it stopped, and each step is idempotent (a stored version is found by its
 * run), so a document is never stored twice or half.
 */
export function ingestWorkflow(docs: Documents) {
  return defineWorkflow({
    name: INGEST_WORKFLOW,
    version: 1,
    agent: INGEST_AGENT,
    input: z.object({ documentId: z.string(), path: z.string(), name: z.string(), upload: z.boolean() }),
    defaults: { retry: { maxAttempts: ATTEMPTS }, onExhausted: 'fail' },
    async run(ctx, input) {
      const read = await ctx.step('read', (scope) => guarded(docs, input, scope, () => docs.read(input)));
      await ctx.step('release-upload', () => docs.cleanUpload(input));
      if (read.kind !== 'read') return { outcome: read.kind };
      const stored = await ctx.step('parse-and-store', (scope) => guarded(docs, input, scope, () => docs.parseAndStore(ctx.runId, input, read)));
      if (stored.kind !== 'stored') return { outcome: 'failed' };
      const embedded = await ctx.step('embed', (scope) => guarded(docs, input, scope, () => docs.embed(input, stored.version)));
      return { outcome: 'indexed', version: stored.version, chunks: stored.chunks, embedded: typeof embedded === 'number' ? embedded : 0 };
    },
  });
}
