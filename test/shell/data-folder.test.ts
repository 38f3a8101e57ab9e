import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { Core } from '../../main/core/host/core';
import { copyDataFolder, dataFolderAtStart, planDataFolderChange } from '../../main/shell/data-folder';
import { tempDir } from '../support/temp';

/**
 * Moving Keel's data folder from Settings (the desktop app): what the shell does between
 * closing the core and relaunching, on real folders with a real core's database.
 */

async function ok<T = any>(core: Core, method: string, input: unknown = {}): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const answer = await core.call(method, input);
  if (!answer.ok) throw new Error(`${method}: ${JSON.stringify(answer.error)}`);
  return answer.output as T;
}

/** Every file under `dir` with its size, relative paths sorted: what a copy must reproduce. */
function listing(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => {
      const rel = join(prefix, e.name);
      return e.isDirectory() ? listing(dir, rel) : [`${rel} ${statSync(join(dir, rel)).size}`];
    })
    .sort();
}

/** A data folder a core has written: a memory, a preference, a file in the workspace. */
async function populatedDataFolder(): Promise<string> {
  const dir = tempDir({ lifetime: 'file' });
  const core = Core.start({ dataDir: dir, mode: 'headless' });
  try {
    await core.ready;
    await ok(core, 'memory.remember', { kind: 'fact', text: 'Acme pays invoices within 45 days.' });
    await ok(core, 'preferences.set', { theme: 'dark' });
    mkdirSync(join(dir, 'workspace', 'drafts'), { recursive: true });
    writeFileSync(join(dir, 'workspace', 'drafts', 'proposal.md'), 'A proposal\n');
  } finally {
    await core.close();
  }
  return dir;
}

let populated: string;
beforeAll(async () => {
  populated = await populatedDataFolder();
});

/** A copy of the populated folder that a test may change. */
function ownCopy(): string {
  const dir = join(tempDir(), 'keel');
  cpSync(populated, dir, { recursive: true });
  return dir;
}

describe('moving the data folder', () => {
  test('an empty folder receives a whole copy; Keel opened there has everything; the old folder is as it was', async () => {
    const from = populated;
    const before = listing(from);
    const to = join(tempDir(), 'Keel data');
    const plan = planDataFolderChange(from, to);
    expect(plan).toEqual({ kind: 'move', from, to });
    await copyDataFolder(plan.from, plan.to);

    expect(listing(from)).toEqual(before);
    expect(listing(to)).toEqual(before.filter((f) => !f.startsWith('keel.lock')));
    expect(readFileSync(join(to, 'workspace', 'drafts', 'proposal.md'), 'utf8')).toBe('A proposal\n');
    const core = Core.start({ dataDir: to, mode: 'headless' });
    try {
      await core.ready;
      const { memories } = await ok<{ memories: { text: string }[] }>(core, 'memory.list', { limit: 10 });
      expect(memories.map((m) => m.text)).toContain('Acme pays invoices within 45 days.');
      expect((await ok(core, 'preferences.get')).theme).toBe('dark');
      expect(await ok(core, 'ledger.verify')).toMatchObject({ ok: true });
      expect((await ok(core, 'system.status')).dataDir).toBe(to);
    } finally {
      await core.close();
    }
    // Back to the first folder: it holds Keel's data, so Keel switches to it as it is.
    expect(planDataFolderChange(to, from)).toEqual({ kind: 'use', from: to, to: from });
  });

  test('an existing empty folder is used for the copy', async () => {
    const from = populated;
    const to = tempDir();
    expect(planDataFolderChange(from, to).kind).toBe('move');
    await copyDataFolder(from, to);
    expect(existsSync(join(to, 'db'))).toBe(true);
  });

  test('a copy that fails part way leaves nothing at the target, and the source as it was', async () => {
    const from = ownCopy();
    // A named pipe cannot be copied: fs.cp stops there, after the database files.
    execFileSync('mkfifo', [join(from, 'workspace', 'zz-pipe')]);
    const before = listing(from);
    const parent = tempDir();
    const to = join(parent, 'moved');
    await expect(copyDataFolder(from, to)).rejects.toThrow(/Could not copy Keel's data to .*moved: .*Nothing was changed; Keel keeps using/);
    expect(existsSync(to)).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
    expect(listing(from)).toEqual(before);
  });

  test('refusals say why before anything is closed or copied', async () => {
    const from = populated;
    const other = tempDir();
    writeFileSync(join(other, 'taxes-2025.pdf'), '%PDF-1.7');
    const file = join(other, 'taxes-2025.pdf');
    expect(() => planDataFolderChange(from, 'keel-data')).toThrow(/full path \(keel-data is relative\)/);
    expect(() => planDataFolderChange(from, `${from}/`)).toThrow(/is already Keel's data folder/);
    expect(() => planDataFolderChange(from, join(from, 'inner'))).toThrow(/cannot be inside the current data folder/);
    expect(() => planDataFolderChange(join(from, 'workspace'), from)).toThrow(/cannot contain the current data folder/);
    expect(() => planDataFolderChange(from, file)).toThrow(/is a file, not a folder/);
    expect(() => planDataFolderChange(from, other)).toThrow(/already holds other files/);
    expect(() => planDataFolderChange(from, '/no-such-drive/keel')).toThrow(/\/no-such-drive does not exist \(an unplugged drive\?\)/);
    // A Keel data folder another Keel has open.
    const busy = ownCopy();
    const running = Core.start({ dataDir: busy, mode: 'headless' });
    try {
      expect(() => planDataFolderChange(from, busy)).toThrow(/Another Keel \(process \d+\) is already using the data folder/);
    } finally {
      await running.close();
    }
    expect(planDataFolderChange(from, busy).kind).toBe('use');
  });
});

describe('the data folder at start', () => {
  test('KEEL_DATA wins; a chosen folder that is gone is reported, never created again empty', () => {
    const chosen = tempDir();
    expect(dataFolderAtStart({ env: '/env/keel', chosen, userData: '/user' })).toEqual({ dataDir: '/env/keel', missing: null });
    expect(dataFolderAtStart({ chosen, userData: '/user' })).toEqual({ dataDir: chosen, missing: null });
    expect(dataFolderAtStart({ chosen: null, userData: '/user' })).toEqual({ dataDir: '/user', missing: null });
    expect(dataFolderAtStart({ chosen: '/media/op/usb/keel', userData: '/user' })).toEqual({ dataDir: '/user', missing: '/media/op/usb/keel' });
    expect(existsSync('/media/op/usb/keel')).toBe(false);
  });
});
