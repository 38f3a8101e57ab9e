import { useEffect, useRef } from 'react';
import type { Entity, Link, NodeRef } from '../../../../shared/domain/memory';
import { StatusPill } from '../../components/StatusPill';
import { documentHref, entityHref, memoryHref } from '../../routes';
import { useKeel } from '../../store/store';
import { formatDate } from '../../util/format';
import { MemoryItem } from './MemoryItem';
import { useWhenConnected } from '../../app/useWhenConnected';

function Attributes({ entity }: { entity: Entity }) {
  const entries = Object.entries(entity.attributes);
  if (entries.length === 0) return <p className="meta">No attributes.</p>;
  return (
    <table className="attributes">
      <thead>
        <tr>
          <th scope="col">Attribute</th>
          <th scope="col">Value</th>
          <th scope="col">Type</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([k, a]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{a.value === null ? '—' : String(a.value)}</td>
            <td className="meta">{a.type}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function nodeHref(n: NodeRef): string {
  return n.kind === 'entity' ? entityHref(n.id) : n.kind === 'document' ? documentHref(n.id) : memoryHref(n.id);
}

function LinkRow({ link, self }: { link: Link; self: string }) {
  const outgoing = link.from.kind === 'entity' && link.from.id === self;
  const other = outgoing ? link.to : link.from;
  return (
    <li>
      {outgoing ? '→' : '←'} <span className="kind">{link.type}</span> <a href={nodeHref(other)}>{other.kind} {other.id.slice(0, 8)}</a>
      <span className="meta"> · {formatDate(link.createdAt)}</span>
    </li>
  );
}

/** An entity's page: attributes, version history (restorable), facts, documents and links. */
export function EntityPage({ id }: { id: string }) {
  const page = useKeel((s) => s.entityPage);
  const open = useKeel((s) => s.openEntity);
  const revert = useKeel((s) => s.revertEntity);
  const error = useKeel((s) => s.entitiesError);
  const heading = useRef<HTMLHeadingElement>(null);
  useWhenConnected(() => open(id), [id, open]);
  useEffect(() => heading.current?.focus(), [id]);

  const data = page?.id === id ? page.data : null;
  const e = data?.entity;
  return (
    <article className="entity-page" aria-labelledby="entity-title">
      <h2 id="entity-title" ref={heading} tabIndex={-1}>
        {e ? e.name : 'Entity'} {e && <span className="kind">{e.type}</span>}
      </h2>
      {(page?.error || error) && (
        <p className="error" role="alert">
          {page?.error ?? error}
        </p>
      )}
      {e && data && (
        <>
          <p className="meta">
            {e.aliases.length ? `Also known as ${e.aliases.join(', ')}. ` : ''}Version {e.version}, changed {formatDate(e.updatedAt)}
            {e.archived ? ' · archived' : ''}
          </p>
          <h3>Attributes</h3>
          <Attributes entity={e} />
          <h3>Facts</h3>
          {data.memories.length ? (
            <ul className="memory-list">
              {data.memories.map((m) => (
                <MemoryItem key={m.id} memory={m} />
              ))}
            </ul>
          ) : (
            <p className="meta">No memories about {e.name} yet.</p>
          )}
          <h3>Documents</h3>
          {data.documents.length ? (
            <ul className="plain">
              {data.documents.map((d) => (
                <li key={d.id}>
                  <a href={documentHref(d.id)}>{d.title ?? d.name}</a> <StatusPill status={d.status} />
                </li>
              ))}
            </ul>
          ) : (
            <p className="meta">No linked documents.</p>
          )}
          <h3>Links</h3>
          {data.links.length ? (
            <ul className="plain">
              {data.links.map((l) => (
                <LinkRow key={l.id} link={l} self={e.id} />
              ))}
            </ul>
          ) : (
            <p className="meta">No links.</p>
          )}
          <h3>History</h3>
          <ol className="history">
            {data.history.map((v) => (
              <li key={v.version}>
                <span className="action">v{v.version}</span>
                <span className="what">
                  {v.action}: {v.snapshot.name}, {Object.keys(v.snapshot.attributes).length} attributes
                </span>
                <span className="meta">
                  {v.actor} · {formatDate(v.at)}
                </span>
                {v.version === e.version ? (
                  <span className="meta">current</span>
                ) : (
                  <button type="button" className="secondary small" onClick={() => void revert(e.id, v.version)}>
                    Restore this version
                  </button>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </article>
  );
}
