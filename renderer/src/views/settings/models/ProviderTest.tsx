import { useState } from 'react';
import type { ProviderConfig } from '../../../../../shared/domain/models';
import { useKeel } from '../../../store/store';
import { formatMs as ms } from '../../../util/format';

/** "Test": a one-line prompt to a model of the provider; the reply and latency, or the error. */
export function ProviderTest({ provider }: { provider: ProviderConfig }) {
  const test = useKeel((s) => s.testProvider);
  const last = useKeel((s) => s.providerTests[provider.id]);
  const tierModel = useKeel((s) => s.tiers.find((t) => t.model.provider === provider.id)?.model.model);
  const [model, setModel] = useState(provider.kind === 'builtin' ? 'builtin' : (tierModel ?? ''));
  const running = last?.state === 'running';
  const r = last?.state === 'done' ? last.result : null;
  return (
    <div className="provider-test">
      <span className="inline-form tight">
        {provider.kind !== 'builtin' && (
          <input value={model} onChange={(e) => setModel(e.target.value)} placeholder="model to try" aria-label={`Model to test on ${provider.label}`} spellCheck={false} size={18} />
        )}
        <button type="button" className="secondary small" disabled={!model.trim() || running} onClick={() => void test(provider.id, model.trim())} aria-label={`Test ${provider.label}`}>
          {running ? 'Testing…' : 'Test'}
        </button>
      </span>
      <div role="status" data-testid="provider-test">
        {r &&
          (r.ok ? (
            <span className="ok">
              Answered “{r.reply}” in {ms(r.latencyMs)} ({r.inputTokens} + {r.outputTokens} tokens)
            </span>
          ) : (
            <span className="error">
              {r.kind}: {r.message}
            </span>
          ))}
      </div>
    </div>
  );
}
