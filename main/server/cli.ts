import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DataFolderLockedError } from '../core/data-folder/lock';
import { Core } from '../core/host/core';
import { CORE_OPTIONS, CORE_USAGE, dataDirOf, memoryOptions, UsageError } from './core-options';
import { startKeelServer } from './http-server';
import { loadOrCreateToken } from '../core/data-folder/token';

/** The project root: the nearest folder above this file that has package.json (source or out/). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const USAGE = `Usage: npm run serve -- [--data DIR] [--port N] [--host ADDR]
  --port N     port on the host (default 4820; 0 picks a free one)
  --host ADDR  address to bind (default 127.0.0.1; anything else exposes Keel to your network)
  --workflows FILE  a module exporting \`workflows\` to install (repeatable)
${CORE_USAGE}`;

function parseCli() {
  try {
    return parseArgs({
      options: {
        ...CORE_OPTIONS,
        port: { type: 'string', default: process.env.KEEL_PORT ?? '4820' },
        host: { type: 'string', default: '127.0.0.1' },
        static: { type: 'string' },
        workflows: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function main(): Promise<void> {
  const { values } = parseCli();
  if (values.help) return void console.log(USAGE);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${values.port}".`);
  const dataDir = dataDirOf(values);
  if (values.host !== '127.0.0.1' && values.host !== 'localhost') {
    console.warn(`Warning: binding to ${values.host} exposes Keel beyond this machine; the token is all that protects it.`);
  }

  const workflowModules = (values.workflows ?? []).map((file) => resolve(file));
  const core = Core.start({ dataDir, mode: 'headless', workflowModules, memory: memoryOptions(values) });
  const server = await startKeelServer({
    core,
    token: loadOrCreateToken(core.dataDir),
    staticDir: resolve(values.static ?? join(projectRoot(), 'out', 'renderer')),
    host: values.host,
    port,
  });
  console.log(`Keel is running headless. Open ${server.url}`);
  console.log(`Data folder: ${core.dataDir}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping Keel...`);
    await server.close();
    await core.close();
    console.log('Keel stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    await core.ready;
    console.log(`Database ready (schema ${core.status().databaseSchemaVersion}).`);
  } catch (err) {
    console.error(`Keel cannot open its database: ${(err as Error).message}`);
    await server.close();
    await core.close();
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  if (err instanceof DataFolderLockedError || err instanceof UsageError) {
    console.error(err.message);
    if (err instanceof UsageError) console.error(USAGE);
  } else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`That port is taken: ${(err as Error).message}. Start with --port N (or --port 0 for any free port).`);
  } else {
    console.error('Keel failed to start:', err);
  }
  process.exit(1);
});
