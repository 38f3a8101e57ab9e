import { useEffect, useRef, type ReactNode } from 'react';
import type { Memory } from '../../../../shared/domain/memory';
import { documentHref, entityHref, memoryHref } from '../../routes';
import { useKeel } from '../../store/store';
import { formatDate } from '../../util/format';
import { KIND_LABEL, STATUS_LABEL } from './labels';
import { MemoryActions } from './MemoryActions';
import { MemoryHistory } from './MemoryHistory';
import { MemoryNotice } from './MemoryNotice';
import { useWhenConnected } from '../../app/useWhenConnected';

function Provenance({ p }: { p: Memory['provenance'] }) {
  const rows: [string, ReactNode][] = [];
  if (p.source) rows.push(['Said by', p.source]);
  if (p.documentId) rows.push(['Document', <a href={documentHref(p.documentId, p.chunkId)}>Open the passage{p.version ? ` (version ${p.version})` : ''}</a>]);
  if (p.runId) rows.push(['Run', <code>{p.runId}{p.step !== undefined ? ` · step ${p.step}` : ''}</code>]);
  if (p.approvalId) rows.push(['Approval', <code>{p.approvalId}</code>]);
  if (p.quote) rows.push(['Quote', <blockquote>{p.quote}</blockquote>]);
  if (rows.length === 0) return <p className="meta">No provenance recorded.</p>;
  return (
    <dl className="facts">
      {rows.map(([k, v]) => (
        <div key={k} className="fact">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** One memory: what it says, about what, since when, from where, its state and its history. */
export function MemoryDetailView({ id }: { id: string }) {
  const detail = useKeel((s) => s.memoryDetail);
  const open = useKeel((s) => s.openMemory);
  const undo = useKeel((s) => s.undoMemoryChange);
  const heading = useRef<HTMLHeadingElement>(null);
  useWhenConnected(() => open(id), [id, open]);
  useEffect(() => heading.current?.focus(), [id]);

  const shown = detail?.id === id ? detail : null;
  const m = shown?.data?.memory;
  const entity = shown?.data?.entity;
  return (
    <article className="memory-detail" aria-labelledby="memory-detail-title">
      <h2 id="memory-detail-title" ref={heading} tabIndex={-1}>
        {m ? `${KIND_LABEL[m.kind]}${m.pinned ? ' · pinned' : ''}` : 'Memory'}
      </h2>
      <MemoryNotice />
      {shown?.forgottenBy && !m && (
        <p>
          This memory was forgotten.{' '}
          <button type="button" className="link" onClick={() => void undo(shown.forgottenBy!)}>
            Undo
          </button>
        </p>
      )}
      {shown?.error && !shown.forgottenBy && (
        <p className="error" role="alert">
          {shown.error}
        </p>
      )}
      {m && (
        <>
          <p className="memory-statement" data-testid="memory-text">
            {m.text}
          </p>
          <MemoryActions key={`${m.id}:${m.version}`} memory={m} />
          <dl className="facts">
            <dt>Status</dt>
            <dd data-testid="memory-status">
              {STATUS_LABEL[m.status]}
              {m.supersededBy && (
                <>
                  {' '}
                  by <a href={memoryHref(m.supersededBy)}>the newer memory</a>
                </>
              )}
            </dd>
            <dt>About</dt>
            <dd>{entity ? <a href={entityHref(entity.id)}>{entity.name}</a> : m.entityId ? <a href={entityHref(m.entityId)}>an entity</a> : '—'}</dd>
            {m.attribute && (
              <>
                <dt>Attribute</dt>
                <dd>
                  {m.attribute} = {m.value ?? '—'}
                </dd>
              </>
            )}
            <dt>Valid</dt>
            <dd>
              from {formatDate(m.validFrom)} {m.validTo ? `until ${formatDate(m.validTo)}` : 'until now'}
            </dd>
            <dt>Confidence</dt>
            <dd>{Math.round(m.confidence * 100)}%</dd>
            <dt>Kept · changed · confirmed</dt>
            <dd>
              {formatDate(m.createdAt)} · {formatDate(m.updatedAt)} · {formatDate(m.lastConfirmedAt)}
            </dd>
            <dt>Version</dt>
            <dd>
              {m.version}
              {m.embedded ? '' : ' · not embedded yet'}
            </dd>
          </dl>
          <h3>Provenance</h3>
          <Provenance p={m.provenance} />
        </>
      )}
      {shown?.data && (
        <>
          <h3>History</h3>
          <MemoryHistory history={shown.data.history} />
        </>
      )}
    </article>
  );
}
