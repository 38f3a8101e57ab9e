import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import type { AppManifest, AppStep, AppWorkflow } from '../../../shared/domain/apps';
import { KernelError, permanent } from '../kernel/errors';
import type { Kernel } from '../kernel/kernel';
import { enabledAgent } from '../agents/enabled';
import { fence, runTask, type ModelTask } from '../agents/model-call';
import type { AgentRegistry } from '../agents/registry';
import type { ModelService } from '../models/model-service';
import { defineWorkflow, type AnyWorkflow, type WorkflowContext } from '../kernel/workflow';
import type { AppRecords } from './records';
import { resolve, TemplateError, type Scope } from './templates';

export interface InterpreterDeps {
  kernel: Kernel;
  models: ModelService;
  agents: AgentRegistry;
  records: AppRecords;
  settings: (appId: string) => Promise<Record<string, unknown>>;
  /** The installed version's manifest and kernel version (records are written in its shape). */
  installed: (appId: string) => { manifest: AppManifest; version: number };
  /** A document's current text once ingested (transient while it is still being ingested). */
  document: (id: string) => Promise<{ id: string; name: string; title: string | null; type: string | null; text: string }>;
}

/** How much of a document a readDocument step returns unless it says. */
const READ_DOCUMENT_CHARS = 20_000;

/** Names an app's parts get in the shared registries: its agents and workflows carry the app's id. */
export const appAgentName = (appId: string, agent: string) => `${appId}-${agent}`;
export const appWorkflowName = (appId: string, workflow: string) => `app.${appId}.${workflow}`;

const askTaskName = (app: AppManifest, step: string) => `app.${app.id}.${step}`;

/** The kernel's workflow for one of an app's declared workflows, at one installed version. */
export function appWorkflow(app: AppManifest, wf: AppWorkflow, version: number, deps: InterpreterDeps): AnyWorkflow {
  // Without a language model, Keel's builtin provider answers an ask with the manifest's fallback (in the task's input).
  for (const step of wf.steps) if ('ask' in step) deps.models.builtin.register(askTaskName(app, step.id), (input) => (input as { fallback: unknown }).fallback);
  const agent = app.agents.find((a) => a.name === wf.agent)!;
  return defineWorkflow({
    name: appWorkflowName(app.id, wf.name),
    version,
    agent: appAgentName(app.id, wf.agent),
    app: app.id,
    permissions: [...agent.permissions],
    input: z.record(z.string(), z.unknown()).default({}),
    async run(ctx, input) {
      const settings = await ctx.step('settings', () => deps.settings(app.id));
      const scope: Scope & { steps: Record<string, unknown> } = {
        input,
        trigger: ctx.trigger,
        settings,
        app: { id: app.id, version: app.version },
        now: new Date(await ctx.now()).toISOString(),
        steps: {},
      };
      for (const step of wf.steps) {
        scope.steps[step.id] = (step.when && !passes(step, scope)) ? null : await runStep(ctx, app, wf, step, scope, deps);
      }
      return wf.output === undefined ? scope.steps : at(wf.name, 'output', () => resolve(wf.output, scope));
    },
  });
}

/** A template error is the manifest's fault: permanent, naming the step. */
function at<T>(workflow: string, stepId: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TemplateError) throw permanent(`${workflow}, step ${stepId}: ${err.message}`);
    throw err;
  }
}

function passes(step: AppStep, scope: Scope): boolean {
  return (Array.isArray(step.when) ? step.when : [step.when!]).every((w) => test(step, w, scope));
}

function test(step: AppStep, w: Exclude<NonNullable<AppStep['when']>, unknown[]>, scope: Scope): boolean {
  const value = at('when', step.id, () => resolve(w.value, scope));
  if (w.present !== undefined && (value !== undefined && value !== null && value !== '') !== w.present) return false;
  if (w.equals !== undefined && JSON.stringify(value) !== JSON.stringify(w.equals)) return false;
  if (w.in !== undefined && !w.in.some((v) => JSON.stringify(v) === JSON.stringify(value))) return false;
  if (w.matches !== undefined && !new RegExp(w.matches, 'i').test(String(value ?? ''))) return false;
  return true;
}

