import { createHash } from 'node:crypto';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { z } from 'zod';
import type { AdapterHealth, AdapterInfo } from '../../../../shared/domain/kernel';
import { KernelError } from '../errors';
import { canonicalJson } from '../ledger';
import { isoAt, type Log } from '../internals';
import type { Adapter, AdapterAction } from './adapter';

/** Per action, a hash of its argument schema: what an upgrade is compared by. */
export type Fingerprints = Record<string, string>;

const key = (name: string, version: string) => `${name}@${version}`;

/** The JSON Schema of an action's arguments: the one it declares (MCP tools), else its zod schema's. */
function schemaOf(action: AdapterAction): unknown {
  if (action.schema !== undefined) return action.schema;
  try {
    return z.toJSONSchema(action.args, { unrepresentable: 'any', io: 'input' });
  } catch {
    return { description: String(action.args.description ?? 'unrepresentable') };
  }
}

export function fingerprint(adapter: Adapter): Fingerprints {
  return Object.fromEntries(Object.entries(adapter.actions).map(([name, a]) => [name, createHash('sha256').update(canonicalJson(schemaOf(a))).digest('hex').slice(0, 16)]));
}

/** Which actions differ between two versions' fingerprints (added, removed or changed). */
export function changedActions(before: Fingerprints, after: Fingerprints): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).sort();
}

/** An auth failure says so in its code (adapters classify), or is an HTTP 401/403. */
function isAuthFailure(err: unknown): boolean {
  const details = err instanceof KernelError ? err.details : undefined;
  const code = typeof details?.code === 'string' ? details.code : '';
  const status = typeof details?.status === 'number' ? details.status : 0;
  return /auth/i.test(code) || status === 401;
}

interface HealthRow {
  name: string;
  last_success_at: Date | null;
  last_error_at: Date | null;
  last_error: { message: string; code: string | null } | null;
  auth_expired: boolean;
  calls: string | number;
  failures: string | number;
}

/**
 * Every adapter this Keel has, by name (the current version) and by name@version (the
 * versions still loaded, e.g. an app's older version while its runs finish). A run records
 * the versions current when it started (kernel_runs.adapter_versions, filled by the database
 * from kernel_adapter_current) and keeps them: an upgrade whose action schema changed is
 * refused for that run instead of silently calling the new schema with the old arguments.
 */
export class AdapterRegistry {
  readonly current = new Map<string, Adapter>();
  private readonly loaded = new Map<string, Adapter>();
  private readonly known = new Map<string, Fingerprints>();
  private readonly health = new Map<string, AdapterHealth>();

  add(adapter: Adapter): void {
    this.current.set(adapter.name, adapter);
    this.loaded.set(key(adapter.name, adapter.version), adapter);
    this.known.set(key(adapter.name, adapter.version), fingerprint(adapter));
  }

  /** Forgets an adapter (an MCP server removed, an app uninstalled); runs pinned to it then fail with a clear reason. */
  remove(name: string): void {
    this.current.delete(name);
    for (const k of [...this.loaded.keys()]) if (k.startsWith(`${name}@`)) this.loaded.delete(k);
  }

  /**
   * Records the registered adapters in the database: each version with its fingerprints (an
   * upgrade is a ledger event naming the actions whose schema changed; the same version with
   * other schemas is flagged too, as it breaks pinned runs), and the current set new runs pin.
   */
  async sync(db: PGlite, commit: (fn: (tx: Transaction, log: Log) => Promise<void>) => Promise<void>, now: number): Promise<void> {
    const stored = await db.query<{ name: string; version: string; fingerprints: Fingerprints }>('SELECT name, version, fingerprints FROM kernel_adapter_versions');
    for (const r of stored.rows) if (!this.known.has(key(r.name, r.version))) this.known.set(key(r.name, r.version), r.fingerprints);
    const current = await db.query<{ name: string; version: string }>('SELECT name, version FROM kernel_adapter_current');
    const before = new Map(current.rows.map((r) => [r.name, r.version]));
    const storedFp = new Map(stored.rows.map((r) => [key(r.name, r.version), r.fingerprints]));
    await commit(async (tx, log) => {
      for (const adapter of this.current.values()) {
        const fp = fingerprint(adapter);
        const k = key(adapter.name, adapter.version);
        const was = before.get(adapter.name);
        const actor = { kind: 'system' as const, name: 'kernel' };
        if (!storedFp.has(k)) {
          await tx.query('INSERT INTO kernel_adapter_versions (name, version, fingerprints, first_seen) VALUES ($1, $2, $3, $4) ON CONFLICT (name, version) DO NOTHING', [adapter.name, adapter.version, JSON.stringify(fp), isoAt(now)]);
        } else if (changedActions(storedFp.get(k)!, fp).length) {
          // Same version, other schemas: runs pinned to this version cannot be told apart; say so.
          const changed = changedActions(storedFp.get(k)!, fp);
          await tx.query('UPDATE kernel_adapter_versions SET fingerprints = $3 WHERE name = $1 AND version = $2', [adapter.name, adapter.version, JSON.stringify(fp)]);
          log({ type: 'adapter.changed_without_version', actor, data: { adapter: adapter.name, version: adapter.version, changedActions: changed } });
        }
        if (was !== adapter.version) {
          await tx.query('INSERT INTO kernel_adapter_current (name, version) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version', [adapter.name, adapter.version]);
          if (was) {
            const prev = this.known.get(key(adapter.name, was)) ?? storedFp.get(key(adapter.name, was)) ?? {};
            log({ type: 'adapter.upgraded', actor, data: { adapter: adapter.name, from: was, to: adapter.version, changedActions: changedActions(prev, fp) } });
          }
        }
      }
      for (const name of before.keys()) if (!this.current.has(name)) await tx.query('DELETE FROM kernel_adapter_current WHERE name = $1', [name]);
    });
    await this.loadHealth(db);
  }

