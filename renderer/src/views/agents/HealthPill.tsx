import type { AdapterHealth } from '../../../../shared/domain/kernel';

export type HealthState = 'ok' | 'failing' | 'auth' | 'unused';

const LABEL: Record<HealthState, string> = { ok: 'OK', failing: 'Failing', auth: 'Login expired', unused: 'Never used' };

/** How an adapter is doing: its login refused, its last call failed, never called, or fine. */
export function healthState(h: AdapterHealth): HealthState {
  if (h.authExpired) return 'auth';
  if (!h.lastSuccessAt && !h.lastErrorAt) return 'unused';
  if (h.lastErrorAt && (!h.lastSuccessAt || h.lastErrorAt >= h.lastSuccessAt)) return 'failing';
  return 'ok';
}

export function HealthPill({ health }: { health: AdapterHealth }) {
  const state = healthState(health);
  return (
    <span className={`pill status health-${state}`} data-testid="adapter-health" data-state={state}>
      {LABEL[state]}
    </span>
  );
}
