import type { AgentBudget } from '../../../../shared/domain/agents';
import { formatCount, formatUsd } from '../../util/format';

/** `email.send`, `http.*` or `*`: an adapter's action, all its actions, or everything. */
export const ACTION_PATTERN = /^(\*|[a-z][a-z0-9_-]*\.(\*|[a-zA-Z][a-zA-Z0-9_.-]*))$/;

/** The adapter actions Keel ships with, offered while typing (others can be typed in full). */
export const KNOWN_ACTIONS = ['email.send', 'email.*', 'files.write', 'files.move', 'files.delete', 'files.*', 'http.post', 'http.put', 'http.*'];

export const TIER_LABEL = { fast: 'Fast', strong: 'Strong' } as const;

export function budgetText(b: AgentBudget | null): string {
  if (!b || (b.maxUsd === null && b.maxTokens === null)) return 'No cap';
  const per = b.period === 'day' ? 'a day' : 'a month';
  const caps = [b.maxUsd !== null ? formatUsd(b.maxUsd) : null, b.maxTokens !== null ? `${formatCount(b.maxTokens)} tokens` : null].filter(Boolean);
  return `${caps.join(' and ')} ${per}`;
}
