import { useKeel } from '../store/store';
import { EmptyState } from './EmptyState';
import { views } from './registry';
import { useWhenConnected } from '../app/useWhenConnected';
import { AgentList } from './agents/AgentList';
import { AgentPage } from './agents/AgentPage';
import { Connections } from './agents/Connections';
import { ExampleCard } from './agents/ExampleCard';

function Notice() {
  const error = useKeel((s) => s.agentsError);
  const notice = useKeel((s) => s.agentsNotice);
  return (
    <div className="notice-bar" role="status">
      {error ? <span className="error">{error}</span> : notice}
    </div>
  );
}

/** `#/agents` lists the workforce (and starts the example); `#/agents/<name>` is one agent's page. */
export function AgentsView() {
  const name = useKeel((s) => s.route.path[0]);
  const refresh = useKeel((s) => s.refreshAgents);
  const none = useKeel((s) => s.agentsLoaded && s.agents.length === 0);
  useWhenConnected(refresh, [refresh]);
  if (name) {
    return (
      <div className="agents">
        <Notice />
        <AgentPage key={name} name={name} />
      </div>
    );
  }
  if (none) return <EmptyState view={views.find((v) => v.id === 'agents')!} />;
  return (
    <section className="agents" aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      <Notice />
      <ExampleCard />
      <AgentList />
      <Connections />
    </section>
  );
}
