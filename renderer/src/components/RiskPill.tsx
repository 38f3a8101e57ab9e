import type { Risk } from '../../../shared/domain/kernel';

/** An action's risk, coloured like the inbox's (high and critical in red): null when the action is not known here. */
export function RiskPill({ risk, suffix = '' }: { risk: Risk | null; suffix?: string }) {
  if (risk === null) return <span className="risk">unknown risk</span>;
  return (
    <span className={`risk risk-${risk}`} data-risk={risk}>
      {risk}
      {suffix}
    </span>
  );
}
