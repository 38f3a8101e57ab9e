import type { PGlite } from '@electric-sql/pglite';
import type { Cipher } from './cipher';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const MAX_VALUE_CHARS = 65_536;

export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

/** What a person may see of a secret: the last 4 characters, and only when it is long enough to keep the rest hidden. */
export function maskSecret(value: string): string {
  return value.length >= 8 ? `••••${value.slice(-4)}` : '••••';
}

/**
 * Secrets (SMTP passwords, API keys) in `keel_secrets`, encrypted by the given cipher. Each row
 * is `<cipher kind>:<ciphertext>`, so a secret written by another cipher (the desktop's
 * safeStorage versus the headless key file) is reported, not decrypted into garbage.
 * Values leave this class only through `get`, for the adapter that uses them: never log
 * them, never put them in the ledger, a step output or an API response (use `masked`).
 */
export class SecretStore {
  constructor(
    private readonly db: PGlite,
    private readonly cipher: Cipher,
    private readonly now: () => number = Date.now,
  ) {
    if (cipher.kind.includes(':')) throw new SecretError(`A cipher's kind may not contain ":" (got "${cipher.kind}").`);
  }

  get cipherKind(): string {
    return this.cipher.kind;
  }

  async set(id: string, value: string): Promise<void> {
    checkId(id);
    if (typeof value !== 'string' || value.length === 0) throw new SecretError(`Secret ${id} cannot be empty.`);
    if (value.length > MAX_VALUE_CHARS || value.includes('\u0000')) throw new SecretError(`Secret ${id} is too long or contains a NUL character.`);
    const stored = `${this.cipher.kind}:${this.cipher.encrypt(value)}`;
    await this.db.query(
      `INSERT INTO keel_secrets (id, ciphertext, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET ciphertext = EXCLUDED.ciphertext, updated_at = EXCLUDED.updated_at`,
      [id, stored, new Date(this.now()).toISOString()],
    );
  }

  async get(id: string): Promise<string | null> {
    checkId(id);
    const { rows } = await this.db.query<{ ciphertext: string }>('SELECT ciphertext FROM keel_secrets WHERE id = $1', [id]);
    if (!rows[0]) return null;
    const text = rows[0].ciphertext;
    const cut = text.indexOf(':');
    const kind = text.slice(0, cut);
    if (cut < 0 || kind !== this.cipher.kind) {
      throw new SecretError(`Secret ${id} was stored with "${kind}" encryption, but this Keel uses "${this.cipher.kind}". Enter it again.`);
    }
    return this.cipher.decrypt(text.slice(cut + 1));
  }

  async has(id: string): Promise<boolean> {
    checkId(id);
    const { rows } = await this.db.query('SELECT 1 FROM keel_secrets WHERE id = $1', [id]);
    return rows.length > 0;
  }

  /** True when there was something to delete. */
  async delete(id: string): Promise<boolean> {
    checkId(id);
    const res = await this.db.query('DELETE FROM keel_secrets WHERE id = $1', [id]);
    return (res.affectedRows ?? 0) > 0;
  }

  /** `••••abcd`, or null when there is no such secret: safe for settings screens and API responses. */
  async masked(id: string): Promise<string | null> {
    const value = await this.get(id);
    return value === null ? null : maskSecret(value);
  }

  /** Which secrets exist, without their values. */
  async list(): Promise<{ id: string; updatedAt: string }[]> {
    const { rows } = await this.db.query<{ id: string; updated_at: Date }>('SELECT id, updated_at FROM keel_secrets ORDER BY id');
    return rows.map((r) => ({ id: r.id, updatedAt: new Date(r.updated_at).toISOString() }));
  }
}

function checkId(id: string): void {
  if (typeof id !== 'string' || !ID.test(id)) throw new SecretError(`"${String(id).slice(0, 50)}" is not a valid secret id (letters, digits, . _ : -, up to 200).`);
}
