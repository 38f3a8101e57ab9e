/** Foundation: pgvector, and a key/value table for facts about the data folder itself. */
export default /* sql */ `
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE keel_meta (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
