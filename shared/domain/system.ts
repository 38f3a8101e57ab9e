import { z } from 'zod';

/** Where the database is in its life: opening (initdb + migrations), ready, or failed with a reason. */
export const DatabaseState = z.enum(['opening', 'ready', 'failed']);
export type DatabaseState = z.infer<typeof DatabaseState>;

/** The embedding model's state; `not_configured` until a model folder is set up. */
export const EmbeddingModelState = z.enum(['not_configured', 'loading', 'ready', 'failed']);
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
  }),
  agentsPaused: z.boolean(),
  startedAt: z.string(),
});
export type SystemStatus = z.infer<typeof SystemStatus>;
