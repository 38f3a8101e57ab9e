import type { DesktopResult, McpEndpointState } from '../../shared/api/bridge';
import type { Core } from '../core/host/core';
import { loadOrCreateToken } from '../core/data-folder/token';
import { startMcpEndpoint, type McpEndpoint } from '../core/mcp-server/http';
import type { ShellStore } from './preferences';

/**
 * The desktop app's switch for Keel's MCP server (Settings → Keel for other assistants): on,
 * it serves `/mcp` on 127.0.0.1 behind the install's token, on the port it had last time (so
 * assistants' settings stay valid; a free one the first time, or if that port is taken).
 */
export class DesktopMcpEndpoint {
  private endpoint: McpEndpoint | null = null;

  constructor(private readonly deps: { core: () => Core | null; store: () => ShellStore }) {}

  /** At start-up: on again if the operator left it on. */
  async restore(): Promise<void> {
    if (this.deps.store().mcpServer().enabled) await this.set(true);
  }

  async state(): Promise<DesktopResult<McpEndpointState>> {
    const core = this.deps.core();
    if (!core) return { ok: false, error: 'Keel is not running.' };
    return { ok: true, value: { enabled: this.endpoint !== null, url: this.endpoint?.url ?? null, token: this.endpoint ? loadOrCreateToken(core.dataDir) : null } };
  }

  async set(enabled: boolean): Promise<DesktopResult<McpEndpointState>> {
    const core = this.deps.core();
    if (!core) return { ok: false, error: 'Keel is not running.' };
    const saved = this.deps.store().mcpServer();
    if (!enabled) {
      await this.close();
      this.deps.store().setMcpServer({ ...saved, enabled: false });
      return this.state();
    }
    if (!this.endpoint) {
      const options = { call: core.call.bind(core), token: loadOrCreateToken(core.dataDir) };
      try {
        this.endpoint = await startMcpEndpoint({ ...options, port: saved.port });
      } catch (err) {
        // The port it had is taken now: take a free one and say so through the new URL.
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || saved.port === 0) return { ok: false, error: `Keel's MCP server could not start: ${(err as Error).message}` };
        this.endpoint = await startMcpEndpoint({ ...options, port: 0 });
      }
      this.deps.store().setMcpServer({ enabled: true, port: this.endpoint.port });
    }
    return this.state();
  }

  async close(): Promise<void> {
    const e = this.endpoint;
    this.endpoint = null;
    await e?.close();
  }
}
