import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { CallName } from '../../../shared/api/contract';
import type { ApiResult } from '../../../shared/api/errors';

/** How the tools reach Keel: the core's one typed API (Core.call), nothing else. */
export type CoreCall = (method: CallName, input: unknown) => Promise<ApiResult>;

/** A tool's answer: the figures as structured content, and the same as text for clients that read only text. */
const answer = (data: Record<string, unknown>): CallToolResult => ({ content: [{ type: 'text', text: JSON.stringify(data, null, 2) }], structuredContent: data });
const refusal = (message: string): CallToolResult => ({ content: [{ type: 'text', text: message }], isError: true });

async function through(call: CoreCall, method: CallName, input: unknown, shape: (output: any) => Record<string, unknown>): Promise<CallToolResult> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const result = await call(method, input);
  return result.ok ? answer(shape(result.output)) : refusal(`${result.error.message}`);
}

/**
 * Keel's memory for other assistants: search with provenance, a document's chunk, pending
 * approvals, and remember, which only proposes (the operator decides in the review queue).
 * `source` names the client in what it proposes, e.g. "mcp:claude-desktop".
 */
export function registerKeelTools(server: McpServer, call: CoreCall, source: () => string): void {
  server.registerTool(
    'search_memory',
    {
      title: 'Search Keel',
      description: "Searches the operator's documents and memories (keyword and meaning). Every hit says where it comes from: the document, page and headings of a passage, or the memory and its provenance.",
      inputSchema: { query: z.string().min(1).max(2000), limit: z.number().int().min(1).max(50).default(10) },
    },
    ({ query, limit }) =>
      through(call, 'memory.search', { query, limit }, (out) => ({
        mode: out.mode,
        hits: out.hits.map((h: { type: string; id: string; title: string; snippet: { text: string }; score: number; source: unknown; at: string }) => ({ type: h.type, id: h.id, title: h.title, text: h.snippet.text, score: h.score, source: h.source, at: h.at })),
      })),
  );

  server.registerTool(
    'read_chunk',
    {
      title: 'Read a passage',
      description: "One passage of a document, by the document id and the passage's ordinal that search_memory gives, with its headings and page.",
      inputSchema: { documentId: z.string().min(1).max(200), ordinal: z.number().int().nonnegative() },
    },
    async ({ documentId, ordinal }) => {
      const result = await call('documents.chunks', { id: documentId, offset: ordinal, limit: 1 });
      if (!result.ok) return refusal(result.error.message);
      const { chunks, total, version } = result.output as { chunks: { ordinal: number; text: string; headingPath: string[]; page: number | null; pageEnd: number | null }[]; total: number; version: number | null };
      const chunk = chunks[0];
      if (!chunk) return refusal(`Document ${documentId} has ${total} passages; there is none at ${ordinal}.`);
      return answer({ documentId, version, total, ordinal: chunk.ordinal, headingPath: chunk.headingPath, page: chunk.page, pageEnd: chunk.pageEnd, text: chunk.text });
    },
  );

  server.registerTool(
    'remember',
    {
      title: 'Propose a memory',
      description: "Proposes a fact, preference, decision or action item for Keel to remember. It is not kept straight away: it waits in the operator's review queue and is used only once the operator confirms it.",
      inputSchema: { text: z.string().min(1).max(4000), kind: z.enum(['fact', 'preference', 'decision', 'action_item']).default('fact'), quote: z.string().max(2000).optional() },
    },
    ({ text, kind, quote }) =>
      through(call, 'memory.propose', { text, kind, source: source(), ...(quote ? { quote } : {}) }, (out) => ({
        status: 'proposed',
        memoryId: out.memory.id,
        reviewId: out.reviewId,
        note: 'Waiting in the review queue: the operator decides whether Keel keeps it.',
      })),
  );

  server.registerTool(
    'list_pending_approvals',
    {
      title: 'Pending approvals',
      description: "What Keel's agents are waiting for the operator to approve (read-only: decisions are the operator's, in Keel).",
      inputSchema: { limit: z.number().int().min(1).max(100).default(20) },
    },
    ({ limit }) =>
      through(call, 'approvals.list', { status: 'pending', limit }, (out) => ({
        approvals: out.approvals.map((a: { id: string; title: string; kind: string; risk: string; runId: string; createdAt: string; rationale?: string | null }) => ({ id: a.id, title: a.title, kind: a.kind, risk: a.risk, runId: a.runId, createdAt: a.createdAt, rationale: a.rationale ?? null })),
      })),
  );
}
