import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, ToolListChangedNotificationSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { RISK_ORDER, type Risk } from '../../../../shared/domain/kernel';
import type { Adapter, AdapterAction } from '../../kernel/adapters/adapter';
import { permanent, transient } from '../../kernel/errors';
import { canonicalJson } from '../../kernel/ledger';
import { APP_VERSION } from '../../version';

/** How to reach an MCP server: a command speaking stdio, or a streamable HTTP endpoint. */
export type McpServerConfig =
  | { name: string; command: string; args?: string[]; env?: Record<string, string>; cwd?: string; risks?: Record<string, Risk> }
  | { name: string; url: string; headers?: Record<string, string>; risks?: Record<string, Risk> };

/** Why a tool's description looks like it talks to the model rather than describes the tool. */
export interface ToolFlag {
  tool: string;
  reason: string;
}

export interface McpConnection {
  /**
   * The adapter for the tools as last listed. When the server's tools change (it says so with
   * `notifications/tools/list_changed`, or lists other tools after a restart) this is a new
   * adapter object with a new version, and `onChange` listeners get it to register.
   */
  readonly adapter: Adapter;
  /** Tools whose descriptions carry instructions: kept as content, shown to the operator, never obeyed. */
  readonly flags: ToolFlag[];
  /** A session with the server is open now (false after it crashed, until the next call starts it again). */
  readonly connected: boolean;
  /** Calls `listener` with the new adapter whenever the tools changed; returns the unsubscribe. */
  onChange(listener: (adapter: Adapter) => unknown): () => void;
  close(): Promise<void>;
}

/** The key every call carries in `_meta`, so a server that honours it can do the effect once. */
export const IDEMPOTENCY_META = 'keel/idempotencyKey';

// Instructions addressed to a model, as found in tool-poisoning attacks: a description is data.
// Each with what the operator is told (in Keel's words: the description itself is never repeated).
const INJECTION: [RegExp, string][] = [
  [/ignore (all |any )?(the )?(previous|prior|above|earlier) (instructions|prompts|rules)/i, 'it tells the model to ignore its instructions'],
  [/<\s*(important|system|instructions?)\s*>/i, 'it carries a hidden instruction block'],
  [/\b(do not|don't|never) (tell|inform|mention|show)\b.*\buser\b/i, 'it tells the model to keep something from the user'],
  [/\b(you must|always) (call|use|send|read|include|pass)\b/i, 'it orders the model to act'],
  [/\bbefore (using|calling|running) (this|the|any) tool\b.*\b(read|call|send|include|pass|fetch)\b/i, 'it orders the model to act before using the tool'],
  [/\bsystem prompt\b/i, 'it mentions the system prompt'],
  [/~\/\.ssh|id_rsa|\.env\b|api[_ -]?key/i, 'it names secrets (SSH keys, .env files, API keys)'],
];

export function injectionFlags(tools: Pick<Tool, 'name' | 'description'>[]): ToolFlag[] {
  return tools.flatMap((t) => {
    const why = INJECTION.filter(([re]) => re.test(t.description ?? '')).map(([, what]) => what);
    return why.length ? [{ tool: t.name, reason: `Its description reads like instructions to the model (${why.join('; ')}); it is treated as text and changes nothing.` }] : [];
  });
}

// One compiler per JSON Schema dialect. Formats are the server's to check (no warnings for them);
// schemas are not checked against the meta-schema, only compiled.
const AJV_OPTIONS = { allErrors: false, strict: false, validateSchema: false, validateFormats: false } as const;
const draft07 = new Ajv(AJV_OPTIONS);
const draft2020 = new Ajv2020(AJV_OPTIONS);

/** The tool's input schema compiled once (here, not per call), in its declared dialect, else the other one. */
function compile(schema: Tool['inputSchema']): ValidateFunction | Error {
  // Without its $id: the same $id from two servers, or from one server twice, would clash in the compiler.
  const rest: Record<string, unknown> = { ...schema };
  delete rest.$id;
  const declared = typeof rest.$schema === 'string' ? rest.$schema : '';
  // MCP's default dialect is 2020-12; older servers' schemas (draft-07 tuples) compile in their own.
  const order = /draft-0[4-7]/.test(declared) ? [draft07, draft2020] : [draft2020, draft07];
  let first: Error | undefined;
  for (const ajv of order) {
    try {
      const validate = ajv.compile(rest);
      ajv.removeSchema(rest); // the compiled function stays; the compiler keeps no copy of every listing
      return validate;
    } catch (err) {
      first ??= err as Error;
    }
  }
  return first!;
}

/** The tool's JSON Schema as the action's argument check, with the first problem named. */
function argsOf(tool: Tool): z.ZodType<Record<string, unknown>> {
  const validate = compile(tool.inputSchema);
  return z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    if (validate instanceof Error) {
      ctx.addIssue({ code: 'custom', message: `the tool’s input schema cannot be checked (${validate.message}), so Keel does not call it` });
      return;
    }
    if (validate(value)) return;
    const e = validate.errors?.[0];
    ctx.addIssue({ code: 'custom', message: `${e?.instancePath || '(arguments)'} ${e?.message ?? 'do not match the tool’s schema'}`.trim() });
  });
}

