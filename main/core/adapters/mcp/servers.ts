import type { PGlite } from '@electric-sql/pglite';
import { ApiError } from '../../../../shared/api/errors';
import type { Risk } from '../../../../shared/domain/kernel';
import { McpServerInput, type McpServerConfigStored, type McpServerView } from '../../../../shared/domain/mcp';
import type { Kernel } from '../../kernel/kernel';
import type { SecretStore } from '../../secrets/store';
import { connectMcpServer, type McpConnection, type McpServerConfig } from './mcp-adapter';

type State = McpServerView['state'];
interface Live {
  config: McpServerConfigStored;
  state: State;
  error: string | null;
  connection: McpConnection | null;
  /** The connection attempt in flight (saves and removes wait for it). */
  pending: Promise<void> | null;
}

const secretId = (server: string, kind: 'env' | 'header', key: string) => `mcp.${server}.${kind}.${key}`;
const adapterName = (server: string) => `mcp-${server}`;

/**
 * The operator's MCP servers: kept in `mcp_servers` (secret values in the SecretStore),
 * connected when the core starts — in the background, so a slow or broken server never holds
 * Keel up — and registered with the kernel as the adapter `mcp-<name>` (again whenever the
 * server's tools change). Saving reconnects; removing unregisters.
 */
export class McpServers {
  private readonly live = new Map<string, Live>();
  private stopped = false;

  constructor(private readonly deps: { db: PGlite; kernel: Kernel; secrets: SecretStore; notify: (event: string, payload: unknown) => void }) {}

