import type { LedgerEvent } from '../../../../shared/domain/kernel';
import { ModelCallRecord } from '../../../../shared/domain/models';
import { formatCount, formatMs, formatUsd } from '../../util/format';
import { isObject } from '../../util/guards';


/** The model call a `step.completed` event records (DESIGN.md §5: model, tokens, cost, latency). */
export function modelCallOf(e: LedgerEvent): ModelCallRecord | null {
  const parsed = ModelCallRecord.safeParse(isObject(e.data) ? e.data.model : null);
  return parsed.success ? parsed.data : null;
}

export function stepNameOf(e: LedgerEvent): string | null {
  return isObject(e.data) && typeof e.data.name === 'string' ? e.data.name : null;
}

export function ModelCallDetail({ m }: { m: ModelCallRecord }) {
  return (
    <div className="detail model-call" data-testid="model-call">
      <span className="model">
        {m.provider}/{m.model}
      </span>
      <span>
        {m.tier} tier{m.arm === 'canary' ? ' (canary)' : ''} · {m.task}
      </span>
      <span>
        {formatCount(m.inputTokens)} in + {formatCount(m.outputTokens)} out tokens
      </span>
      <span className="cost" data-testid="model-cost">
        {formatUsd(m.costUsd)}
      </span>
      <span>{formatMs(m.latencyMs)}</span>
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