async function runStep(ctx: WorkflowContext, app: AppManifest, wf: AppWorkflow, step: AppStep, scope: Scope, deps: InterpreterDeps): Promise<unknown> {
  const r = (v: unknown) => at(app.id, step.id, () => resolve(v, scope));
  if ('call' in step) {
    const name = step.call.startsWith('app:') ? appWorkflowName(app.id, step.call.slice(4)) : step.call;
    return ctx.child(name, r(step.input ?? {}));
  }
  if ('effect' in step) {
    const [adapter, action] = step.effect.split('.') as [string, string];
    const undo = step.compensate;
    return ctx.effect(adapter, action, r(step.args), undo ? { compensate: (result) => ({ action: undo.action, args: at(app.id, step.id, () => resolve(undo.args, { ...scope, result })) }) } : {});
  }
  if ('remember' in step) {
    const entityId = step.remember.entityId === undefined ? null : (r(step.remember.entityId) as string | null) || null;
    return ctx.remember({ kind: step.remember.kind, text: String(r(step.remember.text)), entityId });
  }
  if ('recall' in step) {
    return ctx.recall(String(r(step.recall.query)), { filters: { types: ['memory'], kinds: step.recall.kinds }, limit: step.recall.limit ?? 8 });
  }
  if ('record' in step) {
    const { entity } = step.record;
    const id = String(r(step.record.id) ?? '');
    const data = r(step.record.data);
    return ctx.step(`record:${entity}`, () => deps.records.put(app, deps.installed(app.id), entity, id, data));
  }
  if ('records' in step) {
    const where = r(step.records.where ?? {}) as Record<string, unknown>;
    return ctx.step(`records:${step.records.entity}`, async () => (await deps.records.list(app.id, step.records.entity, where)).map((x) => ({ id: x.id, ...(x.data as object) })));
  }
  if ('readRun' in step) {
    const id = String(r(step.readRun) ?? '');
    return ctx.step('read-run', () => readRun(deps.kernel, id));
  }
  if ('readDocument' in step) {
    const id = String(r(step.readDocument.document) ?? '');
    const chars = step.readDocument.chars ?? READ_DOCUMENT_CHARS;
    return ctx.step('read-document', async () => {
      const d = await deps.document(id);
      return { id: d.id, name: d.name, title: d.title, type: d.type, text: d.text.slice(0, chars), truncated: d.text.length > chars };
    });
  }
  if ('value' in step) return r(step.value);
  if ('ask' in step) return ask(ctx, app, wf, step.id, step.ask, r, deps);
  const message = String(r(step.escalate));
  // Escalated once: the operator resolves it (handled: the run goes on) or cancels the run.
  return ctx.step(`escalate:${step.id}`, () => {
    throw new KernelError('permanent', message, { app: app.id, step: step.id });
  }, { retry: { maxAttempts: 1 }, onExhausted: 'escalate' });
}

const ajv = new Ajv2020({ allErrors: true, strict: false });

/**
 * An `ask` step: a model task as Keel's agents run theirs (runTask: a recorded step with the
 * model, tokens and cost, budgets first, one repair, escalation to the strong tier), the
 * answer checked against the step's JSON Schema. A disabled agent answers nothing (null).
 */
async function ask(ctx: WorkflowContext, app: AppManifest, wf: AppWorkflow, id: string, spec: Extract<AppStep, { ask: unknown }>['ask'], r: (v: unknown) => unknown, deps: InterpreterDeps): Promise<unknown> {
  const agent = await enabledAgent(ctx, { registry: deps.agents }, appAgentName(app.id, wf.agent));
  if (!agent) return null;
  const validate = ajv.compile(spec.output);
  // The model is shown the schema (zod's reading of it); Ajv, which knows all of JSON Schema, decides.
  let shape: z.ZodType = z.unknown();
  try {
    shape = z.fromJSONSchema(spec.output as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    // A keyword zod cannot read: the model gets no schema, the answer is still checked.
  }
  const output = shape.superRefine((v, c) => {
    if (!validate(v)) c.addIssue({ code: 'custom', message: (validate.errors ?? []).map((e) => `${e.instancePath || '(answer)'} ${e.message}`).join('; ') });
  });
  const prompt = String(r(spec.prompt));
  const content = spec.content === undefined ? null : r(spec.content);
  const fallback = r(spec.fallback);
  const task: ModelTask<{ fallback: unknown }, unknown> = {
    name: askTaskName(app, id),
    output,
    prompt: () => (content === null ? prompt : `${prompt}\n\n${fence(id, typeof content === 'string' ? content : JSON.stringify(content, null, 2))}`),
    builtin: (input) => input.fallback,
  };
  return runTask(ctx, { models: deps.models }, agent, task, { fallback });
}

async function readRun(k: Kernel, id: string): Promise<{ id: string; workflow: string; status: string; input: unknown; output: unknown }> {
  const { rows } = await k.db.query<{ id: string; workflow: string; status: string; input: unknown; output: unknown }>('SELECT id, workflow, status, input, output FROM kernel_runs WHERE id = $1', [id]);
  if (!rows[0]) throw permanent(`There is no run ${id} to read.`);
  return rows[0];
}
