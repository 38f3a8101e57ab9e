import { openDatabase } from '../../main/core/db/database';
import { assembleCore, type AssembleOptions, type Assembled } from '../../main/core/host/assemble';

export type AssembledCore = Assembled & { close(): Promise<void> };

/**
 * Keel's core as the worker assembles it, in this process (its parts reachable), on `dir`:
 * no embedding model, decisions go on at once (undo window 0), no auto-triage unless asked.
 */
export async function startAssembledCore(dir: string, extra: Partial<AssembleOptions> = {}): Promise<AssembledCore> {
  const { db } = await openDatabase(dir);
  const c = await assembleCore({
    db,
    dataDir: dir,
    adapters: [],
    undoSeconds: 0,
    autoTriage: false,
    memory: { overrides: { embedding: { modelId: 'absent-model', dtype: 'fp32', autoDownload: false } } },
    notify: () => {},
    ...extra,
  });
  return Object.assign(c, {
    async close() {
      await c.stop();
      await db.close();
    },
  });
}
