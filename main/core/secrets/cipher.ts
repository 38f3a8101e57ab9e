import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How secrets are encrypted at rest. Pluggable: the core uses `keyFileCipher`; the Electron
 * shell passes one built on safeStorage (the OS keychain), which core must not import.
 */
export interface Cipher {
  /** Names the scheme; stored with each ciphertext so a change of cipher is detected, not misread. */
  readonly kind: string;
  encrypt(plain: string): string;
  decrypt(cipher: string): string;
}

export const KEY_FILE = 'secret.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

export interface KeyFileOptions {
  /** Told when a key file with loose permissions was repaired (default: console.warn). */
  onWarning?: (message: string) => void;
}

/**
 * AES-256-GCM with a random 32-byte key in `<dir>/secret.key` (mode 0600). The key is
 * created once, atomically, and never replaced: replacing it would make every stored secret
 * unreadable. A key file readable by others is tightened to 0600, and the operator is told.
 */
export function keyFileCipher(dir: string, options: KeyFileOptions = {}): Cipher {
  const key = loadOrCreateKey(join(dir, KEY_FILE), options.onWarning ?? ((m) => console.warn(`[secrets] ${m}`)));
  return aesGcmCipher('keyfile-aes-256-gcm', key, KEY_FILE);
}

/** The data key itself sealed by the OS keychain (Electron's safeStorage), which only the desktop shell can reach. */
export interface KeyWrapper {
  seal(key: Buffer): Buffer;
  open(sealed: Buffer): Buffer;
}

export const WRAPPED_KEY_FILE = 'secret.key.sealed';

/**
 * The desktop's data key: 32 random bytes stored only sealed by the OS keychain
 * (`secret.key.sealed`), opened by the shell at start and handed to the core. Created once,
 * atomically, like the key file.
 */
export function loadOrCreateSealedKey(dir: string, wrapper: KeyWrapper): Buffer {
  const path = join(dir, WRAPPED_KEY_FILE);
  try {
    return checkedKey(wrapper.open(readFileSync(path)), path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof SecretKeyError) throw err;
      throw new SecretKeyError(`${path} cannot be opened with this account's keychain (${(err as Error).message}). Stored passwords and keys must be entered again: remove the file to start over.`);
    }
  }
  writeOnce(path, wrapper.seal(randomBytes(KEY_BYTES)));
  return checkedKey(wrapper.open(readFileSync(path)), path);
}

/** Secrets encrypted with a data key the host opened (the desktop's sealed key). */
export function sealedKeyCipher(key: Buffer): Cipher {
  return aesGcmCipher('sealed-aes-256-gcm', checkedKey(key, 'the data key'), WRAPPED_KEY_FILE);
}

function aesGcmCipher(kind: string, key: Buffer, keyName: string): Cipher {
  return {
    kind,
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return `${VERSION}.${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
    },
    decrypt(text) {
      const [version, payload] = text.split('.', 2);
      if (version !== VERSION || !payload) throw new SecretKeyError('A stored secret is not in a format this Keel can read.');
      const raw = Buffer.from(payload, 'base64');
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      d.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([d.update(raw.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
      } catch {
        throw new SecretKeyError(`A stored secret cannot be decrypted with ${keyName} (the key was replaced, or the data was altered). Enter the secret again.`);
      }
    },
  };
}

function checkedKey(key: Buffer, where: string): Buffer {
  if (key.length !== KEY_BYTES) throw new SecretKeyError(`${where} holds ${key.length} bytes, not a ${KEY_BYTES}-byte key.`);
  return key;
}

function loadOrCreateKey(path: string, warn: (m: string) => void): Buffer {
  try {
    checkPermissions(path, warn);
    return readKey(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  createKey(path);
  checkPermissions(path, warn);
  return readKey(path);
}

function readKey(path: string): Buffer {
  const key = readFileSync(path);
  if (key.length !== KEY_BYTES) {
    // Never overwrite it: a damaged key may still be recoverable from a backup.
    throw new SecretKeyError(`${path} holds ${key.length} bytes, not a ${KEY_BYTES}-byte key. Restore it from a backup, or remove it and enter your passwords again.`);
  }
  return key;
}

/** POSIX only: Windows has no mode bits, its ACLs come from the user's profile folder. */
function checkPermissions(path: string, warn: (m: string) => void): void {
  const mode = statSync(path).mode & 0o777;
  if (process.platform === 'win32' || (mode & 0o077) === 0) return;
  try {
    chmodSync(path, 0o600);
  } catch (err) {
    throw new SecretKeyError(
      `${path} can be read by other users (mode ${mode.toString(8)}) and Keel could not restrict it (${(err as Error).message}). ` +
        `Run "chmod 600 ${path}" and start Keel again.`,
    );
  }
  warn(`${path} could be read by other users (mode ${mode.toString(8)}); Keel set it to 600. If anyone else used this account, change your stored passwords.`);
}

/** Written to a temp file, then linked into place: a crash never leaves a half-written key. */
function createKey(path: string): void {
  writeOnce(path, randomBytes(KEY_BYTES));
}

/** Another process that created the file first wins (the link fails); nothing is ever overwritten. */
function writeOnce(path: string, bytes: Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}
