import { inboxHref } from '../../../routes';
import { useKeel } from '../../../store/store';
import { formatDate } from '../../../util/format';

/** Sends Keel cannot know the outcome of: the operator checks the recipient's or the sent folder, then says. */
export function UncertainSends() {
  const sends = useKeel((s) => s.uncertainSends);
  const confirm = useKeel((s) => s.confirmSent);
  const resend = useKeel((s) => s.allowResend);
  return (
    <section aria-labelledby="uncertain-title">
      <h2 id="uncertain-title">Sends to check</h2>
      <p className="meta">
        When Keel stops while the mail server is answering, it cannot know whether the message left. Rather than risk sending it twice, the run pauses until you check your sent
        folder (or ask the recipient) and say what happened: the paused run then goes on by itself (it waits in the <a href={inboxHref()}>Inbox</a> until you do).
      </p>
      {sends.length === 0 ? (
        <p className="meta" data-testid="uncertain-none">
          Nothing to check.
        </p>
      ) : (
        <ul className="uncertain">
          {sends.map((s) => (
            <li key={s.idempotencyKey} className="card" data-testid="uncertain-send">
              <strong>{s.subject}</strong>
              <dl className="facts compact">
                <dt>To</dt>
                <dd>{s.to.join(', ')}</dd>
                <dt>From</dt>
                <dd>{s.from}</dd>
                <dt>Attempted</dt>
                <dd>{formatDate(s.createdAt)}</dd>
                <dt>Message-ID</dt>
                <dd>
                  <code>{s.messageId}</code>
                </dd>
              </dl>
              <div className="actions">
                <button type="button" onClick={() => void confirm(s.idempotencyKey)}>
                  It arrived (confirm sent)
                </button>
                <button type="button" className="secondary" onClick={() => void resend(s.idempotencyKey)}>
                  It did not arrive (allow resend)
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
