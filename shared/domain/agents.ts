import { z } from 'zod';
import { MemoryKind } from './memory';
import { ModelTier } from './models';

/** Agents (DESIGN.md §1): small, with a role, a model tier, a memory scope and explicit permissions. */

export const AgentName = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, dash or underscore');

export const MemoryScope = z.object({
  /** Kinds it may read (recall) and write (remember). */
  read: z.array(MemoryKind),
  write: z.array(MemoryKind),
  /** Entity types it may read about; empty = any. */
  entityTypes: z.array(z.string()).default([]),
});
export type MemoryScope = z.infer<typeof MemoryScope>;

export const AgentBudget = z.object({
  period: z.enum(['day', 'month']),
  maxUsd: z.number().min(0).nullable(),
  maxTokens: z.number().int().min(0).nullable(),
});
export type AgentBudget = z.infer<typeof AgentBudget>;

export const Agent = z.object({
  name: AgentName,
  role: z.string().min(1).max(500),
  instructions: z.string().min(1).max(20_000),
  version: z.number().int(),
  tier: ModelTier,
  memoryScope: MemoryScope,
  /** Adapter actions it may call (`email.send`, `http.*`). */
  permissions: z.array(z.string().max(100)),
  /** Actions that always pass the approval inbox, whatever their risk. */
  approvals: z.array(z.string().max(100)),
  budget: AgentBudget.nullable(),
  concurrency: z.number().int().min(1).max(16),
  enabled: z.boolean(),
  builtin: z.boolean(),
  updatedAt: z.string(),
});
export type Agent = z.infer<typeof Agent>;

export const AgentVersion = z.object({ version: z.number().int(), instructions: z.string(), note: z.string().nullable(), createdBy: z.string(), createdAt: z.string() });
export type AgentVersion = z.infer<typeof AgentVersion>;

/** What the operator may change of an agent (its name and built-in status stay). */
export const AgentUpdate = z.object({
  name: AgentName,
  instructions: z.string().min(1).max(20_000).optional(),
  note: z.string().max(500).optional(),
  tier: ModelTier.optional(),
  memoryScope: MemoryScope.optional(),
  permissions: z.array(z.string().max(100)).max(100).optional(),
  approvals: z.array(z.string().max(100)).max(100).optional(),
  budget: AgentBudget.nullable().optional(),
  concurrency: z.number().int().min(1).max(16).optional(),
  enabled: z.boolean().optional(),
});
export type AgentUpdate = z.infer<typeof AgentUpdate>;
