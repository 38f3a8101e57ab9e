import { safeStorage } from 'electron';
import { prepareDataDir } from '../core/data-folder/paths';
import { loadOrCreateSealedKey } from '../core/secrets';

/**
 * The data key for secrets (SMTP password, API keys), sealed by the OS keychain through
 * Electron's safeStorage. Null where there is no real keychain (Linux without a secret
 * service falls back to a fixed password): the core then uses its 0600 key file.
 */
export function keychainDataKey(dataDir: string): Buffer | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return null;
  return loadOrCreateSealedKey(prepareDataDir(dataDir), {
    seal: (key) => safeStorage.encryptString(key.toString('base64')),
    open: (sealed) => Buffer.from(safeStorage.decryptString(sealed), 'base64'),
  });
}
