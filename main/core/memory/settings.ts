import type { PGlite } from '@electric-sql/pglite';
import { DEFAULT_INGEST_LIMITS, IngestLimits } from '../../../shared/domain/documents';
import { DEFAULT_EMBEDDING, DEFAULT_RETENTION, EmbeddingSettings, RetentionPolicies } from '../../../shared/domain/memory';
import type { MemoryOverrides, MemorySettings } from '../../../shared/api/memory-calls';

/**
 * The memory layer's settings (ingestion limits, retention, embedding model), stored in
 * memory_settings and read through this cache; unknown or broken stored values fall back to
 * the defaults rather than stop Keel.
 */
export class Settings {
  private current: MemorySettings = { limits: DEFAULT_INGEST_LIMITS, retention: DEFAULT_RETENTION, embedding: DEFAULT_EMBEDDING };

  constructor(
    private readonly db: PGlite,
    /** Overrides from the host (tests, `--embedding-base-url`), applied over stored values. */
    private readonly overrides: MemoryOverrides = {},
  ) {}

  async load(): Promise<MemorySettings> {
    const { rows } = await this.db.query<{ key: string; value: unknown }>('SELECT key, value FROM memory_settings');
    const stored = new Map(rows.map((r) => [r.key, r.value]));
    const limits = IngestLimits.partial().safeParse(stored.get('limits') ?? {});
    const retention = RetentionPolicies.safeParse(stored.get('retention'));
    const embedding = EmbeddingSettings.partial().safeParse(stored.get('embedding') ?? {});
    this.current = {
      limits: { ...DEFAULT_INGEST_LIMITS, ...(limits.success ? limits.data : {}), ...this.overrides.limits },
      retention: { ...DEFAULT_RETENTION, ...(retention.success ? retention.data : {}), ...this.overrides.retention },
      embedding: { ...DEFAULT_EMBEDDING, ...(embedding.success ? embedding.data : {}), ...this.overrides.embedding },
    };
    return this.current;
  }

  get(): MemorySettings {
    return this.current;
  }

  async save(patch: MemoryOverrides): Promise<MemorySettings> {
    const next: MemorySettings = {
      limits: { ...this.current.limits, ...patch.limits },
      retention: { ...this.current.retention, ...patch.retention } as MemorySettings['retention'],
      embedding: { ...this.current.embedding, ...patch.embedding },
    };
    for (const key of ['limits', 'retention', 'embedding'] as const) {
      if (!patch[key]) continue;
      await this.db.query(`INSERT INTO memory_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [key, JSON.stringify(next[key])]);
    }
    this.current = next;
    return next;
  }
}
