import { useEffect, useState } from 'react';
import type { AppRecord, InstalledApp } from '../../../../../shared/domain/apps';
import { keelClient } from '../../../api/client';
import { DataTable, type Column } from '../../../components/DataTable';
import { documentHref } from '../../../routes';
import { formatCount, formatDate } from '../../../util/format';
import { attempt, type Outcome } from '../../../util/outcome';

/** How many records a table shows: the most recently changed (the API says how many there are). */
const SHOWN = 200;
/** A long value is cut in its cell; the full one is its tooltip. */
const CELL_CHARS = 120;

type Loaded = Outcome<{ records: AppRecord[]; total: number }>;

/** An installed app's records, one entity at a time: opened from its count on the card. */
export function AppRecords({ app }: { app: InstalledApp }) {
  const [open, setOpen] = useState<string | null>(null);
  if (!app.entities.length) return <span className="meta">none</span>;
  const shown = app.entities.find((e) => e.name === open);
  return (
    <>
      <span className="code-list">
        {app.entities.map((e) => (
          <button
            key={e.name}
            type="button"
            className="link record-count"
            aria-expanded={open === e.name}
            aria-controls={`app-${app.id}-records`}
            onClick={() => setOpen(open === e.name ? null : e.name)}
          >
            <code>{e.name}</code> {formatCount(e.records)}
          </button>
        ))}
      </span>
      {shown && <EntityRecords key={shown.name} app={app} entity={shown} />}
    </>
  );
}

/** One entity's records as a table, reloaded when the app says one changed or it was upgraded. */
function EntityRecords({ app, entity: { name: entity, changedAt, fields } }: { app: InstalledApp; entity: InstalledApp['entities'][number] }) {
  const [state, setState] = useState<Loaded | 'loading'>('loading');
  useEffect(() => {
    let live = true;
    void attempt(() => keelClient().call('apps.records', { id: app.id, entity, limit: SHOWN })).then((out) => live && setState(out));
    return () => {
      live = false;
    };
  }, [app.id, entity, changedAt, app.updatedAt]);
  return (
    <div id={`app-${app.id}-records`} className="app-records" data-testid="app-records-table" data-entity={entity}>
      {state === 'loading' ? (
        <p className="meta">Loading {entity} records…</p>
      ) : !state.ok ? (
        <p className="error" role="alert">
          {state.error}
        </p>
      ) : !state.value.records.length ? (
        <p className="meta">No {entity} records yet.</p>
      ) : (
        <>
          {state.value.total > state.value.records.length && (
            <p className="meta">
              The {formatCount(state.value.records.length)} most recently changed of {formatCount(state.value.total)}.
            </p>
          )}
          <DataTable label={`${app.name}: ${entity} records`} columns={columnsOf(fields, state.value.records)} rows={state.value.records} rowKey={(r) => r.id} />
        </>
      )}
    </div>
  );
}

/** The id, the fields the schema names (in its order) and any other the records hold, and when each changed. */
function columnsOf(schemaFields: string[], records: AppRecord[]): Column<AppRecord>[] {
  const fields = [...schemaFields];
  for (const r of records) for (const k of Object.keys(fieldsOf(r))) if (!fields.includes(k)) fields.push(k);
  return [
    ['Id', (r) => <code>{r.id}</code>],
    ...fields.map((f): Column<AppRecord> => [f, (r) => <Value field={f} value={fieldsOf(r)[f]} />]),
    ['Changed', (r) => formatDate(r.updatedAt)],
  ];
}

const fieldsOf = (r: AppRecord): Record<string, unknown> => (r.data && typeof r.data === 'object' && !Array.isArray(r.data) ? (r.data as Record<string, unknown>) : { value: r.data });

/** A field's value as text; a document's id opens the document. */
function Value({ field, value }: { field: string; value: unknown }) {
  if (value === undefined || value === null) return <span className="meta">—</span>;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^documentId$/i.test(field) && typeof value === 'string') return <a href={documentHref(value)}>{value}</a>;
  return text.length > CELL_CHARS ? <span title={text}>{text.slice(0, CELL_CHARS)}…</span> : <>{text}</>;
}
