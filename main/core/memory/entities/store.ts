import type { Transaction } from '@electric-sql/pglite';
import { ApiError } from '../../../../shared/api/errors';
import type { Entity, EntityAttribute, EntityType, EntityVersion, Link, NodeRef } from '../../../../shared/domain/memory';
import { newId } from '../../kernel/ids';
import type { MemoryContext } from '../context';

interface EntityRow {
  id: string;
  type: EntityType;
  name: string;
  aliases: string[];
  attributes: Record<string, EntityAttribute>;
  version: number;
  archived: boolean;
  created_at: Date;
  updated_at: Date;
}

interface LinkRow {
  id: string;
  from_kind: NodeRef['kind'];
  from_id: string;
  to_kind: NodeRef['kind'];
  to_id: string;
  type: string;
  created_at: Date;
}

const toEntity = (r: EntityRow): Entity => ({
  id: r.id,
  type: r.type,
  name: r.name,
  aliases: r.aliases,
  attributes: r.attributes,
  version: r.version,
  archived: r.archived,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const toLink = (r: LinkRow): Link => ({ id: r.id, from: { kind: r.from_kind, id: r.from_id }, to: { kind: r.to_kind, id: r.to_id }, type: r.type, createdAt: r.created_at.toISOString() });

const operator = { kind: 'operator' as const, name: 'operator' };

/** The link a document gets to each entity it names. */
export const MENTIONS = 'mentions';

/**
 * The canonical store: entities (clients, projects, contracts, people, invoices) with typed
 * attributes, a version per change kept whole (so any version can be shown or restored), and
 * links between entities, documents and memories.
 */
export class Entities {
  /** The entities' names, for finding them in every new document; reloaded after a change. */
  private names: Entity[] | null = null;

  constructor(private readonly m: MemoryContext) {}

  async upsert(input: { id?: string; type: EntityType; name: string; aliases?: string[]; attributes?: Record<string, EntityAttribute> }, actor = 'operator'): Promise<Entity> {
    const entity = await this.m.commit(async (tx, log) => {
      const before = input.id ? await this.find(tx, input.id, true) : await this.byName(tx, input.type, input.name);
      if (input.id && !before) throw new ApiError({ code: 'not_found', message: `There is no entity ${input.id}.` });
      const now = new Date().toISOString();
      const next: Entity = {
        id: before?.id ?? newId(),
        type: input.type,
        name: input.name.trim(),
        aliases: input.aliases ?? before?.aliases ?? [],
        attributes: input.attributes ?? before?.attributes ?? {},
        version: (before?.version ?? 0) + 1,
        archived: before?.archived ?? false,
        createdAt: before?.createdAt ?? now,
        updatedAt: now,
      };
      await this.write(tx, next, before ? 'update' : 'create', actor);
      log({ type: before ? 'entity.updated' : 'entity.created', actor: actor === 'operator' ? operator : { kind: 'system', name: actor }, data: { entityId: next.id, version: next.version, type: next.type, name: next.name } });
      return next;
    });
    this.names = null;
    await this.linkMentions(entity);
    this.m.notify('entities.changed', { id: entity.id });
    return entity;
  }

  /** Restores an earlier version's name, aliases and attributes as a new version. */
  async revert(id: string, version: number): Promise<Entity> {
    const entity = await this.m.commit(async (tx, log) => {
      const current = await this.find(tx, id, true);
      if (!current) throw new ApiError({ code: 'not_found', message: `There is no entity ${id}.` });
      const { rows } = await tx.query<{ snapshot: Entity }>('SELECT snapshot FROM memory_entity_versions WHERE entity_id = $1 AND version = $2', [id, version]);
      if (!rows[0]) throw new ApiError({ code: 'not_found', message: `Entity ${id} has no version ${version}.` });
      const old = rows[0].snapshot;
      const next: Entity = { ...current, name: old.name, aliases: old.aliases, attributes: old.attributes, type: old.type, version: current.version + 1, updatedAt: new Date().toISOString() };
      await this.write(tx, next, `revert:${version}`, 'operator');
      log({ type: 'entity.reverted', actor: operator, data: { entityId: id, toVersion: version, version: next.version } });
      return next;
    });
    this.names = null;
    this.m.notify('entities.changed', { id });
    return entity;
  }

  private async write(tx: Transaction, e: Entity, action: string, actor: string): Promise<void> {
    try {
      await tx.query(
        `INSERT INTO memory_entities (id, type, name, aliases, attributes, version, archived, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, name = EXCLUDED.name, aliases = EXCLUDED.aliases, attributes = EXCLUDED.attributes,
           version = EXCLUDED.version, archived = EXCLUDED.archived, updated_at = EXCLUDED.updated_at`,
        [e.id, e.type, e.name, e.aliases, JSON.stringify(e.attributes), e.version, e.archived, e.createdAt, e.updatedAt],
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new ApiError({ code: 'conflict', message: `There is already a ${e.type} named ${e.name}.` });
      throw err;
    }
    await tx.query(`INSERT INTO memory_entity_versions (entity_id, version, action, snapshot, actor, at) VALUES ($1, $2, $3, $4, $5, $6)`, [e.id, e.version, action, JSON.stringify(e), actor, e.updatedAt]);
  }

  /** Every entity not archived, by name; cached until an entity changes (agents and mention links read it for every document). */
  async known(): Promise<Entity[]> {
    this.names ??= await this.list({ limit: 10_000 });
    return this.names;
  }

  async list(q: { type?: EntityType; query?: string; limit: number }): Promise<Entity[]> {
    const { rows } = await this.m.db.query<EntityRow>(
      `SELECT * FROM memory_entities WHERE NOT archived AND ($1::text IS NULL OR type = $1)
         AND ($2::text IS NULL OR name ILIKE '%' || $2 || '%' OR EXISTS (SELECT 1 FROM unnest(aliases) a WHERE a ILIKE '%' || $2 || '%'))
       ORDER BY lower(name) LIMIT $3`,
      [q.type ?? null, q.query?.replace(/[%_\\]/g, (c) => `\\${c}`) ?? null, q.limit],
    );
    return rows.map(toEntity);
  }

  async get(id: string): Promise<Entity> {
    const e = await this.find(this.m.db, id);
    if (!e) throw new ApiError({ code: 'not_found', message: `There is no entity ${id}.` });
    return e;
  }

  async history(id: string): Promise<EntityVersion[]> {
    const { rows } = await this.m.db.query<{ version: number; action: string; snapshot: Entity; actor: string; at: Date }>(
      'SELECT version, action, snapshot, actor, at FROM memory_entity_versions WHERE entity_id = $1 ORDER BY version DESC',
      [id],
    );
    return rows.map((r) => ({ version: r.version, action: r.action, snapshot: r.snapshot, actor: r.actor, at: r.at.toISOString() }));
  }

  async links(id: string): Promise<Link[]> {
    const { rows } = await this.m.db.query<LinkRow>(`SELECT * FROM memory_links WHERE (from_kind = 'entity' AND from_id = $1) OR (to_kind = 'entity' AND to_id = $1) ORDER BY created_at DESC LIMIT 500`, [id]);
    return rows.map(toLink);
  }

  async link(from: NodeRef, to: NodeRef, type: string, actor = 'operator'): Promise<Link> {
    await this.assertNode(from);
    await this.assertNode(to);
    const link = await this.m.commit(async (tx, log) => {
      const { rows } = await tx.query<LinkRow>(
        `INSERT INTO memory_links (id, from_kind, from_id, to_kind, to_id, type, created_at) VALUES ($1, $2, $3, $4, $5, $6, now())
         ON CONFLICT (from_kind, from_id, to_kind, to_id, type) DO UPDATE SET type = EXCLUDED.type RETURNING *`,
        [newId(), from.kind, from.id, to.kind, to.id, type],
      );
      log({ type: 'entity.linked', actor: actor === 'operator' ? operator : { kind: 'system', name: actor }, data: { linkId: rows[0]!.id, from, to, type } });
      return toLink(rows[0]!);
    });
    this.m.notify('entities.changed', { id: from.kind === 'entity' ? from.id : to.id });
    return link;
  }

  async unlink(id: string): Promise<void> {
    const removed = await this.m.commit(async (tx, log) => {
      const { rows } = await tx.query<LinkRow>('DELETE FROM memory_links WHERE id = $1 RETURNING *', [id]);
      if (rows[0]) log({ type: 'entity.unlinked', actor: operator, data: { linkId: id, type: rows[0].type } });
      return rows[0];
    });
    if (!removed) throw new ApiError({ code: 'not_found', message: `There is no link ${id}.` });
    this.m.notify('entities.changed', { id: removed.from_kind === 'entity' ? removed.from_id : removed.to_id });
  }

  /**
   * Links documents that name an entity (its name or an alias, as a whole word, any case) to
   * it: for one entity across all documents, or for one document across all entities.
   */
  async linkMentions(entity?: Entity, documentId?: string): Promise<void> {
    // A new version of a document may no longer name an entity: its mentions are found afresh.
    if (documentId && !entity) await this.m.db.query(`DELETE FROM memory_links WHERE to_kind = 'document' AND to_id = $1 AND type = '${MENTIONS}'`, [documentId]);
    const entities = entity ? [entity] : await this.known();
    for (const e of entities) {
      const names = [e.name, ...e.aliases].map((n) => n.trim()).filter((n) => n.length >= 3);
      if (names.length === 0) continue;
      const pattern = `\\m(${names.map(escapeRegex).join('|')})\\M`;
      await this.m.db.query(
        `INSERT INTO memory_links (id, from_kind, from_id, to_kind, to_id, type, created_at)
         SELECT gen_random_uuid()::text, 'entity', $1, 'document', d.id, '${MENTIONS}', now()
         FROM memory_documents d JOIN memory_document_versions v ON v.document_id = d.id AND v.version = d.current_version
         WHERE ($3::text IS NULL OR d.id = $3) AND v.text ~* $2
         ON CONFLICT DO NOTHING`,
        [e.id, pattern, documentId ?? null],
      );
    }
  }

  private async assertNode(ref: NodeRef): Promise<void> {
    const table = { entity: 'memory_entities', document: 'memory_documents', memory: 'memory_items' }[ref.kind];
    const { rows } = await this.m.db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [ref.id]);
    if (!rows[0]) throw new ApiError({ code: 'not_found', message: `There is no ${ref.kind} ${ref.id}.` });
  }

  private async find(db: Pick<Transaction, 'query'>, id: string, lock = false): Promise<Entity | null> {
    const { rows } = await db.query<EntityRow>(`SELECT * FROM memory_entities WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toEntity(rows[0]) : null;
  }

  private async byName(db: Pick<Transaction, 'query'>, type: EntityType, name: string): Promise<Entity | null> {
    const { rows } = await db.query<EntityRow>('SELECT * FROM memory_entities WHERE type = $1 AND lower(name) = lower($2)', [type, name.trim()]);
    return rows[0] ? toEntity(rows[0]) : null;
  }
}

/** Escapes a name for a Postgres regular expression (ARE). */
function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
