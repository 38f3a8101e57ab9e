import { z } from 'zod';
import { Risk } from './kernel';

/**
 * The operator's MCP servers (DESIGN.md §6): each one's tools become the actions of the adapter
 * `mcp-<name>`. Environment variables and HTTP headers named in `secret` are kept encrypted and
 * only ever shown masked.
 */

export const McpServerName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'lower-case letters, digits and dashes, up to 31, starting with a letter');
const VarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,100}$/, 'a variable or header name');

export const McpTransportInput = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('stdio'),
    command: z.string().min(1).max(4096),
    args: z.array(z.string().max(4096)).max(100).default([]),
    cwd: z.string().max(4096).optional(),
    /** Values of secret variables may be left empty to keep the stored ones. */
    env: z.record(VarName, z.string().max(10_000)).default({}),
  }),
  z.strictObject({
    kind: z.literal('http'),
    url: z.url({ protocol: /^https?$/ }).max(4096),
    headers: z.record(VarName, z.string().max(10_000)).default({}),
  }),
]);

export const McpServerInput = z.strictObject({
  name: McpServerName,
  transport: McpTransportInput,
  /** Which env variables / headers are secrets (encrypted at rest, masked when shown). */
  secret: z.array(VarName).max(50).default([]),
  /** Per tool, the risk the operator gave it; unnamed tools are `high` (they need an approval). */
  risks: z.record(z.string().max(200), Risk).default({}),
  enabled: z.boolean().default(true),
});
export type McpServerInput = z.input<typeof McpServerInput>;
export type McpServerConfigStored = z.output<typeof McpServerInput>;

export const McpServerView = z.object({
  name: z.string(),
  /** As entered, with each secret's value masked ("••••ab12"). */
  transport: McpTransportInput,
  secret: z.array(z.string()),
  risks: z.record(z.string(), Risk),
  enabled: z.boolean(),
  adapter: z.string(),
  state: z.enum(['disabled', 'connecting', 'connected', 'disconnected', 'failed']),
  error: z.string().nullable(),
  version: z.string().nullable(),
  tools: z.array(z.object({ name: z.string(), risk: Risk, flag: z.string().nullable() })),
});
export type McpServerView = z.infer<typeof McpServerView>;
