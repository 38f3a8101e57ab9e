import { useEffect, useState, type FormEvent } from 'react';
import { EntityType } from '../../../../shared/domain/memory';
import { entityHref } from '../../routes';
import { useKeel } from '../../store/store';
import { plural } from '../../util/format';
import { useWhenConnected } from '../../app/useWhenConnected';

const TYPES = EntityType.options;

function NewEntity() {
  const create = useKeel((s) => s.createEntity);
  const go = useKeel((s) => s.go);
  const [type, setType] = useState<EntityType>('client');
  const [name, setName] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const entity = name.trim() ? await create(type, name.trim()) : null;
    if (entity) go(entityHref(entity.id));
  };
  return (
    <form className="inline-form" aria-label="Add an entity" onSubmit={(e) => void submit(e)}>
      <select value={type} onChange={(e) => setType(e.target.value as EntityType)} aria-label="Type">
        {TYPES.map((t) => (
          <option key={t}>{t}</option>
        ))}
      </select>
      <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Name, e.g. ACME Ltd" aria-label="Name" maxLength={300} />
      <button type="submit" disabled={!name.trim()}>
        Add entity
      </button>
    </form>
  );
}

/** Clients, projects, people…: the canonical store, by type or name. */
export function EntitiesPanel() {
  const entities = useKeel((s) => s.entities);
  const loaded = useKeel((s) => s.entitiesLoaded);
  const filter = useKeel((s) => s.entityFilter);
  const setFilter = useKeel((s) => s.setEntityFilter);
  const refresh = useKeel((s) => s.refreshEntities);
  const error = useKeel((s) => s.entitiesError);
  useWhenConnected(refresh, [refresh]);
  return (
    <div className="entities">
      <div className="inline-form">
        <label>
          <span className="sr-only">Filter entities by name</span>
          <input type="search" value={filter.query} onChange={(e) => setFilter({ query: e.target.value })} placeholder="Filter by name or alias…" />
        </label>
        <select value={filter.type ?? ''} onChange={(e) => setFilter({ type: (e.target.value || null) as EntityType | null })} aria-label="Filter by type">
          <option value="">All types</option>
          {TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {loaded && entities.length === 0 ? (
        <p className="meta">No entities{filter.query || filter.type ? ' match' : ' yet: agents add clients, projects and people as they learn them, or add one here'}.</p>
      ) : (
        <ul className="entity-list">
          {entities.map((e) => (
            <li key={e.id}>
              <a href={entityHref(e.id)}>{e.name}</a> <span className="kind">{e.type}</span>
              <span className="meta">
                {e.aliases.length ? ` also ${e.aliases.join(', ')} · ` : ' '}
                {plural(Object.keys(e.attributes).length, 'attribute')}
              </span>
            </li>
          ))}
        </ul>
      )}
      <NewEntity />
    </div>
  );
}
