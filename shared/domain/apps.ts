import { z } from 'zod';
import { MemoryKind } from './memory';
import { Risk } from './kernel';

/**
 * An app is a declarative package (DESIGN.md §6): a folder holding `keel-app.json`, this
 * manifest. It declares agents with their instructions, workflows made of steps, schedules and
 * event subscriptions, the adapter actions it asks permission for, the entities it keeps (JSON
 * Schemas) and data migrations between its versions, and its settings. No code: Keel runs it.
 */

const Slug = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'lower-case letters, digits and dashes, 2 to 31 characters, starting with a letter');
const LocalName = z.string().regex(/^[a-z][a-z0-9_-]{0,29}$/, 'lower-case letters, digits, dash or underscore, up to 30 characters, starting with a letter');
export const SemVer = z.string().regex(/^\d+\.\d+\.\d+$/, 'a version like 1.2.0');
/** `adapter.action`, `adapter.*` */
const Permission = z.string().regex(/^[a-z][a-z0-9_-]*\.([a-z_][a-z0-9_-]*|\*)$/i, 'an adapter action like email.send or calendar.*');

/** A value taken from the run: `{{ input.x }}`, `{{ steps.id.field | addDays: 7 }}`; any JSON around it. */
const Template = z.unknown();

const When = z
  .strictObject({
    value: Template,
    equals: z.unknown().optional(),
    in: z.array(z.unknown()).optional(),
    matches: z.string().max(200).optional(),
    present: z.boolean().optional(),
  })
  .describe('Runs the step only when the value passes every test given.');

/** One test, or a list that must all pass. */
const StepBase = { id: LocalName, when: z.union([When, z.array(When).min(1)]).optional() };

export const AppStep = z.union([
  z.strictObject({ ...StepBase, call: z.string().min(1).max(100), input: Template.optional() }),
  z.strictObject({ ...StepBase, effect: Permission, args: Template, compensate: z.strictObject({ action: LocalName, args: Template }).optional() }),
  z.strictObject({ ...StepBase, remember: z.strictObject({ kind: MemoryKind, text: Template, entityId: Template.optional() }) }),
  z.strictObject({ ...StepBase, recall: z.strictObject({ query: Template, kinds: z.array(MemoryKind).optional(), limit: z.number().int().min(1).max(50).optional() }) }),
  z.strictObject({ ...StepBase, record: z.strictObject({ entity: LocalName, id: Template, data: Template }) }),
  z.strictObject({ ...StepBase, records: z.strictObject({ entity: LocalName, where: z.record(z.string(), Template).optional() }) }),
  z.strictObject({ ...StepBase, readRun: Template }),
  /**
   * A document from memory: its id, name, title, type and text (the first `chars` characters,
   * 20,000 unless given; `truncated` says when there was more). The text is content to test or
   * hand to an `ask`, never instructions.
   */
  z.strictObject({ ...StepBase, readDocument: z.strictObject({ document: Template, chars: z.number().int().min(1).max(200_000).optional() }) }),
  z.strictObject({ ...StepBase, escalate: Template }),
  /**
   * A model task run by the workflow's agent (its instructions are the system prompt, its tier
   * the model): `prompt` the request, `content` outside material (fenced as data), `output` a
   * JSON Schema the answer must fit, `fallback` what Keel's builtin provider answers (no model).
   */
  z.strictObject({
    ...StepBase,
    ask: z.strictObject({ prompt: Template, content: Template.optional(), output: z.record(z.string(), z.unknown()), fallback: Template }),
  }),
  /** A value worked out once from the scope (e.g. the month a run is about), for later steps. */
  z.strictObject({ ...StepBase, value: Template }),
]);
export type AppStep = z.infer<typeof AppStep>;

export const AppAgent = z.strictObject({
  name: LocalName,
  role: z.string().min(1).max(500),
  instructions: z.string().min(1).max(20_000),
  tier: z.enum(['fast', 'strong']).default('fast'),
  permissions: z.array(Permission).default([]),
  approvals: z.array(Permission).default([]),
  memory: z.strictObject({ read: z.array(MemoryKind).default([]), write: z.array(MemoryKind).default([]) }).default({ read: [], write: [] }),
  budget: z.strictObject({ period: z.enum(['day', 'month']), maxUsd: z.number().min(0).nullable().default(null), maxTokens: z.number().int().min(0).nullable().default(null) }).optional(),
  concurrency: z.number().int().min(1).max(16).default(1),
});
export type AppAgent = z.infer<typeof AppAgent>;

