import { KernelError } from '../kernel/errors';
import type { MemoryService } from '../memory/memory';

/**
 * A document an agent reads, with its current version's text. Gone, failed or deleted: a
 * permanent error naming it. Still being ingested: transient, so the step waits and retries.
 */
export async function readableDocument(memory: MemoryService, id: string, what = 'document') {
  const d = await memory.documents.current(id);
  if (!d) throw new KernelError('permanent', `Document ${id} does not exist.`);
  if (d.status === 'failed') throw new KernelError('permanent', `The ${what} "${d.name}" could not be ingested${d.error?.message ? ` (${d.error.message})` : ''}; there is nothing to read in it.`);
  if (d.status === 'deleted') throw new KernelError('permanent', `The ${what} "${d.name}" was deleted; there is nothing to read.`);
  if (d.text === null) throw new KernelError('transient', `The ${what} "${d.name}" is still being ingested.`, { retryAfterMs: 500 });
  return { ...d, text: d.text };
}
