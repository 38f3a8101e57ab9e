import { useState } from 'react';
import type { InboxItem } from '../../../../shared/domain/inbox';
import type { RunDetail } from '../../../../shared/domain/kernel';
import { useCommand } from '../../commands/bindings';
import { CommandButton } from '../../commands/CommandButton';
import { settingsHref } from '../../routes';
import { useKeel } from '../../store/store';
import { formatDate, formatUsd } from '../../util/format';
import { isObject } from '../../util/guards';

type Form = null | 'skip' | 'input' | 'cap' | 'abort';

/** JSON typed by the operator, or the reason it does not parse. */
function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `Not valid JSON: ${(err as Error).message}` };
  }
}

function JsonForm({ label, initial, submit, onDone }: { label: string; initial: unknown; submit: string; onDone: (value: unknown) => void }) {
  const [text, setText] = useState(() => JSON.stringify(initial ?? null, null, 2));
  const parsed = parseJson(text);
  return (
    <form className="inline-form" onSubmit={(e) => (e.preventDefault(), parsed.ok && onDone(parsed.value))}>
      <label htmlFor="failure-json">{label}</label>
      <textarea id="failure-json" rows={Math.min(16, text.split('\n').length + 1)} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={!parsed.ok} aria-describedby="failure-json-error" autoFocus />
      {!parsed.ok && (
        <p id="failure-json-error" className="error" role="alert">
          {parsed.error}
        </p>
      )}
      <button type="submit" disabled={!parsed.ok}>
        {submit}
      </button>
    </form>
  );
}

interface BudgetDetails {
  scope: 'agent' | 'app';
  name: string;
  period: 'day' | 'month';
  maxUsd: number | null;
  maxTokens: number | null;
  spentUsd: number;
  estimateUsd: number;
}

const budgetOf = (details: unknown): BudgetDetails | null => (isObject(details) && typeof details.name === 'string' && (details.scope === 'agent' || details.scope === 'app') ? (details as unknown as BudgetDetails) : null);

function RaiseCap({ budget, onRaise }: { budget: BudgetDetails; onRaise: (maxUsd: number) => void }) {
  const suggested = Math.ceil(((budget.maxUsd ?? 0) + budget.estimateUsd) * 2 * 100) / 100;
  const [value, setValue] = useState(String(suggested));
  const n = Number(value);
  const problem = !Number.isFinite(n) || n <= (budget.maxUsd ?? 0) ? `Enter more than the current cap of ${formatUsd(budget.maxUsd ?? 0)}.` : null;
  return (
    <form className="inline-form" onSubmit={(e) => (e.preventDefault(), !problem && onRaise(n))}>
      <label htmlFor="new-cap">
        New {budget.period === 'day' ? 'daily' : 'monthly'} cap for {budget.name} (USD)
      </label>
      <input id="new-cap" inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={problem !== null} aria-describedby="new-cap-error" autoFocus />
      {problem && (
        <p id="new-cap-error" className="error" role="alert">
          {problem}
        </p>
      )}
      <button type="submit" disabled={problem !== null}>
        Raise the cap and retry
      </button>
    </form>
  );
}

/** A stuck run (an escalation or a dead letter): the structured failure, and what the operator can do. */
export function FailureDetail({ item, run }: { item: InboxItem; run: RunDetail | null }) {
  const store = useKeel.getState;
  const [form, setForm] = useState<Form>(null);
  const failure = item.failure;
  const budget = item.subkind === 'budget' ? budgetOf(failure?.details) : null;
  const escalation = item.kind === 'escalation';
  const retry = () => void (escalation ? store().resolveEscalation(item.id, { action: 'retry' }) : store().retryDeadLetter(item.id));
  const retryWith = (input: unknown) => void (escalation ? store().resolveEscalation(item.id, { action: 'retry', input }) : store().retryDeadLetter(item.id, input));
  const abort = (compensate: boolean) => void (escalation ? store().resolveEscalation(item.id, { action: 'abort', compensate }) : store().discardDeadLetter(item.id));
  useCommand('escalation.retry', retry, form === null);
  return (
    <article className="card failure" data-testid={escalation ? 'escalation' : 'dead-letter'} aria-label={item.title}>
      <header>
        <h2>{item.title}</h2>
        <span className={`risk risk-${item.risk}`}>{item.risk} risk</span>
      </header>
      <p className="meta small-text">
        {item.workflow}
        {item.agent ? ` · agent ${item.agent}` : ''} · since {formatDate(item.createdAt)} · run {item.runId.slice(0, 8)}
      </p>
      {failure && (
        <dl className="facts failure-facts" data-testid="failure">
          <div className="fact">
            <dt>Kind</dt>
            <dd>{failure.kind}</dd>
          </div>
          {failure.step && (
            <div className="fact">
              <dt>Step</dt>
              <dd>
                {failure.step.no} · {failure.step.name}
              </dd>
            </div>
          )}
          {failure.attempts !== undefined && (
            <div className="fact">
              <dt>Attempts</dt>
              <dd>{failure.attempts}</dd>
            </div>
          )}
          <div className="fact wide">
            <dt>What happened</dt>
            <dd>{failure.message}</dd>
          </div>
        </dl>
      )}
      {failure?.details?.reason === 'email.uncertain_send' && (
        <p>
          Check whether it arrived and say so in <a href={settingsHref('email')}>Settings → E-mail</a>: the run then goes on by itself.
        </p>
      )}
      <div className="actions wrap">
        <CommandButton id="escalation.retry" run={retry} />
        {escalation && item.subkind === 'step_failed' && <CommandButton id="escalation.skip" run={() => setForm('skip')} variant="secondary" />}
        <CommandButton id="escalation.editInput" run={() => setForm('input')} variant="secondary" disabled={!run} />
        {budget && <CommandButton id="escalation.raiseCap" run={() => setForm('cap')} variant="secondary" />}
        <CommandButton id="escalation.abort" run={() => setForm('abort')} variant="danger">
          {escalation ? 'Abort the run…' : 'Discard…'}
        </CommandButton>
      </div>
      {form === 'skip' && <JsonForm label="What the skipped step returns to the workflow (JSON)" initial={null} submit="Skip with this output" onDone={(output) => void store().resolveEscalation(item.id, { action: 'skip', output })} />}
      {form === 'input' && run && <JsonForm label={`The run's input (JSON; checked against ${item.workflow})`} initial={run.input} submit="Retry with this input" onDone={retryWith} />}
      {form === 'cap' && budget && <RaiseCap budget={budget} onRaise={(maxUsd) => void store().raiseCapAndRetry(item.id, { scope: budget.scope, name: budget.name, period: budget.period, maxUsd, maxTokens: budget.maxTokens })} />}
      {form === 'abort' && (
        <div className="confirm" role="alertdialog" aria-label="Confirm">
          <p>{escalation ? 'Stop this run for good? Its finished effects stay unless you undo them.' : 'Give up on this run for good?'}</p>
          <div className="actions">
            {escalation && (
              <button type="button" className="danger" onClick={() => abort(true)}>
                Abort and undo its effects
              </button>
            )}
            <button type="button" className="danger" onClick={() => abort(false)}>
              {escalation ? 'Abort, keep its effects' : 'Discard'}
            </button>
            <button type="button" className="secondary" onClick={() => setForm(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </article>
  );
}
