import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { ChunkView } from '../../../../shared/domain/documents';
import { Highlighted } from '../../components/Highlighted';
import { useKeel } from '../../store/store';
import { formatCount, headingTrail, pageLabel } from '../../util/format';

/**
 * Words of the text that start with one of the search's terms. The terms are the index's
 * stemmed lexemes ("ecstasi" for "Ecstasy"): a trailing "i" is dropped so the prefix matches
 * the word as written. An approximation; the search hit's own snippet is marked exactly.
 */
function termRanges(text: string, terms: string[]): [number, number][] {
  const prefixes = terms.map((t) => (t.length > 3 && t.endsWith('i') ? t.slice(0, -1) : t)).filter((t) => t.length > 1);
  if (prefixes.length === 0) return [];
  const escaped = prefixes.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})[\\p{L}\\p{N}]*`, 'giu');
  return [...text.matchAll(re)].map((m): [number, number] => [m.index, m.index + m[0].length]);
}

function Chunk({ chunk, targeted, terms }: { chunk: ChunkView; targeted: boolean; terms: string[] }) {
  const page = pageLabel(chunk.page, chunk.pageEnd);
  return (
    <article
      className={targeted ? 'chunk targeted' : 'chunk'}
      data-testid="chunk"
      data-chunk-id={chunk.id}
      aria-current={targeted ? 'location' : undefined}
      aria-label={`Chunk ${chunk.ordinal + 1}`}
      tabIndex={targeted ? -1 : undefined}
    >
      <header className="chunk-meta">
        <span>#{chunk.ordinal + 1}</span>
        {chunk.headingPath.length > 0 && <span className="trail">{headingTrail(chunk.headingPath)}</span>}
        {page && <span>{page}</span>}
        <span title="Character offsets in the extracted text">
          chars {formatCount(chunk.start)}–{formatCount(chunk.end)}
        </span>
        <span>{chunk.tokens} tokens</span>
        {!chunk.embedded && <span title="Found by words; by meaning once embedded">not embedded yet</span>}
      </header>
      <p className="chunk-text">{targeted ? <Highlighted text={chunk.text} ranges={termRanges(chunk.text, terms)} /> : chunk.text}</p>
    </article>
  );
}

/**
 * A document's text as chunks, virtualised (a book has thousands), measured as they render.
 * A targeted chunk (a search hit's source) is scrolled into view, highlighted and focused.
 */
export function ChunkList({ chunks, total, target, terms }: { chunks: ChunkView[]; total: number; target: string | null; terms: string[] }) {
  const loadMore = useKeel((s) => s.loadMoreChunks);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: chunks.length, getScrollElement: () => scroller.current, estimateSize: () => 160, overscan: 4 });
  const items = virtual.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? -1;
  const targetIndex = target ? chunks.findIndex((c) => c.id === target) : -1;

  useEffect(() => {
    if (chunks.length < total && lastShown >= chunks.length - 3) void loadMore();
  }, [chunks.length, total, lastShown, loadMore]);

  useEffect(() => {
    if (targetIndex < 0) return;
    virtual.scrollToIndex(targetIndex, { align: 'start' });
    // Focus for keyboard and screen-reader users, once the row exists; the scroll is already done.
    const frame = requestAnimationFrame(() => scroller.current?.querySelector<HTMLElement>('.chunk.targeted')?.focus({ preventScroll: true }));
    return () => cancelAnimationFrame(frame);
    // Only when the target or its position changes, not on every measurement.
  }, [targetIndex, target]);

  return (
    <div className="chunk-list" ref={scroller} role="region" aria-label="Text, as chunks" tabIndex={0}>
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {items.map((v) => (
          <div key={chunks[v.index]!.id} ref={virtual.measureElement} data-index={v.index} className="virtual-row" style={{ transform: `translateY(${v.start}px)` }}>
            <Chunk chunk={chunks[v.index]!} targeted={chunks[v.index]!.id === target} terms={terms} />
          </div>
        ))}
      </div>
    </div>
  );
}
