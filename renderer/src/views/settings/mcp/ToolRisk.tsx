import { useState } from 'react';
import { Risk } from '../../../../../shared/domain/kernel';
import type { McpServerView } from '../../../../../shared/domain/mcp';
import { useKeel } from '../../../store/store';

type Tool = McpServerView['tools'][number];

/** One tool's risk, chosen by the operator (high or above waits for an approval); a flagged tool keeps at least high. */
export function ToolRisk({ server, tool }: { server: string; tool: Tool }) {
  const setRisk = useKeel((s) => s.setMcpRisk);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const change = async (risk: Risk) => {
    setBusy(true);
    setError(null);
    const out = await setRisk(server, tool.name, risk);
    setBusy(false);
    if (!out.ok) setError(out.error);
  };
  const id = `mcp-${server}-${tool.name}-risk`;
  return (
    <li className={tool.flag ? 'mcp-tool flagged' : 'mcp-tool'} data-testid="mcp-tool" data-name={tool.name}>
      <code>{tool.name}</code>
      <label htmlFor={id} className="sr-only">
        Risk of {tool.name}
      </label>
      <select id={id} value={tool.risk} disabled={busy} onChange={(e) => void change(e.target.value as Risk)} className={`risk-select risk-${tool.risk}`}>
        {Risk.options.map((r) => (
          <option key={r} value={r} disabled={tool.flag !== null && (r === 'low' || r === 'medium')}>
            {r}
          </option>
        ))}
      </select>
      {busy && <span className="meta small-text">Saving…</span>}
      {error && (
        <span className="error small-text" role="alert">
          {error}
        </span>
      )}
      {tool.flag && (
        <div className="flag-warning" role="note" data-testid="mcp-tool-flag">
          <strong>Warning:</strong> {tool.flag} Whatever you choose, it stays at high risk or above.
        </div>
      )}
    </li>
  );
}