  /**
   * The adapter a run calls: the version it started with when that is still loaded or has the
   * same schema for this action; otherwise a validation error naming both versions.
   */
  resolve(name: string, action: string, pinned: string | undefined): Adapter | undefined {
    const now = this.current.get(name);
    if (!now || !pinned || pinned === now.version) return now;
    const old = this.loaded.get(key(name, pinned));
    if (old) return old;
    const was = this.known.get(key(name, pinned));
    const is = this.known.get(key(name, now.version));
    if (was && is && was[action] !== undefined && was[action] === is[action]) return now;
    throw new KernelError(
      'validation',
      `Adapter ${name} was upgraded from ${pinned} to ${now.version} while this run was in flight, and ${name}.${action} changed: the run started with ${pinned}, which is no longer available. Cancel the run and start it again to use ${now.version}.`,
      { code: 'adapter_version_changed', adapter: name, action, pinned, current: now.version },
    );
  }

  /** One call's outcome: kept in memory for the Agents view and written through to the database. */
  async record(db: PGlite, name: string, at: number, err?: unknown): Promise<void> {
    const h = this.healthOf(name);
    h.calls += 1;
    if (err === undefined) {
      h.lastSuccessAt = isoAt(at);
      h.authExpired = false;
    } else {
      h.failures += 1;
      h.lastErrorAt = isoAt(at);
      const details = err instanceof KernelError ? err.details : undefined;
      h.lastError = { message: err instanceof Error ? err.message : String(err), code: typeof details?.code === 'string' ? details.code : null };
      h.authExpired = isAuthFailure(err);
    }
    await db.query(
      `INSERT INTO kernel_adapter_health (name, last_success_at, last_error_at, last_error, auth_expired, calls, failures) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (name) DO UPDATE SET last_success_at = EXCLUDED.last_success_at, last_error_at = EXCLUDED.last_error_at, last_error = EXCLUDED.last_error,
         auth_expired = EXCLUDED.auth_expired, calls = EXCLUDED.calls, failures = EXCLUDED.failures`,
      [name, h.lastSuccessAt, h.lastErrorAt, h.lastError ? JSON.stringify(h.lastError) : null, h.authExpired, h.calls, h.failures],
    );
  }

  private healthOf(name: string): AdapterHealth {
    let h = this.health.get(name);
    if (!h) this.health.set(name, (h = { lastSuccessAt: null, lastErrorAt: null, lastError: null, authExpired: false, calls: 0, failures: 0 }));
    return h;
  }

  private async loadHealth(db: PGlite): Promise<void> {
    const { rows } = await db.query<HealthRow>('SELECT * FROM kernel_adapter_health');
    for (const r of rows) {
      this.health.set(r.name, {
        lastSuccessAt: r.last_success_at ? isoAt(r.last_success_at.getTime()) : null,
        lastErrorAt: r.last_error_at ? isoAt(r.last_error_at.getTime()) : null,
        lastError: r.last_error,
        authExpired: r.auth_expired,
        calls: Number(r.calls),
        failures: Number(r.failures),
      });
    }
  }

  /** What the Agents view shows of each adapter: version, actions, health, what changed at the last upgrade. */
  list(): AdapterInfo[] {
    return [...this.current.values()]
      .map((a) => ({
        name: a.name,
        version: a.version,
        actions: Object.entries(a.actions).map(([name, act]) => ({ name, risk: act.risk, summary: act.summary, flags: act.flags ?? [] })),
        health: this.healthOf(a.name),
      }))
      .sort((x, y) => x.name.localeCompare(y.name));
  }
}
