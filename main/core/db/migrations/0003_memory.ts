/**
 * Memory (DESIGN.md §4): documents with their versions and chunks, the BM25 postings kept
 * beside each chunk's tsvector, long-term memories with their history, entities and links,
 * the curation review queue, watched folders and uploads in progress.
 *
 * Chunks and memories share one unit number (memory_unit_seq): the keyword index scores units
 * without caring which kind they are. Embedding columns start untyped; the embedder gives
 * them the model's dimension and an HNSW index once it knows the model (see embeddings.ts).
 */
export default /* sql */ `
CREATE SEQUENCE memory_unit_seq;

CREATE TABLE memory_folders (
  id         text PRIMARY KEY,
  path       text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL
);

CREATE TABLE memory_documents (
  id              text PRIMARY KEY,
  source          text NOT NULL,
  name            text NOT NULL,
  folder_id       text REFERENCES memory_folders(id) ON DELETE SET NULL,
  type            text,
  title           text,
  status          text NOT NULL,
  error           jsonb,
  current_version integer,
  sha256          text,
  size            bigint,
  mtime_ms        double precision,
  chunk_count     integer NOT NULL DEFAULT 0,
  run_id          text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX memory_documents_source ON memory_documents (source);
CREATE INDEX memory_documents_sha ON memory_documents (sha256);
CREATE INDEX memory_documents_updated ON memory_documents (updated_at DESC, id DESC);

CREATE TABLE memory_document_versions (
  document_id text NOT NULL REFERENCES memory_documents(id) ON DELETE CASCADE,
  version     integer NOT NULL,
  sha256      text NOT NULL,
  size        bigint NOT NULL,
  type        text NOT NULL,
  title       text,
  status      text NOT NULL,
  chunk_count integer NOT NULL,
  pages       integer,
  meta        jsonb NOT NULL DEFAULT '{}',
  warnings    jsonb NOT NULL DEFAULT '[]',
  text        text NOT NULL,
  run_id      text UNIQUE,
  created_at  timestamptz NOT NULL,
  replaced_at timestamptz,
  PRIMARY KEY (document_id, version)
);

CREATE TABLE memory_chunks (
  id              text PRIMARY KEY,
  unit_no         bigint NOT NULL UNIQUE DEFAULT nextval('memory_unit_seq'),
  document_id     text NOT NULL REFERENCES memory_documents(id) ON DELETE CASCADE,
  version         integer NOT NULL,
  ordinal         integer NOT NULL,
  text            text NOT NULL,
  heading_path    text[] NOT NULL DEFAULT '{}',
  page            integer,
  page_end        integer,
  start_offset    integer NOT NULL,
  end_offset      integer NOT NULL,
  tokens          integer NOT NULL,
  tsv             tsvector NOT NULL,
  embedding       vector,
  embedding_model text,
  created_at      timestamptz NOT NULL
);
CREATE INDEX memory_chunks_document ON memory_chunks (document_id, version, ordinal);
CREATE INDEX memory_chunks_unembedded ON memory_chunks (unit_no) WHERE embedding IS NULL;

CREATE TABLE memory_entities (
  id         text PRIMARY KEY,
  type       text NOT NULL,
  name       text NOT NULL,
  aliases    text[] NOT NULL DEFAULT '{}',
  attributes jsonb NOT NULL DEFAULT '{}',
  version    integer NOT NULL DEFAULT 1,
  archived   boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX memory_entities_name ON memory_entities (type, lower(name));

CREATE TABLE memory_entity_versions (
  entity_id text NOT NULL REFERENCES memory_entities(id) ON DELETE CASCADE,
  version   integer NOT NULL,
  action    text NOT NULL,
  snapshot  jsonb NOT NULL,
  actor     text NOT NULL,
  at        timestamptz NOT NULL,
  PRIMARY KEY (entity_id, version)
);

CREATE TABLE memory_links (
  id         text PRIMARY KEY,
  from_kind  text NOT NULL,
  from_id    text NOT NULL,
  to_kind    text NOT NULL,
  to_id      text NOT NULL,
  type       text NOT NULL,
  attributes jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  UNIQUE (from_kind, from_id, to_kind, to_id, type)
);
CREATE INDEX memory_links_to ON memory_links (to_kind, to_id);

CREATE TABLE memory_items (
  id                text PRIMARY KEY,
  unit_no           bigint NOT NULL UNIQUE DEFAULT nextval('memory_unit_seq'),
  kind              text NOT NULL,
  text              text NOT NULL,
  norm_hash         text NOT NULL,
  entity_id         text REFERENCES memory_entities(id) ON DELETE SET NULL,
  attribute         text,
  value             text,
  provenance        jsonb NOT NULL DEFAULT '{}',
  confidence        real NOT NULL DEFAULT 1,
  status            text NOT NULL,
  pinned            boolean NOT NULL DEFAULT false,
  superseded_by     text,
  tsv               tsvector NOT NULL,
  embedding         vector,
  embedding_model   text,
  version           integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  last_confirmed_at timestamptz NOT NULL,
  valid_from        timestamptz NOT NULL,
  valid_to          timestamptz
);
CREATE INDEX memory_items_status ON memory_items (status, kind, updated_at DESC);
CREATE INDEX memory_items_entity ON memory_items (entity_id, attribute);
CREATE INDEX memory_items_norm ON memory_items (norm_hash);
CREATE INDEX memory_items_unembedded ON memory_items (unit_no) WHERE embedding IS NULL;

-- One row per memory touched by a change; a change (a merge) can touch several. "before" and
-- "after" are whole rows, so any change can be shown and undone.
CREATE TABLE memory_item_history (
  seq       bigserial PRIMARY KEY,
  change_id text NOT NULL,
  memory_id text NOT NULL,
  action    text NOT NULL,
  before    jsonb,
  after     jsonb,
  actor     text NOT NULL,
  at        timestamptz NOT NULL,
  undone_by text
);
CREATE INDEX memory_item_history_memory ON memory_item_history (memory_id, seq);
CREATE INDEX memory_item_history_change ON memory_item_history (change_id);

CREATE TABLE memory_reviews (
  id          text PRIMARY KEY,
  kind        text NOT NULL,
  key         text NOT NULL,
  memory_ids  text[] NOT NULL,
  details     jsonb NOT NULL DEFAULT '{}',
  status      text NOT NULL,
  resolution  jsonb,
  created_at  timestamptz NOT NULL,
  resolved_at timestamptz
);
CREATE UNIQUE INDEX memory_reviews_open ON memory_reviews (key) WHERE status = 'open';
CREATE INDEX memory_reviews_key ON memory_reviews (key, status);

-- Working memory: the bounded context of one run or thread, dropped when it ends.
CREATE TABLE memory_working (
  scope      text NOT NULL,
  seq        integer NOT NULL,
  kind       text NOT NULL,
  content    jsonb NOT NULL,
  tokens     integer NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (scope, seq)
);

-- BM25 (Okapi, k1 1.2, b 0.75): postings per term in segments, each a packed blob of
-- (unit u32[], tf u16[], length u16[]); a write adds a segment, compaction merges them and
-- drops postings of deleted units. Collection statistics are kept in one row.
CREATE TABLE memory_postings (
  term     text NOT NULL,
  seg      bigint NOT NULL,
  n        integer NOT NULL,
  postings bytea NOT NULL,
  PRIMARY KEY (term, seg)
);
CREATE TABLE memory_bm25_stats (
  id        integer PRIMARY KEY CHECK (id = 1),
  units     bigint NOT NULL,
  total_len bigint NOT NULL
);
INSERT INTO memory_bm25_stats VALUES (1, 0, 0);
-- Units removed from the index whose postings still sit in segments, with their terms so
-- compaction knows which segments to rewrite.
CREATE TABLE memory_tombstones (
  unit_no bigint PRIMARY KEY,
  terms   text[] NOT NULL
);

CREATE TABLE memory_settings (
  key   text PRIMARY KEY,
  value jsonb NOT NULL
);

CREATE TABLE memory_uploads (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  size       bigint NOT NULL,
  received   bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL
);
`;
