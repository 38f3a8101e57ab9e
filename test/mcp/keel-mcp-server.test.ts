import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DOCUMENTS, MODELS } from '../support/fixtures';
import { startMemoryCore } from '../support/memory-core';
import { BUILT_SERVER, ROOT } from '../support/server-process';
import { tempDir } from '../support/temp';

/**
 * Keel's memory as an MCP server (out/main/mcp.js, built by the global setup), driven by the
 * official SDK's client over stdio, as another assistant would: on a data folder a real core
 * filled with a document, a memory and a pending approval.
 */

const MCP_ENTRY = join(BUILT_SERVER, '..', 'mcp.js');
const dataDir = tempDir({ lifetime: 'file' });
let client: Client;
let transport: StdioClientTransport;
let stderr = '';
let documentId: string;
let approvalTitle: string;

type ToolAnswer = { structuredContent?: Record<string, any>; content: { type: string; text?: string }[]; isError?: boolean }; // eslint-disable-line @typescript-eslint/no-explicit-any
const tool = (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args }) as Promise<ToolAnswer>;

beforeAll(async () => {
  // Filled by a real core, closed again: the MCP server opens the folder itself.
  const mc = await startMemoryCore({ dataDir, workflowModules: [join(ROOT, 'test', 'fixtures', 'e2e-workflows.mjs')] });
  try {
    const { files } = await mc.call('documents.ingest', { paths: [join(DOCUMENTS, 'norwich-city.txt')] });
    documentId = files[0]!.documentId!;
    await mc.idle();
    await mc.call('memory.remember', { kind: 'fact', text: 'Iwan Roberts is the client’s favourite striker; mention him in the newsletter.' });
    const { id } = await mc.call('runs.start', { workflow: 'e2e.announce', input: { text: 'Season tickets' } });
    await mc.waitFor('approvals.changed', (p) => (p as { runId?: string }).runId === id);
    approvalTitle = (await mc.call('approvals.list', { status: 'pending', limit: 10 })).approvals[0]!.title;
  } finally {
    await mc.close();
  }
  transport = new StdioClientTransport({
    command: process.execPath,
    args: [MCP_ENTRY, '--data', dataDir, '--models', MODELS, '--model', 'tiny-embedder', '--model-dtype', 'fp32', '--no-model-download'],
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  client = new Client({ name: 'test-assistant', version: '1.0.0' });
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
});

describe("Keel's MCP server over stdio", () => {
  test('lists its four tools, each with an input schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['list_pending_approvals', 'read_chunk', 'remember', 'search_memory']);
    for (const t of tools) expect(t.inputSchema.type).toBe('object');
  });

  test('search results carry their provenance, and a passage is read back by it', async () => {
    const { structuredContent: found } = await tool('search_memory', { query: 'Iwan Roberts Norwich City goals', limit: 5 });
    const chunk = found!.hits.find((h: { type: string }) => h.type === 'chunk');
    expect(chunk.source).toMatchObject({ type: 'chunk', documentId, documentName: 'norwich-city.txt', version: 1 });
    expect(chunk.text).toMatch(/Roberts/);
    const { structuredContent: remembered } = await tool('search_memory', { query: 'favourite striker newsletter' });
    const memory = remembered!.hits.find((h: { type: string }) => h.type === 'memory');
    expect(memory.text).toContain('favourite striker');
    expect(memory.source).toMatchObject({ type: 'memory', kind: 'fact' });
    const { structuredContent: passage } = await tool('read_chunk', { documentId, ordinal: chunk.source.ordinal });
    expect(passage).toMatchObject({ documentId, ordinal: chunk.source.ordinal, headingPath: chunk.source.headingPath });
    expect(passage!.text).toContain(chunk.text.replace(/…/g, '').trim().slice(0, 20));
    const beyond = await tool('read_chunk', { documentId, ordinal: 100_000 });
    expect(beyond.isError).toBe(true);
    expect(beyond.content[0]!.text).toMatch(/there is none at 100000/);
  });

  test('a remembered fact lands in the review queue, marked with the client, and is not searchable until confirmed', async () => {
    const { structuredContent: proposed } = await tool('remember', { text: 'The client prefers invoices in euros.', quote: 'please remember they want euros' });
    expect(proposed).toMatchObject({ status: 'proposed' });
    const { structuredContent: found } = await tool('search_memory', { query: 'invoices in euros' });
    expect(found!.hits.map((h: { id: string }) => h.id)).not.toContain(proposed!.memoryId);
    await client.close();
    // The operator's side: the review is there, with where it came from.
    const mc = await startMemoryCore({ dataDir });
    try {
      const { reviews } = await mc.call('reviews.list', { status: 'open', limit: 10 });
      const review = reviews.find((r) => r.id === proposed!.reviewId)!;
      expect(review).toMatchObject({ kind: 'proposed', reason: 'Proposed by mcp:test-assistant; not used until you confirm it.' });
      expect(review.memories[0]).toMatchObject({ id: proposed!.memoryId, status: 'pending_review', provenance: { source: 'mcp:test-assistant', quote: 'please remember they want euros' } });
    } finally {
      await mc.close();
    }
    client = new Client({ name: 'test-assistant', version: '1.0.0' });
    transport = new StdioClientTransport({ command: process.execPath, args: [MCP_ENTRY, '--data', dataDir, '--no-model-download'], stderr: 'pipe' });
    await client.connect(transport);
  });

  test('lists pending approvals; invalid arguments are refused with the field named', async () => {
    const { structuredContent } = await tool('list_pending_approvals', {});
    expect(structuredContent!.approvals.map((a: { title: string }) => a.title)).toEqual([approvalTitle]);
    const bad = await tool('search_memory', { query: '' });
    expect(bad.isError).toBe(true);
    expect(bad.content[0]!.text).toMatch(/query/);
  });

  test('stdout carried only the protocol: the core’s own messages went to stderr', () => {
    expect(stderr).toContain("Keel's MCP server is ready on stdio");
  });
});

describe("Keel's MCP server and a data folder in use", () => {
  test('another Keel holding the folder: it says so on stderr, exits 1, and stdout stays empty', async () => {
    const busy = await startMemoryCore({ model: null });
    try {
      const child = spawn(process.execPath, [join(ROOT, 'scripts', 'mcp.mjs'), '--data', busy.dataDir, '--no-model-download'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(err).toMatch(/Another Keel \(process \d+\) is already using the data folder .* Keel's MCP server opens the data folder itself: quit that Keel first/);
      expect(out).toBe('');
    } finally {
      await busy.close();
    }
  });
});
