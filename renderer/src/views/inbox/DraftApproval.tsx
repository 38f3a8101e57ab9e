import { useState } from 'react';
import type { Approval } from '../../../../shared/domain/kernel';
import { acceptChanges, draftSegments } from '../../../../shared/domain/proposals';
import { useCommand } from '../../commands/bindings';
import { CommandButton } from '../../commands/CommandButton';
import { useKeel } from '../../store/store';
import { ApprovalFrame } from './ApprovalFrame';
import { ParagraphDiff } from './ParagraphDiff';
import type { DraftChange, DraftProposal } from './proposals';

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

/** Runs of unchanged paragraphs folded; each change with its words marked and its reason beside it. */
function DraftDiff({ draft, changes, accepted, focus, onToggle }: { draft: DraftProposal; changes: DraftChange[]; accepted: ReadonlySet<number>; focus: number; onToggle: (n: number, on: boolean) => void }) {
  return (
    <section className="changes" aria-label="What changed">
      <h3>
        What changed <span className="meta">({changes.length} of {draft.paragraphs.length} paragraphs; n and p move, Space accepts or declines)</span>
      </h3>
      <ol className="draft-diff">
        {draftSegments(draft.paragraphs, changes).map((s) =>
          s.type === 'same' ? (
            <li key={`same-${s.from}`} className="unchanged">
              <details>
                <summary>
                  {s.paragraphs.length} unchanged paragraph{s.paragraphs.length === 1 ? '' : 's'}
                </summary>
                {s.paragraphs.map((p, i) => (
                  <p key={i}>{p}</p>
                ))}
              </details>
            </li>
          ) : (
            <ParagraphDiff key={`change-${s.changeNo}`} change={s.change} accepted={accepted.has(s.changeNo)} focused={focus === s.changeNo} onToggle={(on) => onToggle(s.changeNo, on)} />
          ),
        )}
      </ol>
    </section>
  );
}

/**
 * A draft: what would be sent, or a revision as paragraph changes with reasons. Approve or
 * reject (a, r), accept only some changes (Space on each, then s), edit the text (e) or ask
 * the agent for changes (q); each decision is one key.
 */
export function DraftApproval({ approval, draft }: { approval: Approval; draft: DraftProposal }) {
  const decide = useKeel((s) => s.decide);
  const [mode, setMode] = useState<Mode>('view');
  const changes = draft.changes ?? [];
  const [accepted, setAccepted] = useState<ReadonlySet<number>>(() => new Set(changes.map((_, i) => i)));
  const [focus, setFocus] = useState(0);
  const id = approval.id;
  const viewing = mode === 'view';
  const toggle = (n: number, on: boolean) => {
    const next = new Set(accepted);
    if (on) next.add(n);
    else next.delete(n);
    setAccepted(next);
  };
  const acceptSelected = (note = '') => void decide(id, 'approve_partial', note, { acceptedParts: [...accepted].sort((a, b) => a - b) });
  const hasChanges = changes.length > 0;
  useCommand('draft.nextChange', () => setFocus((f) => Math.min(changes.length - 1, f + 1)), viewing && hasChanges);
  useCommand('draft.previousChange', () => setFocus((f) => Math.max(0, f - 1)), viewing && hasChanges);
  useCommand('draft.toggleChange', () => toggle(focus, !accepted.has(focus)), viewing && hasChanges);
  useCommand('draft.acceptSelected', () => acceptSelected(), viewing && hasChanges);
  useCommand('draft.edit', () => setMode('edit'), viewing);
  useCommand('draft.requestChanges', () => setMode('request'), viewing);
  const result = hasChanges ? { ...draft, paragraphs: acceptChanges(draft.paragraphs, changes, accepted) } : draft;
  return (
    <ApprovalFrame
      approval={approval}
      kind="draft"
      deciding={viewing}
      approveLabel={saved(draft) ? 'Approve and save' : draft.to ? 'Approve and send' : 'Approve'}
      actions={(note) => (
        <>
          {hasChanges && (
            <CommandButton id="draft.acceptSelected" run={() => acceptSelected(note)} variant="secondary" disabled={accepted.size === changes.length}>
              Accept selected changes ({accepted.size} of {changes.length})
            </CommandButton>
          )}
          <CommandButton id="draft.edit" run={() => setMode('edit')} variant="secondary">
            Edit text…
          </CommandButton>
          <CommandButton id="draft.requestChanges" run={() => setMode('request')} variant="secondary">
            Request changes…
          </CommandButton>
        </>
      )}
    >
      {hasChanges ? (
        <>
          <DraftDiff draft={draft} changes={changes} accepted={accepted} focus={focus} onToggle={toggle} />
          <details className="result">
            <summary>The text with your choices</summary>
            <Email draft={result} />
          </details>
        </>
      ) : (
        <Email draft={draft} />
      )}
      {draft.changes !== null && !hasChanges && <p className="meta">No paragraph changed in this revision.</p>}
      {mode === 'request' && <RequestChanges onCancel={() => setMode('view')} onSend={(request) => void decide(id, 'edit', '', { editedProposal: { request } })} />}
      {mode === 'edit' && <EditText draft={result} onCancel={() => setMode('view')} onSave={(subject, paragraphs) => void decide(id, 'edit', '', { editedProposal: { subject, paragraphs } })} />}
    </ApprovalFrame>
  );
}
