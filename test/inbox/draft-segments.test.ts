import { describe, expect, test } from 'vitest';
import { paragraphChanges } from '../../main/core/agents/review';
import { acceptChanges, draftSegments } from '../../shared/domain/proposals';

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31);
}

function edit(before: string[], rand: () => number): string[] {
  const out: string[] = [];
  for (const p of before) {
    const r = rand();
    if (r < 0.15) continue; // removed
    if (r < 0.3) out.push(`${p} (revised)`);
    else out.push(p);
    if (rand() < 0.1) out.push(`new paragraph ${Math.floor(rand() * 1000)}`);
  }
  return out;
}

describe('accepting some paragraph changes', () => {
  test('all accepted gives the revision, none gives the original, for 500 random edits', () => {
    const rand = rng(7);
    for (let n = 0; n < 500; n++) {
      const before = Array.from({ length: 1 + Math.floor(rand() * 12) }, (_, i) => `Paragraph ${i} of text ${n}.`);
      const after = edit(before, rand);
      const changes = paragraphChanges(before, after, 'why');
      const all = new Set(changes.map((_, i) => i));
      expect(acceptChanges(after, changes, all)).toEqual(after);
      expect(acceptChanges(after, changes, new Set())).toEqual(before);
    }
  });

  test('a declined removal keeps its paragraph in place while an accepted change is taken', () => {
    const before = ['Dear Dana,', 'Thanks for the meeting.', 'The invoice is attached.', 'Kind regards'];
    const after = ['Dear Dana,', 'The invoice is attached.', 'Kind regards, Alex'];
    const changes = paragraphChanges(before, after, 'shorter');
    expect(changes.map((c) => c.kind)).toEqual(['removed', 'changed']);
    const changed = changes.findIndex((c) => c.kind === 'changed');
    expect(acceptChanges(after, changes, new Set([changed]))).toEqual(['Dear Dana,', 'Thanks for the meeting.', 'The invoice is attached.', 'Kind regards, Alex']);
  });

  test('a paragraph replaced by fewer ones: the extra removals stay in order when declined', () => {
    const before = ['a', 'b', 'c', 'd'];
    const after = ['a', 'X', 'd'];
    const changes = paragraphChanges(before, after, 'why');
    expect(changes.map((c) => c.kind)).toEqual(['changed', 'removed']);
    expect(acceptChanges(after, changes, new Set([0]))).toEqual(['a', 'X', 'c', 'd']);
    expect(acceptChanges(after, changes, new Set([1]))).toEqual(['a', 'b', 'd']);
  });

  test('segments fold unchanged runs between the changes', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f'];
    const after = ['a', 'b', 'C!', 'd', 'e', 'f', 'g'];
    const segments = draftSegments(after, paragraphChanges(before, after, 'why'));
    expect(segments.map((s) => (s.type === 'same' ? `same:${s.paragraphs.length}` : `${s.change.kind}`))).toEqual(['same:2', 'changed', 'same:3', 'added']);
  });
});