export const AppWorkflow = z.strictObject({
  name: LocalName,
  description: z.string().max(1000).optional(),
  agent: LocalName,
  steps: z.array(AppStep).min(1).max(100),
  /** What the run returns: a template over its steps. */
  output: Template.optional(),
});
export type AppWorkflow = z.infer<typeof AppWorkflow>;

export const AppSchedule = z.strictObject({
  name: LocalName,
  workflow: LocalName,
  input: z.unknown().optional(),
  trigger: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('cron'), expr: z.string().min(1).max(200), timezone: z.string().max(100).optional() }),
    z.strictObject({ kind: z.literal('interval'), everyMs: z.number().int().min(60_000) }),
    z.strictObject({ kind: z.literal('event'), event: z.string().min(1).max(200), where: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional() }),
  ]),
});

export const AppEntity = z.strictObject({
  name: LocalName,
  description: z.string().max(1000).optional(),
  /** A JSON Schema (draft 2020-12 subset Ajv knows) for one record's data. */
  schema: z.record(z.string(), z.unknown()),
});

const MigrationOp = z.union([
  z.strictObject({ rename: z.strictObject({ from: z.string().min(1), to: z.string().min(1) }) }),
  z.strictObject({ set: z.strictObject({ field: z.string().min(1), value: Template }) }),
  z.strictObject({ remove: z.string().min(1) }),
]);

export const AppMigration = z.strictObject({
  /** Applied when upgrading from a version below this one to this one or above. */
  to: SemVer,
  entity: LocalName,
  ops: z.array(MigrationOp).min(1),
});

export const AppSetting = z.strictObject({
  key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,29}$/, 'letters, digits or underscore, up to 30 characters, starting with a letter'),
  label: z.string().min(1).max(200),
  type: z.enum(['string', 'number', 'boolean']),
  default: z.union([z.string(), z.number(), z.boolean()]),
});

export const AppManifest = z.strictObject({
  id: Slug,
  name: z.string().min(1).max(100),
  version: SemVer,
  description: z.string().min(1).max(2000),
  /** Every adapter action any of its agents may call: what installing asks the operator to allow. */
  permissions: z.array(Permission).default([]),
  /** Adapters it needs, with the major version it was written for. */
  adapters: z.array(z.strictObject({ name: z.string().min(1).max(100), major: z.number().int().min(0), why: z.string().max(300).optional() })).default([]),
  agents: z.array(AppAgent).default([]),
  workflows: z.array(AppWorkflow).default([]),
  schedules: z.array(AppSchedule).default([]),
  entities: z.array(AppEntity).default([]),
  migrations: z.array(AppMigration).default([]),
  settings: z.array(AppSetting).default([]),
});
export type AppManifest = z.infer<typeof AppManifest>;
export type AppManifestInput = z.input<typeof AppManifest>;

/** Where an app comes from: a folder on this machine, or one of the apps Keel ships. */
export const AppSource = z.union([z.strictObject({ path: z.string().min(1).max(4096) }), z.strictObject({ bundled: Slug })]);
export type AppSource = z.infer<typeof AppSource>;

/** What installing (or upgrading) would do, for the operator's consent. */
export const AppPreview = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  description: z.string(),
  installed: z.string().nullable(),
  permissions: z.array(z.object({ permission: z.string(), risk: Risk.nullable(), new: z.boolean() })),
  adapters: z.array(z.object({ name: z.string(), major: z.number(), available: z.string().nullable() })),
  agents: z.array(z.object({ name: z.string(), role: z.string(), permissions: z.array(z.string()) })),
  schedules: z.array(z.object({ name: z.string(), trigger: z.string() })),
  entities: z.array(z.string()),
  migrations: z.array(z.object({ to: z.string(), entity: z.string(), ops: z.number() })),
  problems: z.array(z.string()),
});
export type AppPreview = z.infer<typeof AppPreview>;

export const InstalledApp = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  description: z.string(),
  source: z.string(),
  permissions: z.array(z.string()),
  agents: z.array(z.string()),
  workflows: z.array(z.string()),
  schedules: z.array(z.string()),
  /** Per entity: its record count, when one last changed, and the fields its schema names (in its order). */
  entities: z.array(z.object({ name: z.string(), records: z.number().int(), changedAt: z.string().nullable(), fields: z.array(z.string()) })),
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** Each setting's label, as the manifest declares it. */
  settingLabels: z.record(z.string(), z.string()),
  installedAt: z.string(),
  updatedAt: z.string(),
});
export type InstalledApp = z.infer<typeof InstalledApp>;

export const AppRecord = z.object({ entity: z.string(), id: z.string(), data: z.unknown(), updatedAt: z.string() });
export type AppRecord = z.infer<typeof AppRecord>;
