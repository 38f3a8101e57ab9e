#!/usr/bin/env node
// `npm run --silent mcp -- [--data DIR]`: Keel's MCP server on stdio. Builds the app first when
// out/main/mcp.js is not there yet (the build's output goes to stderr: stdout is the protocol's).
// --silent keeps npm's own banner off stdout; MCP clients can also run `node out/main/mcp.js`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'out', 'main', 'mcp.js');
if (!existsSync(entry)) {
  const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (build.status !== 0) {
    console.error('The build failed (see above); fix it and start the MCP server again.');
    process.exit(build.status ?? 1);
  }
}
await import(pathToFileURL(entry).href);
