import type { PGlite } from '@electric-sql/pglite';
import type { ImapAccount, ImapMessage, ImapStatus } from '../../../../shared/domain/imap';
import type { Kernel } from '../../kernel/kernel';
import type { MemoryService } from '../../memory/memory';
import type { SecretStore } from '../../secrets/store';
import { FolderWatcher } from './folder-watcher';
import { folderKey, Intake } from './intake';
import { ImapSettingsStore } from './settings-store';

export interface ImapServiceDeps {
  db: PGlite;
  kernel: Kernel;
  memory: MemoryService;
  secrets: SecretStore;
  notify: (event: string, payload: unknown) => void;
}

const MB = 1024 * 1024;
/** Status pushes are coalesced: a catch-up of a hundred messages is one `imap.changed`, not a hundred. */
const NOTIFY_EVERY_MS = 200;

/**
 * E-mail intake: one FolderWatcher per watched folder of every enabled account, started
 * and stopped as the settings change (a changed account reconnects; the others keep their
 * connection).
 */
export class ImapService {
  readonly settings: ImapSettingsStore;
  readonly intake: Intake;
  private readonly watchers = new Map<string, { signature: string; accountId: string; watcher: FolderWatcher }>();
  private applying: Promise<void> = Promise.resolve();
  private stopped = false;
  private maxMessageBytes = 25 * MB;
  private notifyTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: ImapServiceDeps) {
    this.settings = new ImapSettingsStore({ db: deps.db, kernel: deps.kernel, secrets: deps.secrets, notify: deps.notify });
    this.settings.onSaved = () => this.apply();
    this.intake = new Intake({ db: deps.db, kernel: deps.kernel, documents: deps.memory.documents, uploadsDir: deps.memory.context.uploadsDir });
  }

  async start(): Promise<void> {
    await this.intake.sweep();
    await this.apply();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.applying;
    await Promise.all([...this.watchers.values()].map((w) => w.watcher.stop()));
    this.watchers.clear();
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
  }

  /** Brings the watchers in line with the settings; one application at a time. */
  apply(): Promise<void> {
    this.applying = this.applying.then(() => this.reconcile()).catch((err) => console.error('[imap] applying the settings failed:', err));
    return this.applying;
  }

  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    const s = await this.settings.settings();
    this.maxMessageBytes = (s?.maxMessageMb ?? 25) * MB;
    const wanted = new Map<string, { account: ImapAccount; folder: string; signature: string }>();
    for (const account of s?.enabled ? s.accounts : []) {
      if (!account.enabled) continue;
      // Anything about the account, or a new password, makes its connections start again.
      const signature = JSON.stringify([account, this.settings.passwordRevision(account.id)]);
      for (const folder of account.folders) wanted.set(folderKey(account.id, folder), { account, folder, signature });
    }
    const stopping: Promise<void>[] = [];
    for (const [key, w] of this.watchers) {
      if (wanted.get(key)?.signature === w.signature) continue;
      stopping.push(w.watcher.stop());
      this.watchers.delete(key);
    }
    await Promise.all(stopping);
    for (const [key, want] of wanted) {
      if (this.watchers.has(key)) continue;
      const watcher = new FolderWatcher({
        account: want.account,
        folder: want.folder,
        password: () => this.settings.password(want.account.id),
        intake: this.intake,
        maxMessageBytes: () => this.maxMessageBytes,
        changed: () => this.changed(),
      });
      this.watchers.set(key, { signature: want.signature, accountId: want.account.id, watcher });
      watcher.start();
    }
    this.changed();
  }

  async status(): Promise<ImapStatus> {
    const s = await this.settings.settings();
    const counts = await this.intake.folderCounts();
    const accounts = (s?.accounts ?? []).map((a) => ({
      id: a.id,
      label: a.label,
      user: a.user,
      host: a.host,
      enabled: a.enabled,
      folders: a.folders.map((folder) => {
        const w = this.watchers.get(folderKey(a.id, folder))?.watcher.status;
        const c = counts.get(folderKey(a.id, folder));
        const idle = { state: 'stopped' as const, connects: 0, lastSuccessAt: null, lastError: null, nextAttemptAt: null, notice: null };
        return { folder, ...(w ?? idle), taken: c?.taken ?? 0, uidValidity: c?.uidValidity ?? null, highestUid: c?.highestUid ?? null };
      }),
    }));
    return { enabled: s?.enabled ?? false, accounts };
  }

  messages(accountId: string | undefined, limit: number): Promise<ImapMessage[]> {
    return this.intake.messages(accountId, limit);
  }

  private changed(): void {
    if (this.notifyTimer || this.stopped) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      this.deps.notify('imap.changed', { accountId: null });
    }, NOTIFY_EVERY_MS);
    this.notifyTimer.unref();
  }
}
