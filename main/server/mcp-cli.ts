import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { DataFolderLockedError } from '../core/data-folder/lock';
import { Core } from '../core/host/core';
import { CORE_OPTIONS, CORE_USAGE, dataDirOf, memoryOptions, UsageError } from './core-options';
import { createKeelMcpServer } from '../core/mcp-server/http';

/**
 * `npm run --silent mcp`: Keel's memory as a Model Context Protocol server on stdio, for other
 * assistants (search with provenance, read a passage, propose a memory, see pending approvals).
 * It opens the data folder itself, so it runs while no other Keel has that folder open.
 */

const USAGE = `Usage: node out/main/mcp.js [--data DIR]   (or: npm run --silent mcp -- [--data DIR])
${CORE_USAGE}`;

// stdout carries the protocol and nothing else: whatever else is printed (the core, its
// worker, a library) goes to stderr, where MCP clients show it as the server's log.
const writeProtocol = process.stdout.write.bind(process.stdout);
const protocolOut = new Writable({ write: (chunk, _encoding, done) => void writeProtocol(chunk, done) });
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

function parseCli() {
  try {
    return parseArgs({ options: { ...CORE_OPTIONS, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function main(): Promise<void> {
  const values = parseCli();
  if (values.help) return void console.error(USAGE);
  const core = Core.start({ dataDir: dataDirOf(values), mode: 'headless', memory: memoryOptions(values) });
  // What a client proposes is marked with its own name ("mcp:claude-desktop").
  const server = createKeelMcpServer((method, input) => core.call(method, input));

  let closing = false;
  const close = async (code: number) => {
    if (closing) return;
    closing = true;
    await server.close().catch(() => undefined);
    await core.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void close(0));
  process.on('SIGTERM', () => void close(0));
  // The client closing stdin ends the session.
  process.stdin.on('end', () => void close(0));

  await core.ready.catch(async (err: Error) => {
    console.error(`Keel cannot open its database: ${err.message}`);
    await close(1);
  });
  await server.connect(new StdioServerTransport(process.stdin, protocolOut));
  console.error(`Keel's MCP server is ready on stdio (data folder ${core.dataDir}).`);
}

main().catch((err: unknown) => {
  if (err instanceof DataFolderLockedError) console.error(`${err.message} Keel's MCP server opens the data folder itself: quit that Keel first, or give this one another folder.`);
  else if (err instanceof UsageError) console.error(`${err.message}\n${USAGE}`);
  else console.error("Keel's MCP server failed to start:", err);
  process.exit(1);
});
