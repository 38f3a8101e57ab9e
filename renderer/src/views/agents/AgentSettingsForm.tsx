import { useEffect, useState, type FormEvent } from 'react';
import type { Agent, AgentBudget } from '../../../../shared/domain/agents';
import { EntityType, MemoryKind } from '../../../../shared/domain/memory';
import type { ModelTier } from '../../../../shared/domain/models';
import { useKeel } from '../../store/store';
import { ActionListEditor } from './ActionListEditor';
import { TIER_LABEL } from './labels';

interface Draft {
  enabled: boolean;
  tier: ModelTier;
  concurrency: string;
  permissions: string[];
  approvals: string[];
  read: MemoryKind[];
  write: MemoryKind[];
  entityTypes: string[];
  period: AgentBudget['period'] | 'none';
  maxUsd: string;
  maxTokens: string;
}

const toDraft = (a: Agent): Draft => ({
  enabled: a.enabled,
  tier: a.tier,
  concurrency: String(a.concurrency),
  permissions: a.permissions,
  approvals: a.approvals,
  read: a.memoryScope.read,
  write: a.memoryScope.write,
  entityTypes: a.memoryScope.entityTypes,
  period: a.budget ? a.budget.period : 'none',
  maxUsd: a.budget?.maxUsd?.toString() ?? '',
  maxTokens: a.budget?.maxTokens?.toString() ?? '',
});

/** Blank: no cap; otherwise a number (dollars may have cents, tokens are whole). */
const usd = (s: string): number | null | undefined => (s.trim() === '' ? null : /^\d+(\.\d{1,2})?$/.test(s.trim()) ? Number(s) : undefined);
const tokens = (s: string): number | null | undefined => (s.trim() === '' ? null : /^\d+$/.test(s.trim()) ? Number(s) : undefined);
const concurrency = (s: string): number | undefined => (/^\d+$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= 16 ? Number(s) : undefined);

