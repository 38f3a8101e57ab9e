import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useKeel } from '../../store/store';
import type { TimelineQuery } from './filters';

const TEXT_DEBOUNCE_MS = 300;

/** A text field whose value reaches the URL after a pause in typing (or at once on Enter). */
function useDebounced(value: string | undefined, commit: (v: string) => void): [string, (v: string) => void, () => void] {
  const [draft, setDraft] = useState(value ?? '');
  const committed = useRef(value ?? '');
  // Follow the URL when it changes from elsewhere (back button, a link, Clear), not when it
  // catches up with what is being typed.
  useEffect(() => {
    if ((value ?? '') !== committed.current.trim()) setDraft(value ?? '');
    committed.current = value ?? '';
  }, [value]);
  const send = (v: string) => {
    committed.current = v;
    commit(v);
  };
  useEffect(() => {
    if (draft === committed.current) return;
    const timer = setTimeout(() => send(draft), TEXT_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // `commit` changes with every route; the draft is what matters.
  }, [draft]);
  return [draft, setDraft, () => send(draft)];
}

/** `datetime-local` wants local time without a zone; the URL may hold either. */
function localInputValue(v: string | undefined): string {
  if (!v) return '';
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v)) return v;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The timeline's filters and search; every value lives in the URL. */
/** A facet (agent, app) to filter by; a value from the URL that is not among the facets stays choosable. */
function FacetSelect({ id, label, anyLabel, options, value, onChange }: { id: string; label: string; anyLabel: string; options: string[]; value: string | undefined; onChange: (v: string | undefined) => void }) {
  const shown = value && !options.includes(value) ? [value, ...options] : options;
  return (
    <div className="tl-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">{anyLabel}</option>
        {shown.map((a) => (
          <option key={a} value={a}>
            {a}
          </option>
        ))}
      </select>
    </div>
  );
}

export function FilterBar({ query, setQuery, problems }: { query: TimelineQuery; setQuery(patch: TimelineQuery): void; problems: string[] }) {
  const facets = useKeel((s) => s.timelineFacets);
  const id = useId();
  const [text, setText, commitText] = useDebounced(query.q, (v) => setQuery({ q: v.trim() || undefined }));
  const [cost, setCost, commitCost] = useDebounced(query.cost, (v) => setQuery({ cost: v.trim() || undefined }));

  const types = useMemo(() => {
    const exact = facets?.types.map((t) => t.type) ?? [];
    const families = [...new Set(exact.filter((t) => t.includes('.')).map((t) => `${t.slice(0, t.indexOf('.'))}.*`))].sort();
    return { exact, families };
  }, [facets]);
  const anyFilter = Object.entries(query).some(([k, v]) => k !== 'group' && v);

  return (
    <form
      className="tl-filters"
      role="search"
      aria-label="Filter the timeline"
      onSubmit={(e) => {
        e.preventDefault();
        commitText();
        commitCost();
      }}
    >
      <div className="tl-field tl-search">
        <label htmlFor={`${id}-q`} className="sr-only">
          Search the timeline
        </label>
        <input
          id={`${id}-q`}
          type="search"
          value={text}
          placeholder="Search type, actor, step, error, data…"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && text && (e.preventDefault(), setText(''))}
          aria-describedby={`${id}-search-help`}
        />
      </div>
      <span id={`${id}-search-help`} className="sr-only">
        Matches event types, actors, run ids, step names, error messages and event data; results update as you type.
      </span>
      <FacetSelect id={`${id}-agent`} label="Agent" anyLabel="Any agent" options={facets?.agents ?? []} value={query.agent} onChange={(agent) => setQuery({ agent })} />
      <FacetSelect id={`${id}-app`} label="App" anyLabel="Any app" options={facets?.apps ?? []} value={query.app} onChange={(app) => setQuery({ app })} />
      <div className="tl-field">
        <label htmlFor={`${id}-type`}>Event type</label>
        <select id={`${id}-type`} value={query.type ?? ''} onChange={(e) => setQuery({ type: e.target.value || undefined })}>
          <option value="">Any type</option>
          {query.type && !types.exact.includes(query.type) && !types.families.includes(query.type) && <option value={query.type}>{query.type}</option>}
          <optgroup label="Families">
            {types.families.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </optgroup>
          <optgroup label="Types">
            {types.exact.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </optgroup>
        </select>
      </div>
      <div className="tl-field">
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="datetime-local" value={localInputValue(query.from)} onChange={(e) => setQuery({ from: e.target.value || undefined })} />
      </div>
      <div className="tl-field">
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} type="datetime-local" value={localInputValue(query.to)} onChange={(e) => setQuery({ to: e.target.value || undefined })} />
      </div>
      <div className="tl-field tl-cost">
        <label htmlFor={`${id}-cost`}>Cost above $</label>
        <input id={`${id}-cost`} type="number" inputMode="decimal" min={0} step="any" value={cost} onChange={(e) => setCost(e.target.value)} aria-invalid={Number(cost) < 0 ? true : undefined} />
      </div>
      <label className="tl-check">
        <input type="checkbox" checked={query.failed === '1'} onChange={(e) => setQuery({ failed: e.target.checked ? '1' : undefined })} />
        <span>Failed only</span>
      </label>
      <label className="tl-check">
        <input type="checkbox" checked={query.group === 'runs'} onChange={(e) => setQuery({ group: e.target.checked ? 'runs' : undefined })} />
        <span>Group by run</span>
      </label>
      {query.run && (
        <span className="chip tl-run-chip">
          run {query.run.slice(0, 8)}
          <button type="button" className="link" aria-label={`Stop filtering by run ${query.run}`} onClick={() => setQuery({ run: undefined })}>
            ×
          </button>
        </span>
      )}
      {anyFilter && (
        <button
          type="button"
          className="secondary small"
          onClick={() => setQuery({ agent: undefined, app: undefined, run: undefined, type: undefined, from: undefined, to: undefined, cost: undefined, failed: undefined, q: undefined })}
        >
          Clear filters
        </button>
      )}
      {problems.length > 0 && (
        <p className="error tl-problems" role="alert">
          {problems.join(' ')}
        </p>
      )}
    </form>
  );
}