  async start(): Promise<void> {
    const { rows } = await this.deps.db.query<{ name: string; config: McpServerConfigStored }>('SELECT name, config FROM mcp_servers ORDER BY name');
    for (const r of rows) {
      const live: Live = { config: r.config, state: r.config.enabled ? 'connecting' : 'disabled', error: null, connection: null, pending: null };
      this.live.set(r.name, live);
      if (r.config.enabled) live.pending = this.connect(r.name, live);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.live.values()].map((l) => l.pending));
    await Promise.allSettled([...this.live.values()].map((l) => l.connection?.close()));
  }

  /** Resolves once every server has connected or failed, or after `maxMs` (the UI follows `mcp.changed`). */
  async settled(maxMs = Infinity): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.allSettled([...this.live.values()].map((l) => l.pending));
    const cap = Number.isFinite(maxMs) ? new Promise<void>((r) => (timer = setTimeout(r, maxMs))) : all;
    await Promise.race([all, cap]);
    clearTimeout(timer);
  }

  /** The config as the SDK client takes it, with secret values read from the SecretStore. */
  private async clientConfig(c: McpServerConfigStored): Promise<McpServerConfig> {
    const fill = async (values: Record<string, string>, kind: 'env' | 'header') =>
      Object.fromEntries(await Promise.all(Object.entries(values).map(async ([k, v]) => [k, c.secret.includes(k) ? ((await this.deps.secrets.get(secretId(c.name, kind, k))) ?? '') : v] as const)));
    if (c.transport.kind === 'stdio') {
      // The server gets Keel's PATH and HOME (to find its runtime) plus what the operator set, nothing else of Keel's environment.
      const base = Object.fromEntries(['PATH', 'HOME', 'SystemRoot', 'TEMP', 'TMP'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
      return { name: c.name, command: c.transport.command, args: c.transport.args, cwd: c.transport.cwd, env: { ...base, ...(await fill(c.transport.env, 'env')) }, risks: c.risks };
    }
    return { name: c.name, url: c.transport.url, headers: await fill(c.transport.headers, 'header'), risks: c.risks };
  }

  private async connect(name: string, live: Live): Promise<void> {
    live.state = 'connecting';
    live.error = null;
    this.deps.notify('mcp.changed', { name });
    try {
      const connection = await connectMcpServer(await this.clientConfig(live.config));
      if (this.stopped || this.live.get(name) !== live) {
        await connection.close();
        return;
      }
      live.connection = connection;
      connection.onChange((adapter) => this.deps.kernel.registerAdapter(adapter).then(() => this.deps.notify('mcp.changed', { name })));
      await this.deps.kernel.registerAdapter(connection.adapter);
      live.state = 'connected';
    } catch (err) {
      live.state = 'failed';
      live.error = err instanceof Error ? err.message : String(err);
    } finally {
      live.pending = null;
      this.deps.notify('mcp.changed', { name });
    }
  }

  private async disconnect(live: Live): Promise<void> {
    await live.pending;
    await live.connection?.close();
    live.connection = null;
  }

  async list(): Promise<McpServerView[]> {
    return Promise.all([...this.live.keys()].sort().map((n) => this.view(n)));
  }

  async view(name: string): Promise<McpServerView> {
    const live = this.mustGet(name);
    const c = live.config;
    const mask = async (values: Record<string, string>, kind: 'env' | 'header') =>
      Object.fromEntries(await Promise.all(Object.entries(values).map(async ([k, v]) => [k, c.secret.includes(k) ? ((await this.deps.secrets.masked(secretId(name, kind, k))) ?? '') : v] as const)));
    const transport = c.transport.kind === 'stdio' ? { ...c.transport, env: await mask(c.transport.env, 'env') } : { ...c.transport, headers: await mask(c.transport.headers, 'header') };
    const conn = live.connection;
    const state: State = live.state === 'connected' && conn && !conn.connected ? 'disconnected' : live.state;
    return {
      name,
      transport,
      secret: c.secret,
      risks: c.risks,
      enabled: c.enabled,
      adapter: adapterName(name),
      state,
      error: live.error,
      version: conn?.adapter.version ?? null,
      tools: conn ? Object.entries(conn.adapter.actions).map(([tool, a]) => ({ name: tool, risk: a.risk, flag: conn.flags.find((f) => f.tool === tool)?.reason ?? null })) : [],
    };
  }

  private mustGet(name: string): Live {
    const live = this.live.get(name);
    if (!live) throw new ApiError({ code: 'not_found', message: `There is no MCP server named "${name}".` });
    return live;
  }

  /** Adds or changes a server: secrets to the SecretStore (an empty value keeps the stored one), the rest to the table, then reconnects. */
  async save(input: McpServerInput, actor = 'operator'): Promise<McpServerView> {
    const c = McpServerInput.parse(input);
    const values = c.transport.kind === 'stdio' ? c.transport.env : c.transport.headers;
    const kind = c.transport.kind === 'stdio' ? 'env' : 'header';
    for (const key of c.secret) if (!(key in values)) throw new ApiError({ code: 'invalid_input', message: `"${key}" is marked secret but is not one of the server's ${kind === 'env' ? 'environment variables' : 'headers'}.` });
    for (const key of c.secret) {
      const v = values[key]!;
      if (v) await this.deps.secrets.set(secretId(c.name, kind, key), v);
      else if (!(await this.deps.secrets.has(secretId(c.name, kind, key)))) throw new ApiError({ code: 'invalid_input', message: `Give a value for the secret "${key}".` });
      values[key] = '';
    }
    await this.deps.kernel.commit(async (tx, log) => {
      await tx.query(
        `INSERT INTO mcp_servers (name, config, enabled, created_at, updated_at) VALUES ($1, $2, $3, now(), now())
         ON CONFLICT (name) DO UPDATE SET config = EXCLUDED.config, enabled = EXCLUDED.enabled, updated_at = now()`,
        [c.name, JSON.stringify(c), c.enabled],
      );
      log({ type: 'mcp.server_saved', actor: { kind: 'operator', name: actor }, data: { server: c.name, transport: c.transport.kind, enabled: c.enabled, risks: c.risks } });
    });
    const old = this.live.get(c.name);
    if (old) await this.disconnect(old);
    const live: Live = { config: c, state: c.enabled ? 'connecting' : 'disabled', error: null, connection: null, pending: null };
    this.live.set(c.name, live);
    if (c.enabled) await (live.pending = this.connect(c.name, live));
    else await this.deps.kernel.unregisterAdapter(adapterName(c.name));
    return this.view(c.name);
  }

  async remove(name: string, actor = 'operator'): Promise<void> {
    const live = this.mustGet(name);
    await this.disconnect(live);
    this.live.delete(name);
    await this.deps.kernel.unregisterAdapter(adapterName(name));
    const kind = live.config.transport.kind === 'stdio' ? 'env' : 'header';
    for (const key of live.config.secret) await this.deps.secrets.delete(secretId(name, kind, key));
    await this.deps.kernel.commit(async (tx, log) => {
      await tx.query('DELETE FROM mcp_servers WHERE name = $1', [name]);
      log({ type: 'mcp.server_removed', actor: { kind: 'operator', name: actor }, data: { server: name } });
    });
    this.deps.notify('mcp.changed', { name });
  }

  async setRisk(name: string, tool: string, risk: Risk, actor = 'operator'): Promise<McpServerView> {
    const live = this.mustGet(name);
    if (live.connection && !(tool in live.connection.adapter.actions)) throw new ApiError({ code: 'not_found', message: `${name} has no tool "${tool}".` });
    return this.save({ ...live.config, risks: { ...live.config.risks, [tool]: risk } }, actor);
  }

  async reconnect(name: string): Promise<McpServerView> {
    const live = this.mustGet(name);
    await this.disconnect(live);
    if (live.config.enabled) await (live.pending = this.connect(name, live));
    return this.view(name);
  }
}
