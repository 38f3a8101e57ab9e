import { useState } from 'react';
import type { ArmFigures, CanaryComparison, ModelRef, TierSetting } from '../../../../../shared/domain/models';
import { useKeel } from '../../../store/store';
import { formatDate } from '../../../util/format';
import { ModelPicker } from './ModelPicker';
import { formatMs as ms, formatPercent as pct, formatUsd as usd } from '../../../util/format';
import { refText } from './format';

const ROWS: [string, (a: ArmFigures) => string][] = [
  ['Model calls', (a) => String(a.calls)],
  ['Runs', (a) => String(a.runs)],
  ['Validation failures', (a) => `${a.validationFailures}${a.calls ? ` (${pct(a.validationFailures, a.calls)})` : ''}`],
  ['Approvals asked', (a) => String(a.approvals)],
  ['Approved', (a) => `${a.approved} (${pct(a.approved, a.approvals)})`],
  ['Changes requested', (a) => String(a.editsRequested)],
  ['Cost', (a) => usd(a.costUsd)],
  ['Mean latency', (a) => ms(a.meanLatencyMs)],
];

function Comparison({ c }: { c: CanaryComparison }) {
  const providers = useKeel((s) => s.providers);
  if (!c.canary) return null;
  return (
    <table className="comparison" aria-label={`${c.tier} tier: model and canary side by side`}>
      <thead>
        <tr>
          <th scope="col">Since the canary started</th>
          <th scope="col">Main: {refText(c.main.model, providers)}</th>
          <th scope="col">Canary: {refText(c.canary.model, providers)}</th>
        </tr>
      </thead>
      <tbody>
        {ROWS.map(([label, value]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td className="num">{value(c.main)}</td>
            <td className="num">{value(c.canary!)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StageForm({ tier }: { tier: TierSetting }) {
  const providers = useKeel((s) => s.providers);
  const stage = useKeel((s) => s.stageCanary);
  const [model, setModel] = useState<ModelRef>(() => {
    const other = providers.find((p) => p.kind !== 'builtin' && p.id !== tier.model.provider) ?? providers.find((p) => p.kind !== 'builtin');
    return other ? { provider: other.id, model: '' } : { provider: 'builtin', model: 'builtin' };
  });
  const [share, setShare] = useState(10);
  const same = model.provider === tier.model.provider && model.model === tier.model.model;
  const ok = model.model.trim() !== '' && !same && share >= 1 && share <= 99;
  return (
    <div className="stage-canary">
      <p className="meta">Try another model on a share of this tier's runs and compare before switching. A run keeps its model for all its calls.</p>
      <div className="inline-form">
        <ModelPicker idPrefix={`canary-${tier.tier}`} providers={providers} value={model} onChange={setModel} />
        <label className="inline-form tight">
          on
          <input type="range" min={1} max={99} value={share} onChange={(e) => setShare(Number(e.target.value))} aria-label="Share of runs (%)" />
          <output>{share}%</output>
          of runs
        </label>
        <button type="button" className="secondary" disabled={!ok} onClick={() => void stage(tier.tier, { provider: model.provider, model: model.model.trim() }, share / 100)}>
          Stage canary
        </button>
      </div>
    </div>
  );
}

/** A tier's canary: staged on a share, compared side by side, then promoted or rolled back. */
export function CanaryPanel({ tier }: { tier: TierSetting }) {
  const providers = useKeel((s) => s.providers);
  const comparison = useKeel((s) => s.comparisons[tier.tier]);
  const promote = useKeel((s) => s.promoteCanary);
  const rollback = useKeel((s) => s.rollbackCanary);
  const compare = useKeel((s) => s.compareTier);
  const c = tier.canary;
  if (!c) return <StageForm tier={tier} />;
  return (
    <div className="canary" data-testid={`canary-${tier.tier}`}>
      <p>
        Canary: <strong>{refText(c.model, providers)}</strong> on {Math.round(c.share * 100)}% of runs since {formatDate(c.startedAt)}.
      </p>
      {comparison?.canary ? <Comparison c={comparison} /> : <p className="meta">No figures yet.</p>}
      <div className="actions">
        <button type="button" onClick={() => void promote(tier.tier)}>
          Promote: use it for every run
        </button>
        <button type="button" className="secondary" onClick={() => void rollback(tier.tier)}>
          Roll back
        </button>
        <button type="button" className="secondary" onClick={() => void compare(tier.tier)}>
          Refresh figures
        </button>
      </div>
    </div>
  );
}