const textOf = (content: unknown): string =>
  Array.isArray(content) ? content.map((c: { type?: string; text?: string }) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n') : '';

/** The last bytes a stdio server wrote to stderr: what the operator reads when it died. */
class Tail {
  private text = '';
  add(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-2000);
  }
  clear(): void {
    this.text = '';
  }
  get(): string {
    return this.text.trim().split('\n').slice(-5).join('\n').slice(-600);
  }
}

/**
 * The client of one server. A session that closed (the process exited, the server dropped it)
 * or a call that broke forgets its client, and the next call connects again (a stdio server is
 * started again). Every new session lists the tools before it is used.
 */
class Link {
  private pending: Promise<Client> | null = null;
  private live: Client | null = null;
  private closed = false;
  private relisting: Promise<void> = Promise.resolve();
  readonly stderr = new Tail();

  constructor(
    private readonly config: McpServerConfig,
    private readonly listed: (tools: Tool[], client: Client) => void,
  ) {}

  get connected(): boolean {
    return this.live !== null;
  }

  get(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error('Keel has disconnected from this server'));
    if (!this.pending) {
      const opening = this.open();
      this.pending = opening;
      opening.catch(() => {
        if (this.pending === opening) this.pending = null;
      });
    }
    return this.pending;
  }

  private async open(): Promise<Client> {
    const client = new Client({ name: 'keel', version: APP_VERSION });
    const config = this.config;
    let transport;
    if ('url' in config) {
      transport = new StreamableHTTPClientTransport(new URL(config.url), config.headers ? { requestInit: { headers: config.headers } } : undefined);
    } else {
      transport = new StdioClientTransport({ command: config.command, args: config.args ?? [], env: config.env, cwd: config.cwd, stderr: 'pipe' });
      transport.stderr?.on('data', (d: Buffer) => this.stderr.add(d));
    }
    client.onclose = () => this.forget(client);
    this.stderr.clear();
    try {
      await client.connect(transport);
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.relist(client));
      this.listed(await listTools(client), client);
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.close().catch(() => undefined);
      throw new Error('Keel has disconnected from this server');
    }
    this.live = client;
    return client;
  }

  /** The server said its tools changed: list them again (one listing at a time, in order). */
  private relist(client: Client): void {
    this.relisting = this.relisting.then(async () => {
      if (this.live !== client) return;
      try {
        this.listed(await listTools(client), client);
      } catch {
        // The session broke while listing: the next call reconnects and lists again.
      }
    });
  }

  private forget(client: Client): void {
    if (this.live !== client) return;
    this.live = null;
    this.pending = null;
  }

  /** A call on `client` broke: drop that session (never a newer one another call opened). */
  async drop(client: Client): Promise<void> {
    this.forget(client);
    await client.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.pending;
    this.pending = null;
    this.live = null;
    const client = await pending?.catch(() => null);
    if (!client) return;
    const transport = client.transport;
    // A streamable HTTP session is ended politely, so the server frees it at once (not waiting
    // long on a server that does not answer: closing the client aborts the request).
    if (transport instanceof StreamableHTTPClientTransport) await within(2000, transport.terminateSession());
    await client.close().catch(() => undefined);
  }
}

