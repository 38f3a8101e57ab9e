import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Core } from '../../main/core/host/core';
import { startKeelServer, type KeelServer } from '../../main/server/http-server';
import { loadOrCreateToken } from '../../main/core/data-folder/token';
import { tempDir } from './temp';

export interface Harness {
  core: Core;
  server: KeelServer;
  token: string;
  base: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** A real Core and a real server on 127.0.0.1 in this process, serving a tiny static page. */
export async function startHarness(options: { workflowModules?: string[] } = {}): Promise<Harness> {
  const dataDir = tempDir({ lifetime: 'file' });
  const staticDir = join(tempDir({ lifetime: 'file' }), 'renderer');
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Keel test page</title>');
  // A file beside the app folder that no request may ever read.
  writeFileSync(join(staticDir, '..', 'secret.txt'), 'TOP-SECRET-NEIGHBOUR');
  const core = Core.start({ dataDir, mode: 'headless', workflowModules: options.workflowModules });
  const token = loadOrCreateToken(core.dataDir);
  const server = await startKeelServer({ core, token, staticDir, port: 0 });
  const base = `http://127.0.0.1:${server.port}`;
  return {
    core,
    server,
    token,
    base,
    wsUrl: `ws://127.0.0.1:${server.port}/api`,
    async close() {
      await server.close();
      await core.close();
    },
  };
}
