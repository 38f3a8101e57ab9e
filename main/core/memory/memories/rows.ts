import { createHash } from 'node:crypto';
import type { Memory, MemoryChange } from '../../../../shared/domain/memory';
import { iso } from '../../kernel/store';

/** memory_items rows and their API shape; history snapshots are API shapes, restored through `toColumns`. */

export interface MemoryRow {
  id: string;
  unit_no: string | number;
  kind: Memory['kind'];
  text: string;
  norm_hash: string;
  entity_id: string | null;
  attribute: string | null;
  value: string | null;
  provenance: Memory['provenance'];
  confidence: number;
  status: Memory['status'];
  pinned: boolean;
  superseded_by: string | null;
  version: number;
  embedded?: boolean;
  created_at: Date;
  updated_at: Date;
  last_confirmed_at: Date;
  valid_from: Date;
  valid_to: Date | null;
}

/** Every column but the vector, with `embedded` for the API. */
export const MEMORY_COLUMNS = `id, unit_no, kind, text, norm_hash, entity_id, attribute, value, provenance, confidence, status, pinned, superseded_by, version,
  embedding IS NOT NULL AS embedded, created_at, updated_at, last_confirmed_at, valid_from, valid_to`;


export function toMemory(r: MemoryRow): Memory {
  return {
    id: r.id,
    kind: r.kind,
    text: r.text,
    entityId: r.entity_id,
    attribute: r.attribute,
    value: r.value,
    provenance: r.provenance ?? {},
    confidence: Number(r.confidence),
    status: r.status,
    pinned: r.pinned,
    supersededBy: r.superseded_by,
    version: r.version,
    embedded: Boolean(r.embedded),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    lastConfirmedAt: iso(r.last_confirmed_at)!,
    validFrom: iso(r.valid_from)!,
    validTo: iso(r.valid_to),
  };
}

/** Lower case, accents kept, punctuation and runs of spaces folded: "Pays in 30 days." = "pays in 30 days". */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export const normHash = (text: string): string => createHash('sha256').update(normalise(text)).digest('hex');

export interface HistoryRow {
  seq: string | number;
  change_id: string;
  memory_id: string;
  action: MemoryChange['action'];
  before: Memory | null;
  after: Memory | null;
  actor: string;
  at: Date;
  undone_by: string | null;
}

export function toChange(r: HistoryRow): MemoryChange {
  return { seq: Number(r.seq), changeId: r.change_id, memoryId: r.memory_id, action: r.action, before: r.before, after: r.after, actor: r.actor, at: iso(r.at)!, undoneBy: r.undone_by };
}
