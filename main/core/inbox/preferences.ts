import type { PGlite } from '@electric-sql/pglite';
import { DEFAULT_PREFERENCES, Preferences } from '../../../shared/domain/inbox';
import type { Kernel } from '../kernel/kernel';

const KEY = 'preferences';
const operator = { kind: 'operator' as const, name: 'operator' };

export type PreferencesPatch = Partial<Omit<Preferences, 'notifications'>> & { notifications?: Partial<Preferences['notifications']> };

/**
 * Theme, notifications and the undo window: kept in the core (a kernel setting, each change
 * in the ledger) so the desktop app and the browser share them. The undo window is handed to
 * the kernel, which holds decided runs that long.
 */
export class PreferencesStore {
  private current: Preferences = DEFAULT_PREFERENCES;

  constructor(private readonly deps: { db: PGlite; kernel: Kernel; notify: (event: string, payload: unknown) => void; undoSeconds?: number }) {}

  /** Reads the stored preferences; a value a newer or broken build left falls back to the defaults. */
  async load(): Promise<Preferences> {
    const { rows } = await this.deps.db.query<{ value: unknown }>('SELECT value FROM kernel_settings WHERE key = $1', [KEY]);
    this.current = merge(DEFAULT_PREFERENCES, rows[0]?.value);
    this.apply();
    return this.current;
  }

  get(): Preferences {
    return this.current;
  }

  async save(patch: PreferencesPatch): Promise<Preferences> {
    const next = Preferences.parse({ ...this.current, ...patch, notifications: { ...this.current.notifications, ...patch.notifications } });
    await this.deps.kernel.commit(async (tx, log) => {
      await tx.query(`INSERT INTO kernel_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [KEY, JSON.stringify(next)]);
      log({ type: 'preferences.changed', actor: operator, data: patch });
    });
    this.current = next;
    this.apply();
    this.deps.notify('preferences.changed', next);
    return next;
  }

  private apply(): void {
    // A host may pin the window (tests that decide and expect the run to go on at once).
    this.deps.kernel.undoWindowMs = (this.deps.undoSeconds ?? this.current.undoSeconds) * 1000;
  }
}

/** Stored fields that still parse win; anything else keeps its default. */
function merge(defaults: Preferences, stored: unknown): Preferences {
  const s = (typeof stored === 'object' && stored !== null ? stored : {}) as Record<string, unknown>;
  const pick = <K extends keyof Preferences>(key: K): Preferences[K] => {
    const parsed = Preferences.shape[key].safeParse(key === 'notifications' ? { ...defaults.notifications, ...(s[key] as object) } : s[key]);
    return parsed.success ? (parsed.data as Preferences[K]) : defaults[key];
  };
  return { theme: pick('theme'), notifications: pick('notifications'), undoSeconds: pick('undoSeconds') };
}
