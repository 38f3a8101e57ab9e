import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The originals of ingested files, kept by content hash (`originals/ab/abcdef…`), so a
 * document can be parsed again (re-ingest, a better parser) and its history points at real
 * bytes. Written to a temporary name and renamed: a crash never leaves half a file under a
 * hash.
 */
export class Originals {
  constructor(private readonly root: string) {}

  pathFor(sha256: string): string {
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Stores bytes (once per content) and returns their hash. */
  keep(bytes: Uint8Array): string {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathFor(sha256);
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, path);
    }
    return sha256;
  }

  read(sha256: string): Promise<Uint8Array> {
    return readFile(this.pathFor(sha256));
  }
}
