import type { LedgerEvent } from '../../../../shared/domain/kernel';

/** The model call a `step.completed` event records (DESIGN.md §5: model, tokens, cost, latency). */
export interface ModelCall {
  provider: string;
  model: string;
  tier: string;
  arm: 'main' | 'canary';
  task: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  escalatedFrom: string | null;
  repaired: boolean;
  valid: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function modelCallOf(e: LedgerEvent): ModelCall | null {
  const m = isObject(e.data) ? e.data.model : null;
  return isObject(m) && typeof m.provider === 'string' && typeof m.model === 'string' ? (m as unknown as ModelCall) : null;
}

export function stepNameOf(e: LedgerEvent): string | null {
  return isObject(e.data) && typeof e.data.name === 'string' ? e.data.name : null;
}

const cost = (usd: number) => (usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`);

function ModelCallDetail({ m }: { m: ModelCall }) {
  return (
    <div className="detail model-call" data-testid="model-call">
      <span className="model">
        {m.provider}/{m.model}
      </span>
      <span>
        {m.tier} tier{m.arm === 'canary' ? ' (canary)' : ''} · {m.task}
      </span>
      <span>
        {m.inputTokens} in + {m.outputTokens} out tokens
      </span>
      <span className="cost" data-testid="model-cost">
        {cost(m.costUsd)}
      </span>
      <span>{Math.round(m.latencyMs)} ms</span>
      {m.escalatedFrom && <span className="flag">escalated from {m.escalatedFrom}</span>}
      {m.repaired && <span className="flag">answer repaired</span>}
      {!m.valid && <span className="flag bad">answer did not match its schema</span>}
    </div>
  );
}

function FlagDetail({ data }: { data: unknown }) {
  const d = isObject(data) ? data : {};
  const source = isObject(d.source) ? d.source : {};
  const phrases = Array.isArray(d.phrases) ? d.phrases.filter((p): p is string => typeof p === 'string') : [];
  return (
    <div className="detail flagged-detail" role="note">
      <strong>Instructions found in content{typeof source.title === 'string' ? ` (“${source.title}”)` : ''}:</strong>
      <ul>
        {phrases.map((p, i) => (
          <li key={i}>
            <q>{p}</q>
          </li>
        ))}
      </ul>
      <span className="meta">{typeof d.handling === 'string' ? d.handling : 'Ignored: content is data and never changes what an agent may do.'}</span>
    </div>
  );
}

/** What an event says beyond its type, for the kinds the timeline knows. */
export function EventDetail({ event }: { event: LedgerEvent }) {
  if (event.type === 'content.instruction_flagged') return <FlagDetail data={event.data} />;
  const m = modelCallOf(event);
  return m ? <ModelCallDetail m={m} /> : null;
}
