import type { Approval } from '../../../../shared/domain/kernel';
import { formatDate } from '../../util/format';

/** Title, risk and the agent's reason, the same on every kind of approval. */
export function ApprovalHeader({ approval }: { approval: Approval }) {
  return (
    <>
      <header>
        <h2>{approval.title}</h2>
        <span className={`risk risk-${approval.risk}`}>{approval.risk} risk</span>
      </header>
      <p className="meta small-text">
        Asked {formatDate(approval.createdAt)} · run {approval.runId.slice(0, 8)}
      </p>
      {approval.rationale && <p className="rationale">{approval.rationale}</p>}
    </>
  );
}
