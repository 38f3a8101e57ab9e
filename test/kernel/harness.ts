import type { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../../main/core/db/database';
import { Kernel, type KernelOptions } from '../../main/core/kernel/kernel';
import type { RunRow } from '../../main/core/kernel/store';
import { tempDir } from '../support/temp';

export interface KernelHarness {
  k: Kernel;
  db: PGlite;
  dir: string;
  events: { event: string; payload: unknown }[];
  run(id: string): Promise<RunRow>;
  /** Stops this kernel and starts a new one on the same database, as a restart would. */
  restart(options?: Partial<KernelOptions>): Promise<Kernel>;
  close(): Promise<void>;
}

/** A kernel on a real PGlite database in a temp folder (migrations applied as in production). */
export async function startKernel(options: Omit<KernelOptions, 'db'> = {}, dir = tempDir({ lifetime: 'file' })): Promise<KernelHarness> {
  const { db } = await openDatabase(dir);
  const events: { event: string; payload: unknown }[] = [];
  const make = (extra: Partial<KernelOptions> = {}) => new Kernel({ ...options, ...extra, db, onEvent: (event, payload) => events.push({ event, payload }) });
  const h: KernelHarness = {
    k: make(),
    db,
    dir,
    events,
    async run(id) {
      const { rows } = await db.query<RunRow>('SELECT * FROM kernel_runs WHERE id = $1', [id]);
      return rows[0]!;
    },
    async restart(extra) {
      await h.k.stop();
      h.k = make(extra);
      await h.k.start();
      return h.k;
    },
    async close() {
      await h.k.stop();
      await db.close();
    },
  };
  await h.k.start();
  return h;
}
