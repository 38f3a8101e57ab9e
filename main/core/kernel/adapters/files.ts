import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { permanent } from '../errors';
import { defineAction, type Adapter } from './adapter';

const RESERVED = '.keel';
const RelPath = z.string().min(1).max(1024);

/**
 * Files inside one workspace folder: write, move, delete. Paths outside the workspace (by
 * `..`, absolute paths or symlinks) are refused. Each action is idempotent by its key: the
 * result is journalled under `.keel/effects/`, and a replay returns it without acting again.
 */
export function filesAdapter(workspace: string): Adapter {
  const root = resolve(workspace);
  mkdirSync(join(root, RESERVED, 'effects'), { recursive: true });
  const realRoot = realpathSync(root);

  const inside = (rel: string): string => {
    if (isAbsolute(rel)) throw permanent(`"${rel}" is an absolute path; give a path inside the workspace.`);
    const full = resolve(root, rel);
    const back = relative(root, full);
    if (back === '' || back.startsWith('..') || isAbsolute(back)) throw permanent(`"${rel}" is outside the workspace ${root}.`);
    if (back.split(sep)[0] === RESERVED) throw permanent(`"${rel}" is inside Keel's reserved ${RESERVED} folder.`);
    // A symlinked folder on the way must not lead out of the workspace.
    let probe = dirname(full);
    while (!existsSync(probe)) probe = dirname(probe);
    const real = realpathSync(probe);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) throw permanent(`"${rel}" leads outside the workspace through a link.`);
    return full;
  };

  const journal = (key: string) => join(root, RESERVED, 'effects', `${createHash('sha256').update(key).digest('hex')}.json`);

  /** Runs `act` once per key; crash-safe because every action is also idempotent by content. */
  async function once<R>(key: string, act: () => R): Promise<R> {
    const marker = journal(key);
    if (existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8')) as R;
    const result = act();
    atomicWrite(marker, JSON.stringify(result ?? null));
    return result;
  }

  return {
    name: 'files',
    version: '1',
    actions: {
      write: defineAction({
        risk: 'low',
        summary: 'Write a file (created or replaced atomically).',
        args: z.strictObject({ path: RelPath, content: z.string(), encoding: z.enum(['utf8', 'base64']).default('utf8') }),
        run: (args, ctx) =>
          once(ctx.idempotencyKey, () => {
            const target = inside(args.path);
            const data = Buffer.from(args.content, args.encoding);
            mkdirSync(dirname(target), { recursive: true });
            atomicWrite(target, data);
            return { path: args.path, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
          }),
      }),
      move: defineAction({
        risk: 'low',
        summary: 'Move or rename a file.',
        args: z.strictObject({ from: RelPath, to: RelPath }),
        run: (args, ctx) =>
          once(ctx.idempotencyKey, () => {
            const from = inside(args.from);
            const to = inside(args.to);
            if (!existsSync(from)) {
              // Moved already (a crash between the move and its journal entry): done.
              if (existsSync(to)) return { from: args.from, to: args.to };
              throw permanent(`Cannot move "${args.from}": it does not exist.`);
            }
            mkdirSync(dirname(to), { recursive: true });
            renameSync(from, to);
            return { from: args.from, to: args.to };
          }),
      }),
      delete: defineAction({
        risk: 'medium',
        summary: 'Delete a file.',
        args: z.strictObject({ path: RelPath }),
        run: (args, ctx) =>
          once(ctx.idempotencyKey, () => {
            const target = inside(args.path);
            const existed = existsSync(target);
            rmSync(target, { force: true });
            return { path: args.path, existed };
          }),
      }),
    },
  };
}

function atomicWrite(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
