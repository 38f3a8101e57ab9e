import { documentHref, inboxHref } from '../../routes';
import { useKeel } from '../../store/store';

/** The consultant example in one click: a sample client and meeting notes, then a draft in the Inbox. */
export function ExampleCard() {
  const example = useKeel((s) => s.example);
  const run = useKeel((s) => s.runExample);
  return (
    <section className="card example" aria-labelledby="example-title">
      <h2 id="example-title">Try it: the consultant example</h2>
      <p>
        Adds a sample client, Northwind Studio (Dana Whitfield prefers a formal tone), and meeting notes about their website relaunch. Triage reads the notes, the extractor keeps
        the decisions and action items, and the drafter writes Dana a follow-up e-mail for you to approve.
      </p>
      <div className="actions">
        <button type="button" onClick={() => void run()} disabled={example.state === 'starting'}>
          {example.state === 'starting' ? 'Starting…' : 'Run the consultant example'}
        </button>
      </div>
      <div role="status" data-testid="example-status">
        {example.state === 'started' && example.started && (
          <p className="ok">
            The meeting notes were ingested (<a href={documentHref(example.started.documentId)}>open them</a>); the agents are working on them, and a draft e-mail to Dana will
            appear in the <a href={inboxHref()}>Inbox</a> for your approval.
          </p>
        )}
        {example.state === 'failed' && <p className="error">The example could not start: {example.error}</p>}
      </div>
    </section>
  );
}
