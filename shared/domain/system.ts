import { z } from 'zod';

/** Where the database is in its life: opening (initdb + migrations), ready, or failed with a reason. */
export const DatabaseState = z.enum(['opening', 'ready', 'failed']);
export type DatabaseState = z.infer<typeof DatabaseState>;

/** The embedding model's state (see EmbeddingState in memory.ts for the details). */
export const EmbeddingModelState = z.enum(['absent', 'downloading', 'loading', 'ready', 'failed']);
export type EmbeddingModelState = z.infer<typeof EmbeddingModelState>;

export const SystemStatus = z.object({
  appVersion: z.string(),
  /** Highest migration this build knows. */
  schemaVersion: z.number().int().nonnegative(),
  /** Highest migration applied to the open data folder (null until the database is open). */
  databaseSchemaVersion: z.number().int().nonnegative().nullable(),
  dataDir: z.string(),
  mode: z.enum(['desktop', 'headless']),
  database: z.object({
    state: DatabaseState,
    /** A sentence a person can act on when the state is `failed`. */
    error: z.string().optional(),
  }),
  embeddingModel: z.object({
    state: EmbeddingModelState,
    model: z.string().optional(),
    /** Why semantic search is off, when it is ("semantic search off: model not installed"). */
    message: z.string().nullable(),
    /** 0..1 while downloading. */
    progress: z.number().nullable(),
    /** Chunks and memories still waiting for their embedding. */
    pending: z.number().int(),
  }),
  agentsPaused: z.boolean(),
  startedAt: z.string(),
});
export type SystemStatus = z.infer<typeof SystemStatus>;
