import { useKeel } from '../../../store/store';
import { useWhenConnected } from '../../../app/useWhenConnected';
import { PricesSection } from './PricesSection';
import { ProvidersSection } from './ProvidersSection';
import { TiersSection } from './TiersSection';
import { UsageSection } from './UsageSection';

/** Settings → Models: providers, tiers and canaries, prices, and what was spent. */
export function ModelsSettings() {
  const refresh = useKeel((s) => s.refreshModels);
  const refreshUsage = useKeel((s) => s.refreshUsage);
  const loaded = useKeel((s) => s.modelsLoaded);
  const error = useKeel((s) => s.modelsError);
  const notice = useKeel((s) => s.modelsNotice);
  useWhenConnected(() => Promise.all([refresh(), refreshUsage()]), [refresh, refreshUsage]);
  return (
    <>
      <div className="notice-bar" role="status" data-testid="models-notice">
        {error ? <span className="error">{error}</span> : notice}
      </div>
      {loaded ? (
        <>
          <ProvidersSection />
          <TiersSection />
          <PricesSection />
          <UsageSection />
        </>
      ) : (
        <p className="meta">Loading…</p>
      )}
    </>
  );
}
