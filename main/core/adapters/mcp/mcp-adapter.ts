import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { Ajv } from 'ajv';
import { z } from 'zod';
import type { Risk } from '../../../../shared/domain/kernel';
import type { Adapter, AdapterAction } from '../../kernel/adapters/adapter';
import { permanent, transient } from '../../kernel/errors';
import { APP_VERSION } from '../../version';

/** How to reach an MCP server: a command speaking stdio, or a streamable HTTP endpoint. */
export type McpServerConfig =
  | { name: string; command: string; args?: string[]; env?: Record<string, string>; cwd?: string; risks?: Record<string, Risk> }
  | { name: string; url: string; risks?: Record<string, Risk> };

/** Why a tool's description looks like it talks to the model rather than describes the tool. */
export interface ToolFlag {
  tool: string;
  reason: string;
}

export interface McpConnection {
  adapter: Adapter;
  /** Tools whose descriptions carry instructions: kept as content, shown to the operator, never obeyed. */
  flags: ToolFlag[];
  close(): Promise<void>;
}

/** The key every call carries in `_meta`, so a server that honours it can do the effect once. */
export const IDEMPOTENCY_META = 'keel/idempotencyKey';

// Instructions addressed to a model, as found in tool-poisoning attacks: a description is data.
const INJECTION = [
  /ignore (all |any )?(previous|prior|above) (instructions|prompts)/i,
  /<\s*(important|system|instructions?)\s*>/i,
  /\b(do not|don't) (tell|inform|mention)\b.*\buser\b/i,
  /\b(you must|always) (call|use|send|read|include)\b/i,
  /\bsystem prompt\b/i,
  /~\/\.ssh|id_rsa|\.env\b|api[_ -]?key/i,
];

export function injectionFlags(tools: Pick<Tool, 'name' | 'description'>[]): ToolFlag[] {
  return tools.flatMap((t) => {
    const hit = INJECTION.find((re) => re.test(t.description ?? ''));
    return hit ? [{ tool: t.name, reason: `its description reads like instructions to the model (${hit.source}); it is treated as text and changes nothing` }] : [];
  });
}

const ajv = new Ajv({ allErrors: false, strict: false });

/** The tool's JSON Schema as the action's argument check, with the first problem named. */
function argsOf(tool: Tool): z.ZodType<Record<string, unknown>> {
  const validate = ajv.compile(tool.inputSchema);
  return z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    if (validate(value)) return;
    const e = validate.errors?.[0];
    ctx.addIssue({ code: 'custom', message: `${e?.instancePath || '(arguments)'} ${e?.message ?? 'do not match the tool’s schema'}`.trim() });
  });
}

const textOf = (content: unknown): string =>
  Array.isArray(content) ? content.map((c: { type?: string; text?: string }) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n') : '';

/** The client of one server, reconnected on the next call after a call broke (a crashed server is restarted). */
class Link {
  private client: Promise<Client> | null = null;

  constructor(private readonly config: McpServerConfig) {}

  get(): Promise<Client> {
    this.client ??= open(this.config).catch((err: Error) => {
      this.client = null;
      throw err;
    });
    return this.client;
  }

  async reset(): Promise<void> {
    const old = this.client;
    this.client = null;
    await old?.then((c) => c.close()).catch(() => undefined);
  }
}

async function open(config: McpServerConfig): Promise<Client> {
  const client = new Client({ name: 'keel', version: APP_VERSION });
  const transport =
    'url' in config
      ? new StreamableHTTPClientTransport(new URL(config.url))
      : new StdioClientTransport({ command: config.command, args: config.args ?? [], env: config.env, cwd: config.cwd, stderr: 'ignore' });
  await client.connect(transport);
  return client;
}

function action(link: Link, server: string, tool: Tool, risk: Risk): AdapterAction<Record<string, unknown>, unknown> {
  return {
    risk,
    // The summary is Keel's own words: the server's description is content, not an instruction.
    summary: `Calls the tool ${tool.name} of the MCP server ${server}.`,
    args: argsOf(tool),
    async run(args, ctx) {
      let result;
      try {
        const client = await link.get();
        result = await client.callTool({ name: tool.name, arguments: args, _meta: { [IDEMPOTENCY_META]: ctx.idempotencyKey } }, undefined, { signal: ctx.signal });
      } catch (err) {
        // The connection broke or the server died mid-call: the next attempt starts it again.
        await link.reset();
        throw transient(`The MCP server ${server} did not answer ${tool.name}: ${(err as Error).message}`);
      }
      if (result.isError) throw permanent(`The MCP tool ${server}.${tool.name} failed: ${textOf(result.content).slice(0, 2000)}`);
      return { text: textOf(result.content), structured: result.structuredContent ?? null };
    },
  };
}

/** Every tool of the server, page by page. */
async function listTools(client: Client): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined);
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

/**
 * Connects to an MCP server and makes its tools the actions of the adapter `mcp-<name>`: each
 * with the risk the operator gave it (default high, so it needs an approval), its arguments
 * checked against the tool's input schema, and the effect key passed along. Permissions name
 * them like any action (`mcp-files.read_file`); calls go through the kernel's gates and ledger.
 */
export async function connectMcpServer(config: McpServerConfig): Promise<McpConnection> {
  const link = new Link(config);
  const client = await link.get();
  const tools = await listTools(client);
  const server = client.getServerVersion();
  const adapter: Adapter = {
    name: `mcp-${config.name}`,
    version: `${server?.name ?? config.name}@${server?.version ?? '0'}`,
    actions: Object.fromEntries(tools.map((t) => [t.name, action(link, config.name, t, config.risks?.[t.name] ?? 'high')])),
  };
  return { adapter, flags: injectionFlags(tools), close: () => link.reset() };
}