/** Waits for `promise` at most `ms`, whatever its outcome. */
async function within(ms: number, promise: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** What a failed call means: the server answered "no" (permanent) or the call never completed (transient). */
function classify(err: unknown, aborted: boolean): { kind: 'permanent' | 'transient'; dropSession: boolean } {
  if (aborted) return { kind: 'transient', dropSession: false }; // the kernel's timeout: the SDK told the server to cancel
  if (err instanceof McpError) {
    if (err.code === ErrorCode.ConnectionClosed || err.code === ErrorCode.RequestTimeout) return { kind: 'transient', dropSession: true };
    if (err.code === ErrorCode.InternalError) return { kind: 'transient', dropSession: false };
    // The server refused the request (unknown tool, invalid parameters, ...) or its result broke
    // the tool's own output schema: asking again gets the same answer.
    return { kind: 'permanent', dropSession: false };
  }
  return { kind: 'transient', dropSession: true }; // the link broke: the process died, the HTTP session is gone, ...
}

const atLeastHigh = (risk: Risk): Risk => (RISK_ORDER[risk] >= RISK_ORDER.high ? risk : 'high');

function action(link: Link, server: string, tool: Tool, risk: Risk, flag: ToolFlag | undefined): AdapterAction<Record<string, unknown>, unknown> {
  return {
    // A flagged tool is never below high, whatever the configuration says: the operator sees each call.
    risk: flag ? atLeastHigh(risk) : risk,
    // The summary is Keel's own words: the server's description is content, not an instruction.
    summary: flag
      ? `Calls the tool ${tool.name} of the MCP server ${server}. Keel flagged this tool: its description reads like instructions to the model, which Keel ignores.`
      : `Calls the tool ${tool.name} of the MCP server ${server}.`,
    args: argsOf(tool),
    schema: tool.inputSchema,
    ...(flag ? { flags: [flag.reason] } : {}),
    async run(args, ctx) {
      let client: Client;
      try {
        client = await link.get();
      } catch (err) {
        throw transient(`Keel could not reach the MCP server ${server}: ${reason(err)}${lastWords(link)}`);
      }
      let result;
      try {
        result = await client.callTool({ name: tool.name, arguments: args, _meta: { [IDEMPOTENCY_META]: ctx.idempotencyKey } }, undefined, { signal: ctx.signal });
      } catch (err) {
        const { kind, dropSession } = classify(err, ctx.signal.aborted);
        if (kind === 'permanent') throw permanent(`The MCP server ${server} refused ${tool.name}: ${reason(err)}`);
        // The connection broke or the server died mid-call: the next attempt starts it again.
        if (dropSession) await link.drop(client);
        throw transient(`The MCP server ${server} did not answer ${tool.name}: ${reason(err)}${lastWords(link)}`);
      }
      if (result.isError) throw permanent(`The MCP tool ${server}.${tool.name} failed: ${textOf(result.content).slice(0, 2000)}`);
      return { text: textOf(result.content), structured: result.structuredContent ?? null };
    },
  };
}

/** An error's message with its cause (fetch failed: connect ECONNREFUSED ...). */
const reason = (err: unknown): string => {
  const e = err as Error & { cause?: unknown };
  return e?.cause instanceof Error && !e.message.includes(e.cause.message) ? `${e.message} (${e.cause.message})` : String(e?.message ?? err);
};

const lastWords = (link: Link) => {
  const tail = link.stderr.get();
  return tail ? ` (its last output: ${tail})` : '';
};

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
 * The adapter's version: the server's own, and which tools with which input schemas it offers
 * (semver build metadata), since a server's tools can change without a new server version and
 * runs that started with one set must not silently call another.
 */
function versionOf(client: Client, config: McpServerConfig, tools: Tool[]): string {
  const server = client.getServerVersion();
  const shape = tools.map((t) => [t.name, t.inputSchema]).sort(([a], [b]) => String(a).localeCompare(String(b)));
  const hash = createHash('sha256').update(canonicalJson(shape)).digest('hex').slice(0, 8);
  return `${server?.name ?? config.name}@${server?.version ?? '0'}+${hash}`;
}

/**
 * Connects to an MCP server and makes its tools the actions of the adapter `mcp-<name>`: each
 * with the risk the operator gave it (default high, so it needs an approval; a flagged tool is
 * never lower), its arguments checked against the tool's input schema, and the effect key passed
 * along. Permissions name them like any action (`mcp-files.read_file`); calls go through the
 * kernel's gates and ledger. Tools are listed when a session opens and when the server says they
 * changed, never per call.
 */
export async function connectMcpServer(config: McpServerConfig): Promise<McpConnection> {
  let current: { adapter: Adapter; flags: ToolFlag[]; key: string } | null = null;
  const listeners = new Set<(adapter: Adapter) => unknown>();
  // Actions are rebuilt only for tools whose schema or flag changed (compiling a schema is the costly part).
  const built = new Map<string, { key: string; action: AdapterAction<Record<string, unknown>, unknown> }>();

  const link: Link = new Link(config, (tools, client) => {
    const flags = injectionFlags(tools);
    const version = versionOf(client, config, tools);
    const key = canonicalJson([version, tools.map((t) => [t.name, config.risks?.[t.name] ?? 'high', flags.find((f) => f.tool === t.name)?.reason ?? null])]);
    if (current?.key === key) return;
    const actions: Adapter['actions'] = {};
    for (const tool of tools) {
      const flag = flags.find((f) => f.tool === tool.name);
      const toolKey = canonicalJson([tool.inputSchema, config.risks?.[tool.name] ?? 'high', flag?.reason ?? null]);
      let entry = built.get(tool.name);
      if (entry?.key !== toolKey) built.set(tool.name, (entry = { key: toolKey, action: action(link, config.name, tool, config.risks?.[tool.name] ?? 'high', flag) }));
      actions[tool.name] = entry.action;
    }
    for (const name of [...built.keys()]) if (!(name in actions)) built.delete(name);
    const first = current === null;
    current = { adapter: { name: `mcp-${config.name}`, version, actions }, flags, key };
    // A listener's failure (e.g. registering with a kernel that is stopping) is its own: it
    // neither breaks the session nor goes unhandled.
    const adapter = current.adapter;
    if (!first) for (const listener of listeners) void Promise.resolve().then(() => listener(adapter)).catch(() => undefined);
  });

  try {
    await link.get();
  } catch (err) {
    throw new Error(`Keel could not connect to the MCP server ${config.name}: ${reason(err)}${lastWords(link)}`, { cause: err });
  }
  return {
    get adapter() {
      return current!.adapter;
    },
    get flags() {
      return current!.flags;
    },
    get connected() {
      return link.connected;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => link.close(),
  };
}
