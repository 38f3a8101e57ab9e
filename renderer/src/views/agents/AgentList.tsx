import { agentHref } from '../../routes';
import { useKeel } from '../../store/store';
import { budgetText, TIER_LABEL } from './labels';

const list = (items: string[]) => (items.length ? <div className="code-list">{items.map((p) => <code key={p}>{p}</code>)}</div> : <span className="meta">none</span>);

/** Every agent at a glance: what it does, which model tier, what it may do, what it may spend. */
export function AgentList() {
  const agents = useKeel((s) => s.agents);
  const loaded = useKeel((s) => s.agentsLoaded);
  if (!loaded) return <p className="meta">Loading agents…</p>;
  return (
    <table className="agents-table" aria-label="Agents">
      <thead>
        <tr>
          <th scope="col">Agent</th>
          <th scope="col">Tier</th>
          <th scope="col">State</th>
          <th scope="col">May call</th>
          <th scope="col">Always asks before</th>
          <th scope="col">Budget</th>
          <th scope="col">At once</th>
        </tr>
      </thead>
      <tbody>
        {agents.map((a) => (
          <tr key={a.name} data-testid="agent-row" data-name={a.name}>
            <td>
              <a href={agentHref(a.name)} className="agent-name">
                {a.name}
              </a>
              <div className="meta small-text">{a.role}</div>
            </td>
            <td>{TIER_LABEL[a.tier]}</td>
            <td>{a.enabled ? <span className="ok">Enabled</span> : <span className="meta">Disabled</span>}</td>
            <td>{list(a.permissions)}</td>
            <td>{list(a.approvals)}</td>
            <td>{budgetText(a.budget)}</td>
            <td className="num">{a.concurrency}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
