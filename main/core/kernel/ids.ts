import { createHash, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

/** A stable UUID-shaped id derived from a name (a child run's id from its parent and step). */
export function derivedId(...parts: (string | number)[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The idempotency key an effect carries: the same on every replay of the same step. */
export const effectKey = (runId: string, stepNo: number): string => `${runId}:${stepNo}`;
