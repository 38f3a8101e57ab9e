import { href } from '../../routes';
import { useKeel } from '../../store/store';
import { useWhenConnected } from '../../app/useWhenConnected';
import { AgentSettingsForm } from './AgentSettingsForm';
import { InstructionsEditor } from './InstructionsEditor';
import { ReconcileCard } from './ReconcileCard';
import { WriteCard } from './WriteCard';
import { VersionHistory } from './VersionHistory';

/** One agent: its role, what it may do and spend, its instructions and their history. */
export function AgentPage({ name }: { name: string }) {
  const page = useKeel((s) => (s.agentPage?.name === name ? s.agentPage : null));
  const open = useKeel((s) => s.openAgent);
  useWhenConnected(() => open(name), [name]);
  const agent = page?.agent;
  return (
    <section className="agent-page" aria-labelledby="agent-title">
      <a className="back" href={href('agents')}>
        ← All agents
      </a>
      <h1 id="agent-title">
        {name}
        {agent?.builtin && <span className="pill small">built-in</span>}
      </h1>
      {page?.error && (
        <p className="error" role="alert">
          {page.error}
        </p>
      )}
      {!agent ? (
        !page?.error && <p className="meta">Loading…</p>
      ) : (
        <>
          <p className="role">{agent.role}</p>
          {agent.name === 'reconciler' && <ReconcileCard />}
          {agent.name === 'drafter' && <WriteCard />}
          <h2>What it may do</h2>
          <AgentSettingsForm agent={agent} />
          <h2>Instructions</h2>
          <p className="meta">Version {agent.version}. Saving makes a new version; earlier ones stay below and can be restored.</p>
          <InstructionsEditor agent={agent} />
          <h2>History</h2>
          <VersionHistory agent={agent} versions={page.versions} />
        </>
      )}
    </section>
  );
}