function budgetOf(d: Draft): AgentBudget | null {
  const maxUsd = usd(d.maxUsd) ?? null;
  const maxTokens = tokens(d.maxTokens) ?? null;
  if (d.period === 'none' || (maxUsd === null && maxTokens === null)) return null;
  return { period: d.period, maxUsd, maxTokens };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What an agent may do and spend: tier, enabled, permissions, approvals, budget, concurrency. */
export function AgentSettingsForm({ agent }: { agent: Agent }) {
  const update = useKeel((s) => s.updateAgent);
  const [d, setD] = useState(() => toDraft(agent));
  // Reset only when the stored settings change (not on every reload of the agent, e.g. after its instructions were saved).
  const stored = JSON.stringify(toDraft(agent));
  useEffect(() => setD(toDraft(agent)), [stored]);
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });

  const valid = concurrency(d.concurrency) !== undefined && (d.period === 'none' || (usd(d.maxUsd) !== undefined && tokens(d.maxTokens) !== undefined));
  const change = {
    enabled: d.enabled,
    tier: d.tier,
    concurrency: concurrency(d.concurrency) ?? agent.concurrency,
    permissions: d.permissions,
    approvals: d.approvals,
    memoryScope: { read: d.read, write: d.write, entityTypes: d.entityTypes },
    budget: budgetOf(d),
  };
  const dirty = !same(change, { enabled: agent.enabled, tier: agent.tier, concurrency: agent.concurrency, permissions: agent.permissions, approvals: agent.approvals, memoryScope: agent.memoryScope, budget: agent.budget && (agent.budget.maxUsd !== null || agent.budget.maxTokens !== null) ? agent.budget : null });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (valid && dirty) void update(agent.name, change, `${agent.name}: settings saved.`);
  };
  return (
    <form className="settings-grid agent-settings" aria-label="Agent settings" onSubmit={submit}>
      <label htmlFor="agent-enabled">Enabled</label>
      <span>
        <input id="agent-enabled" type="checkbox" checked={d.enabled} onChange={(e) => set({ enabled: e.target.checked })} />{' '}
        <span className="meta">{d.enabled ? 'runs when its triggers fire' : 'starts no new runs'}</span>
      </span>

      <label htmlFor="agent-tier">Model tier</label>
      <select id="agent-tier" value={d.tier} onChange={(e) => set({ tier: e.target.value as ModelTier })}>
        {(['fast', 'strong'] as const).map((t) => (
          <option key={t} value={t}>
            {TIER_LABEL[t]}
          </option>
        ))}
      </select>

      <span>May call</span>
      <ActionListEditor label="Permissions" value={d.permissions} onChange={(permissions) => set({ permissions })} />

      <span>Always asks before</span>
      <ActionListEditor label="Approvals" value={d.approvals} onChange={(approvals) => set({ approvals })} />

      <span>Memory it may read</span>
      <KindChoice label="read" value={d.read} onChange={(read) => set({ read })} />

      <span>Memory it may write</span>
      <KindChoice label="write" value={d.write} onChange={(write) => set({ write })} />

      <span>About entities of type</span>
      <span className="inline-form tight" role="group" aria-label="Entity types it may read and write about">
        {EntityType.options.map((t) => (
          <label key={t}>
            <input type="checkbox" checked={d.entityTypes.includes(t)} onChange={(e) => set({ entityTypes: e.target.checked ? [...d.entityTypes, t] : d.entityTypes.filter((x) => x !== t) })} /> {t}
          </label>
        ))}
        <span className="meta">{d.entityTypes.length ? '' : 'none ticked: any'}</span>
      </span>

      <label htmlFor="agent-budget-period">Budget</label>
      <span className="inline-form tight">
        <select id="agent-budget-period" value={d.period} onChange={(e) => set({ period: e.target.value as Draft['period'] })}>
          <option value="none">No cap</option>
          <option value="day">Per day</option>
          <option value="month">Per month</option>
        </select>
        {d.period !== 'none' && (
          <>
            <label>
              $ <input inputMode="decimal" size={7} value={d.maxUsd} onChange={(e) => set({ maxUsd: e.target.value })} placeholder="any" aria-label="Most US dollars" aria-invalid={usd(d.maxUsd) === undefined} />
            </label>
            <label>
              <input inputMode="numeric" size={9} value={d.maxTokens} onChange={(e) => set({ maxTokens: e.target.value })} placeholder="any" aria-label="Most tokens" aria-invalid={tokens(d.maxTokens) === undefined} /> tokens
            </label>
          </>
        )}
      </span>

      <label htmlFor="agent-concurrency">Runs at once</label>
      <span>
        <input id="agent-concurrency" inputMode="numeric" size={3} value={d.concurrency} onChange={(e) => set({ concurrency: e.target.value })} aria-invalid={concurrency(d.concurrency) === undefined} />{' '}
        <span className="meta">1 to 16</span>
      </span>

      <span />
      <div className="actions">
        <button type="submit" disabled={!valid || !dirty}>
          Save settings
        </button>
        <button type="button" className="secondary" disabled={!dirty} onClick={() => setD(toDraft(agent))}>
          Discard changes
        </button>
      </div>
    </form>
  );
}

/** The memory kinds an agent's scope allows, one checkbox each (the kernel refuses the rest). */
function KindChoice({ label, value, onChange }: { label: string; value: MemoryKind[]; onChange: (kinds: MemoryKind[]) => void }) {
  return (
    <span className="inline-form tight" role="group" aria-label={`Memory kinds it may ${label}`}>
      {MemoryKind.options.map((k) => (
        <label key={k}>
          <input type="checkbox" checked={value.includes(k)} onChange={(e) => onChange(e.target.checked ? [...value, k] : value.filter((x) => x !== k))} /> {k.replace('_', ' ')}
        </label>
      ))}
    </span>
  );
}
