import type { StateCreator } from 'zustand';
import type { CallOutput } from '../../../shared/api/contract';
import type { Memory, Review, ReviewAction } from '../../../shared/domain/memory';
import { keelClient } from '../api/client';
import { errorMessage } from '../util/timing';
import type { KeelStore } from './store';

export type CurationReport = CallOutput<'memory.curate'>;

/** A resolution that can still be undone with `u`. */
export interface Resolution {
  reviewId: string;
  action: ReviewAction;
  changeId: string;
}

export interface ReviewsSlice {
  reviews: Review[];
  reviewsOpen: number;
  reviewsLoaded: boolean;
  /** The selected review, and which of its memories the one-memory actions (m, c, s, p, e, f) act on. */
  reviewIndex: number;
  reviewFocus: number;
  reviewBusy: boolean;
  reviewsError: string | null;
  reviewNotice: string | null;
  resolutions: Resolution[];
  curation: CurationReport | null;
  curating: boolean;
  refreshReviews(): Promise<void>;
  setReviewsOpen(open: number): void;
  selectReview(index: number): void;
  moveReview(delta: number): void;
  moveReviewFocus(delta: number): void;
  chooseReviewMemory(reviewIndex: number, memoryIndex: number): void;
  resolveReview(action: ReviewAction, text?: string): Promise<void>;
  undoLastResolution(): Promise<void>;
  runCuration(): Promise<void>;
}

const DONE: Record<ReviewAction, string> = {
  merge: 'Merged',
  keep_newer: 'Kept the newer one',
  keep_both: 'Kept both',
  confirm: 'Confirmed as still true',
  mark_stale: 'Marked stale',
  pin: 'Pinned',
  edit: 'Edited',
  forget: 'Forgotten',
};

/** Oldest first, so "older" sits left of "newer" and the newest is the last. */
export function reviewMemories(review: Review): Memory[] {
  return [...review.memories].sort((a, b) => Date.parse(a.validFrom) - Date.parse(b.validFrom) || Date.parse(a.createdAt) - Date.parse(b.createdAt));
}

/** The curation review queue, resolved one item at a time from buttons or the keyboard. */
export const createReviewsSlice: StateCreator<KeelStore, [], [], ReviewsSlice> = (set, get) => {
  let gen = 0;

  /** After the list changed: the same review stays selected; if it left, the one now at its place. */
  const reselect = (reviews: Review[]) => {
    const { reviews: before, reviewIndex, reviewFocus } = get();
    const still = reviews.findIndex((r) => r.id === before[reviewIndex]?.id);
    if (still >= 0) return { reviewIndex: still, reviewFocus: Math.min(reviewFocus, reviews[still]!.memories.length - 1) };
    const index = Math.max(0, Math.min(reviewIndex, reviews.length - 1));
    return { reviewIndex: index, reviewFocus: Math.max(0, (reviews[index]?.memories.length ?? 1) - 1) };
  };

  return {
    reviews: [],
    reviewsOpen: 0,
    reviewsLoaded: false,
    reviewIndex: 0,
    reviewFocus: 0,
    reviewBusy: false,
    reviewsError: null,
    reviewNotice: null,
    resolutions: [],
    curation: null,
    curating: false,

    async refreshReviews() {
      const g = ++gen;
      try {
        const { reviews, open } = await keelClient().call('reviews.list', { status: 'open', limit: 200 });
        if (g !== gen) return;
        set({ ...reselect(reviews), reviews, reviewsOpen: open, reviewsLoaded: true, reviewsError: null });
      } catch (err) {
        if (g === gen) set({ reviewsError: errorMessage(err) });
      }
    },
    setReviewsOpen: (reviewsOpen) => set({ reviewsOpen }),

    selectReview(index) {
      const reviews = get().reviews;
      if (index < 0 || index >= reviews.length) return;
      set({ reviewIndex: index, reviewFocus: Math.max(0, reviews[index]!.memories.length - 1) });
    },
    moveReview: (delta) => get().selectReview(Math.max(0, Math.min(get().reviews.length - 1, get().reviewIndex + delta))),
    moveReviewFocus(delta) {
      const n = get().reviews[get().reviewIndex]?.memories.length ?? 0;
      if (n > 0) set({ reviewFocus: (get().reviewFocus + delta + n) % n });
    },

    chooseReviewMemory(reviewIndex, memoryIndex) {
      const n = get().reviews[reviewIndex]?.memories.length ?? 0;
      if (memoryIndex >= 0 && memoryIndex < n) set({ reviewIndex, reviewFocus: memoryIndex });
    },

    async resolveReview(action, text) {
      const { reviews, reviewIndex, reviewFocus, reviewBusy } = get();
      const review = reviews[reviewIndex];
      if (!review || reviewBusy) return;
      const focused = reviewMemories(review)[reviewFocus];
      // Actions about one memory name it; keep newer and keep both concern the pair.
      const memoryId = ['merge', 'edit', 'pin', 'confirm', 'mark_stale', 'forget'].includes(action) ? focused?.id : undefined;
      set({ reviewBusy: true, reviewsError: null });
      try {
        const { changeId } = await keelClient().call('reviews.resolve', { id: review.id, action, ...(memoryId ? { memoryId } : {}), ...(text ? { text } : {}) });
        set({
          resolutions: changeId ? [...get().resolutions, { reviewId: review.id, action, changeId }].slice(-50) : get().resolutions,
          reviewNotice: `${DONE[action]}.${changeId ? ' Press u to undo.' : ''}`,
        });
        // The resolved item leaves at once; the one now at its place is selected (the next).
        const rest = get().reviews.filter((r) => r.id !== review.id);
        set({ ...reselect(rest), reviews: rest, reviewsOpen: Math.max(0, get().reviewsOpen - 1) });
        await get().refreshReviews();
      } catch (err) {
        set({ reviewsError: errorMessage(err) });
      } finally {
        set({ reviewBusy: false });
      }
    },

    async undoLastResolution() {
      const last = get().resolutions.at(-1);
      if (!last || get().reviewBusy) return;
      set({ reviewBusy: true });
      try {
        await keelClient().call('memory.undo', { changeId: last.changeId });
        set({ resolutions: get().resolutions.slice(0, -1), reviewNotice: `Undid "${DONE[last.action].toLowerCase()}": the memories are as they were.`, reviewsError: null });
      } catch (err) {
        set({ reviewsError: errorMessage(err) });
      } finally {
        set({ reviewBusy: false });
      }
    },

    async runCuration() {
      set({ curating: true, reviewsError: null });
      try {
        set({ curation: await keelClient().call('memory.curate') });
        await get().refreshReviews();
      } catch (err) {
        set({ reviewsError: errorMessage(err) });
      } finally {
        set({ curating: false });
      }
    },
  };
};
