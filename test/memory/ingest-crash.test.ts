import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { openDatabase } from '../../main/core/db/database';
import { Ledger } from '../../main/core/kernel/ledger';
import { MODELS } from '../support/fixtures';
import { ROOT, watchOutput } from '../support/server-process';
import { tempDir } from '../support/temp';

const FILES = 200;
const KILLS = 4;

function spawnChild(dataDir: string, folder: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'ingest-crash-child.ts'), dataDir, folder, MODELS], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** 200 distinct documents: Markdown with sections, of varied length (one to several chunks). */
function writeFiles(folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const sections = 1 + (i % 4);
    const body = Array.from({ length: sections }, (_, s) => `## Section ${s} of file ${i}\n\n${`Paragraph about topic${i} and subject${s} with marker${i}x${s}. `.repeat(20 + (i % 30))}`).join('\n\n');
    writeFileSync(join(folder, `doc-${String(i).padStart(3, '0')}.md`), `# Document ${i}\n\n${body}\n`);
  }
}

test(`SIGKILL ${KILLS} times while ingesting ${FILES} files: each ingested exactly once, none half stored, the ledger holds`, async () => {
  const dataDir = tempDir();
  const folder = join(tempDir(), 'inbox');
  writeFiles(folder);
  let seen = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    const child = spawnChild(dataDir, folder);
    const out = watchOutput(child);
    const exited = once(child, 'exit');
    // Kill after a random number of further documents finished (the first kill may land while queueing).
    const target = kill === 0 ? 0 : seen + 5 + Math.floor(Math.random() * 25);
    const moment = kill === 0 ? out.waitFor(/QUEUED|INDEXED 1\b/) : out.waitFor(new RegExp(`INDEXED ${target - seen}\\b`));
    const winner = await Promise.race([moment.then(() => 'kill' as const), exited.then(() => 'exited' as const)]);
    if (winner === 'exited') throw new Error(`the child ended before it was killed:\n${out.output()}`);
    child.kill('SIGKILL');
    await exited;
    seen += (out.output().match(/INDEXED \d+/g) ?? []).length;
  }
  const last = spawnChild(dataDir, folder);
  const out = watchOutput(last);
  const [code] = await once(last, 'exit');
  expect(code, out.output()).toBe(0);
  expect(out.output()).toContain('ALL DONE');

  const { db } = await openDatabase(dataDir);
  try {
    const docs = await db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM memory_documents GROUP BY status');
    expect(docs.rows).toEqual([{ status: 'indexed', n: FILES }]);
    // Exactly one version per document, and only its chunks, numbered without gaps.
    const versions = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM memory_document_versions GROUP BY document_id HAVING count(*) <> 1');
    expect(versions.rows).toEqual([]);
    const mismatched = await db.query(
      `SELECT d.id FROM memory_documents d LEFT JOIN LATERAL (SELECT count(*)::int AS n, max(ordinal) AS last FROM memory_chunks c WHERE c.document_id = d.id) c ON true
       WHERE d.current_version <> 1 OR c.n <> d.chunk_count OR c.last <> d.chunk_count - 1 OR c.n = 0`,
    );
    expect(mismatched.rows).toEqual([]);
    const stray = await db.query(`SELECT 1 FROM memory_chunks c JOIN memory_documents d ON d.id = c.document_id WHERE c.version <> d.current_version`);
    expect(stray.rows).toEqual([]);
    // The keyword index counts each stored chunk once.
    const stats = await db.query<{ units: string; chunks: string }>(`SELECT s.units, (SELECT count(*) FROM memory_chunks) AS chunks FROM memory_bm25_stats s`);
    expect(Number(stats.rows[0]!.units)).toBe(Number(stats.rows[0]!.chunks));
    const indexedEvents = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM kernel_ledger WHERE type = 'document.indexed'`);
    expect(indexedEvents.rows[0]!.n).toBe(FILES);
    const runs = await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM kernel_runs WHERE workflow = 'memory.ingest' GROUP BY status`);
    expect(runs.rows).toEqual([{ status: 'succeeded', n: FILES }]);
    const unembedded = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM memory_chunks WHERE embedding IS NULL');
    expect(unembedded.rows[0]!.n).toBe(0);
    const verification = await new Ledger(() => Date.now()).verify(db);
    expect(verification).toMatchObject({ ok: true, brokenAt: null });
  } finally {
    await db.close();
  }
}, 600_000);
