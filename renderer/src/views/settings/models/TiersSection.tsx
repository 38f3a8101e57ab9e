import { useEffect, useState } from 'react';
import type { ModelRef, TierSetting } from '../../../../../shared/domain/models';
import { useKeel } from '../../../store/store';
import { CanaryPanel } from './CanaryPanel';
import { ModelPicker } from './ModelPicker';
import { refText } from './format';

const ABOUT = {
  fast: 'Cheap and quick: classifying, extracting, reading columns. An invalid or unsure answer is retried on the strong tier.',
  strong: 'Composition: drafts and revisions, and the fast tier’s second opinion.',
} as const;

function TierCard({ tier }: { tier: TierSetting }) {
  const providers = useKeel((s) => s.providers);
  const setTier = useKeel((s) => s.setTier);
  const [pick, setPick] = useState<ModelRef>(tier.model);
  useEffect(() => setPick(tier.model), [tier.model.provider, tier.model.model]);
  const changed = pick.provider !== tier.model.provider || pick.model.trim() !== tier.model.model;
  const name = tier.tier === 'fast' ? 'Fast' : 'Strong';
  return (
    <article className="card tier" aria-labelledby={`tier-${tier.tier}`} data-testid={`tier-${tier.tier}`}>
      <h3 id={`tier-${tier.tier}`}>{name} tier</h3>
      <p className="meta">{ABOUT[tier.tier]}</p>
      <p>
        Uses <strong data-testid="tier-model">{refText(tier.model, providers)}</strong>
      </p>
      <div className="inline-form">
        <ModelPicker idPrefix={`tier-${tier.tier}`} providers={providers} value={pick} onChange={setPick} />
        <button type="button" disabled={!changed || !pick.model.trim()} onClick={() => void setTier(tier.tier, { provider: pick.provider, model: pick.model.trim() })}>
          Use for the {tier.tier} tier
        </button>
      </div>
      <CanaryPanel tier={tier} />
    </article>
  );
}

/** Which model each tier uses, and its canary. */
export function TiersSection() {
  const tiers = useKeel((s) => s.tiers);
  return (
    <section aria-labelledby="tiers-title">
      <h2 id="tiers-title">Tiers</h2>
      {tiers.map((t) => (
        <TierCard key={t.tier} tier={t} />
      ))}
    </section>
  );
}
