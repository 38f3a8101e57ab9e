import { useEffect, useState, type FormEvent } from 'react';
import type { Entity } from '../../../../shared/domain/memory';
import { keelClient } from '../../api/client';
import { inboxHref } from '../../routes';
import { errorMessage } from '../../util/timing';
import { useStartRun } from './useStartRun';

const KINDS = [
  ['email', 'E-mail'],
  ['proposal', 'Proposal'],
  ['post', 'Post'],
  ['release_notes', 'Release notes'],
] as const;

/** Asks the drafter for a text from a brief; the draft comes back through the Inbox like any other. */
export function WriteCard() {
  const [entities, setEntities] = useState<Entity[]>([]);
  const [form, setForm] = useState({ kind: 'proposal', title: '', brief: '', entityId: '', to: '' });
  const { state, start, failed } = useStartRun('agent.drafter.write');
  useEffect(() => {
    keelClient()
      .call('entities.list', { limit: 500 })
      .then((r) => setEntities(r.entities), (err: unknown) => failed(`The clients and people could not be listed: ${errorMessage(err)}`));
  }, []);
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void start({ kind: form.kind, title: form.title, brief: form.brief, ...(form.entityId ? { entityId: form.entityId } : {}), ...(form.to.trim() ? { to: form.to.trim() } : {}) });
  };
  return (
    <section className="card" aria-labelledby="write-title">
      <h2 id="write-title">Write something</h2>
      <form className="settings-grid" onSubmit={submit}>
        <label htmlFor="write-kind">Kind</label>
        <select id="write-kind" value={form.kind} onChange={(e) => set({ kind: e.target.value })}>
          {KINDS.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
        <label htmlFor="write-title-input">Title or subject</label>
        <input id="write-title-input" value={form.title} maxLength={300} onChange={(e) => set({ title: e.target.value })} />
        <label htmlFor="write-for">For</label>
        <select id="write-for" value={form.entityId} onChange={(e) => set({ entityId: e.target.value })}>
          <option value="">(nobody in particular)</option>
          {entities.map((en) => (
            <option key={en.id} value={en.id}>
              {en.name} ({en.type})
            </option>
          ))}
        </select>
        {form.kind === 'email' && (
          <>
            <label htmlFor="write-to">To (if not the client's address)</label>
            <input id="write-to" type="email" value={form.to} onChange={(e) => set({ to: e.target.value })} />
          </>
        )}
        <label htmlFor="write-brief">What it should say</label>
        <textarea id="write-brief" rows={6} value={form.brief} maxLength={50_000} onChange={(e) => set({ brief: e.target.value })} />
        <span />
        <div className="actions">
          <button type="submit" disabled={!form.title.trim() || !form.brief.trim() || state.kind === 'starting'}>
            Write the draft
          </button>
        </div>
      </form>
      <div role="status">
        {state.kind === 'started' && <p className="ok">The drafter is writing; the draft will appear in the <a href={inboxHref()}>Inbox</a> for you to approve, change or edit.</p>}
        {state.kind === 'failed' && <p className="error">{state.message}</p>}
      </div>
    </section>
  );
}
