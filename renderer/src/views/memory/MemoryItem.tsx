import type { Memory } from '../../../../shared/domain/memory';
import { memoryHref } from '../../routes';
import { formatDay } from '../../util/format';
import { KIND_LABEL, STATUS_LABEL } from './labels';

/** A memory in a list: its kind, words, state and age, linking to its page. */
export function MemoryItem({ memory }: { memory: Memory }) {
  return (
    <li className="memory-item" data-testid="memory-item">
      <span className={`kind kind-${memory.kind}`}>{KIND_LABEL[memory.kind]}</span>
      <a href={memoryHref(memory.id)} className="memory-text">
        {memory.text}
      </a>
      <span className="meta">
        {memory.pinned && 'Pinned · '}
        {memory.status !== 'active' && `${STATUS_LABEL[memory.status]} · `}
        {formatDay(memory.validFrom)}
      </span>
    </li>
  );
}
