import { z } from 'zod';
import { Risk } from '../domain/kernel';
import { McpServerInput, McpServerName, McpServerView } from '../domain/mcp';

/** The operator's MCP servers (their tools as adapter actions): merged into contract.ts. */

const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });
const event = <P extends z.ZodType>(summary: string, payload: P) => ({ summary, payload });

export const mcpCalls = {
  'mcp.servers': call('The MCP servers, each with its state, tools (risk, flags) and secrets masked.', z.strictObject({}), z.object({ servers: z.array(McpServerView) })),
  'mcp.save': call('Adds or changes an MCP server and (re)connects it; empty secret values keep the stored ones.', McpServerInput, McpServerView),
  'mcp.remove': call('Disconnects and removes an MCP server and its secrets; its adapter goes away.', z.strictObject({ name: McpServerName }), z.object({ ok: z.literal(true) })),
  'mcp.setRisk': call("Sets one tool's risk (high or above needs an approval; a flagged tool never goes below high).", z.strictObject({ name: McpServerName, tool: z.string().min(1).max(200), risk: Risk }), McpServerView),
  'mcp.reconnect': call('Connects an MCP server again (after fixing it), listing its tools anew.', z.strictObject({ name: McpServerName }), McpServerView),
} as const;

export const mcpEvents = {
  'mcp.changed': event('An MCP server was saved, removed, connected or failed.', z.object({ name: z.string() })),
} as const;
