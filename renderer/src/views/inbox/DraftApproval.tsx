import { useState } from 'react';
import type { Approval } from '../../../../shared/domain/kernel';
import { useKeel } from '../../store/store';
import { ApprovalHeader } from './ApprovalHeader';
import { DecisionNote } from './DecisionNote';
import { ParagraphDiff } from './ParagraphDiff';
import type { DraftProposal } from './proposals';

type Mode = 'view' | 'request' | 'edit';

/** Paragraphs as the operator types them: separated by blank lines. */
const toParagraphs = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);

/** A text that is saved, not sent (a proposal, a post, release notes). */
const saved = (d: DraftProposal) => d.kind !== undefined && d.kind !== 'email';

function Email({ draft }: { draft: DraftProposal }) {
  return (
    <div className="email" data-testid="draft-email">
      <dl className="email-head">
        {saved(draft) ? (
          <>
            <dt>Kind</dt>
            <dd data-testid="draft-kind">{draft.kind!.replace('_', ' ')}: approving saves it in your workspace (drafts/)</dd>
          </>
        ) : (
          <>
            <dt>To</dt>
            <dd data-testid="draft-to">{draft.to ?? <span className="warn">no address known: approving will not send it</span>}</dd>
          </>
        )}
        <dt>Subject</dt>
        <dd data-testid="draft-subject">{draft.subject}</dd>
        {draft.tone && (
          <>
            <dt>Remembered tone</dt>
            <dd data-testid="draft-tone">{draft.tone}</dd>
          </>
        )}
      </dl>
      <div className="email-body">
        {draft.paragraphs.map((p, i) => (
          <p key={i} data-testid="draft-paragraph">
            {p}
          </p>
        ))}
      </div>
    </div>
  );
}

function RequestChanges({ onSend, onCancel }: { onSend: (request: string) => void; onCancel: () => void }) {
  const [text, setText] = useState('');
  return (
    <div className="draft-editor">
      <label htmlFor="draft-request">What should change?</label>
      <textarea id="draft-request" rows={3} value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. make it friendlier, shorter, mention the invoice terms" autoFocus />
      <div className="actions">
        <button type="button" disabled={!text.trim()} onClick={() => onSend(text.trim())}>
          Send request
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function EditText({ draft, onSave, onCancel }: { draft: DraftProposal; onSave: (subject: string, paragraphs: string[]) => void; onCancel: () => void }) {
  const [subject, setSubject] = useState(draft.subject);
  const [body, setBody] = useState(draft.paragraphs.join('\n\n'));
  const paragraphs = toParagraphs(body);
  return (
    <div className="draft-editor">
      <label htmlFor="draft-subject-edit">Subject</label>
      <input id="draft-subject-edit" value={subject} onChange={(e) => setSubject(e.target.value)} />
      <label htmlFor="draft-body-edit">Text (a blank line between paragraphs)</label>
      <textarea id="draft-body-edit" rows={Math.min(24, body.split('\n').length + 2)} value={body} onChange={(e) => setBody(e.target.value)} />
      <p className="meta">Your text comes back once more as a revision, so what you approve is exactly what is sent.</p>
      <div className="actions">
        <button type="button" disabled={!subject.trim() || paragraphs.length === 0} onClick={() => onSave(subject.trim(), paragraphs)}>
          Use my text
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** A draft e-mail: what would be sent, a revision's paragraph changes with reasons, and the operator's ways to answer. */
export function DraftApproval({ approval, draft }: { approval: Approval; draft: DraftProposal }) {
  const decide = useKeel((s) => s.decide);
  const [note, setNote] = useState('');
  const [mode, setMode] = useState<Mode>('view');
  const changes = draft.changes ?? [];
  const [accepted, setAccepted] = useState<boolean[]>(() => changes.map(() => true));
  const chosen = accepted.flatMap((a, i) => (a ? [i] : []));
  const id = approval.id;
  return (
    <article className="card draft" data-testid="approval" data-kind="draft" aria-label={approval.title}>
      <ApprovalHeader approval={approval} />
      <Email draft={draft} />
      {changes.length > 0 && (
        <section className="changes" aria-label="What changed">
          <h3>
            What changed <span className="meta">({changes.length})</span>
          </h3>
          <p className="meta">Untick a change to undo it, then Accept selected changes: the result comes back once more before anything is sent.</p>
          <ol>
            {changes.map((c, i) => (
              <ParagraphDiff key={i} change={c} accepted={accepted[i] ?? true} onToggle={(v) => setAccepted(accepted.map((a, k) => (k === i ? v : a)))} />
            ))}
          </ol>
        </section>
      )}
      {draft.changes !== null && changes.length === 0 && <p className="meta">No paragraph changed in this revision.</p>}
      {mode === 'request' && <RequestChanges onCancel={() => setMode('view')} onSend={(request) => void decide(id, 'edit', note, { editedProposal: { request } })} />}
      {mode === 'edit' && <EditText draft={draft} onCancel={() => setMode('view')} onSave={(subject, paragraphs) => void decide(id, 'edit', note, { editedProposal: { subject, paragraphs } })} />}
      {mode === 'view' && (
        <>
          <DecisionNote value={note} onChange={setNote} />
          <div className="actions wrap">
            <button type="button" onClick={() => void decide(id, 'approve', note)}>
              {saved(draft) ? 'Approve and save' : draft.to ? 'Approve and send' : 'Approve'}
            </button>
            <button type="button" className="secondary" onClick={() => setMode('request')}>
              Request changes…
            </button>
            <button type="button" className="secondary" onClick={() => setMode('edit')}>
              Edit text…
            </button>
            {changes.length > 0 && (
              <button type="button" className="secondary" onClick={() => void decide(id, 'approve_partial', note, { acceptedParts: chosen })}>
                Accept selected changes ({chosen.length} of {changes.length})
              </button>
            )}
            <button type="button" className="danger" onClick={() => void decide(id, 'reject', note)}>
              Reject
            </button>
          </div>
        </>
      )}
    </article>
  );
}
