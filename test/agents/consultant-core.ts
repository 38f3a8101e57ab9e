/** What the consultant scenario's tests and their crash child share: the core on a data folder, the SMTP account (nothing from the vitest support, which a plain child process cannot load). */
import { openDatabase } from '../../main/core/db/database';
import { assembleCore, type Assembled } from '../../main/core/host/assemble';
import type { EmailSettingsInput } from '../../shared/domain/email';

export const SMTP_USER = 'keel';
export const SMTP_PASSWORD = 'correct horse battery staple 7';
export const OPERATOR = { from: 'alex@consultancy.example', fromName: 'Alex Morgan' };

export function smtpAccount(port: number): EmailSettingsInput {
  return { host: '127.0.0.1', port, secure: false, user: SMTP_USER, password: SMTP_PASSWORD, ...OPERATOR };
}

/** Keel's core on `dir` as the worker assembles it (no embedding model: none can be downloaded here). */
export async function openCore(dir: string, extra: Partial<Parameters<typeof assembleCore>[0]> = {}): Promise<Assembled & { close(): Promise<void> }> {
  const { db } = await openDatabase(dir);
  const core = await assembleCore({
    db,
    dataDir: dir,
    adapters: [],
    // Decisions take effect at once (the undo window is tested on its own).
    undoSeconds: 0,
    memory: { overrides: { embedding: { modelId: 'absent-model', dtype: 'fp32', autoDownload: false } } },
    notify: () => {},
    ...extra,
  });
  return Object.assign(core, {
    async close() {
      await core.stop();
      await db.close();
    },
  });
}

