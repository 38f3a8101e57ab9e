import type { PGlite } from '@electric-sql/pglite';
import type { z } from 'zod';
import type { NewLedgerEvent } from '../kernel/ledger';
import type { Kernel } from '../kernel/kernel';

/**
 * An adapter's settings as one kernel setting: read once and kept (adapters read them at every
 * action), saved together with the ledger event that says what changed, then read again.
 * A stored value that no longer fits the schema reads as not set up.
 */
export class StoredSetting<T> {
  private cached: Promise<T | null> | null = null;

  constructor(
    private readonly db: PGlite,
    private readonly key: string,
    private readonly schema: z.ZodType<T>,
  ) {}

  get(): Promise<T | null> {
    this.cached ??= this.read();
    return this.cached;
  }

  async save(kernel: Kernel, value: T, event: NewLedgerEvent): Promise<void> {
    await kernel.commit(async (tx, log) => {
      await tx.query(`INSERT INTO kernel_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [this.key, JSON.stringify(value)]);
      log(event);
    });
    // Forgotten only once committed: a read in between would otherwise keep the old value.
    this.cached = null;
  }

  private async read(): Promise<T | null> {
    const { rows } = await this.db.query<{ value: unknown }>('SELECT value FROM kernel_settings WHERE key = $1', [this.key]);
    const parsed = this.schema.safeParse(rows[0]?.value);
    return parsed.success ? parsed.data : null;
  }
}
