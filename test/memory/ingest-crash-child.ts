/**
 * The process the ingestion crash test kills: a Core (worker thread, PGlite on disk, tiny
 * embedder) that queues every file of a folder once (a marker file remembers that it did),
 * then waits until nothing is left to ingest. Prints "INDEXED <n>" as documents finish and
 * "ALL DONE" at the end.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Core } from '../../main/core/host/core';

const [dataDir, folder, modelsDir] = process.argv.slice(2) as [string, string, string];
const core = Core.start({ dataDir, mode: 'headless', memory: { modelsDir, overrides: { embedding: { modelId: 'tiny-embedder', dtype: 'fp32', autoDownload: false } } } });
let indexed = 0;
core.subscribe((event, payload) => {
  if (event === 'documents.changed' && (payload as { status: string }).status === 'indexed') console.log(`INDEXED ${++indexed}`);
});
await core.ready;
const marker = join(dataDir, 'queued.marker');
if (!existsSync(marker)) {
  const paths = readdirSync(folder).map((f) => join(folder, f));
  const r = await core.call('documents.ingest', { paths });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  writeFileSync(marker, 'yes');
  console.log('QUEUED');
}
for (;;) {
  const r = await core.call('documents.list', { limit: 1 });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const c = (r.output as { counts: Record<string, number> }).counts;
  if (c.queued! + c.parsing! + c.embedding! === 0) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
await core.close();
console.log('ALL DONE');
