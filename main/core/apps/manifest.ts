import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { z } from 'zod';
import { AppManifest, type AppStep } from '../../../shared/domain/apps';
import { ApiError } from '../../../shared/api/errors';
import { listPermits } from '../kernel/workflow';
import { PIPES, pipesIn } from './templates';
import { compareVersions } from './versions';

export const MANIFEST_FILE = 'keel-app.json';
const MAX_MANIFEST_BYTES = 1024 * 1024;

/** Where an issue is, as a reader of the JSON would write it: `agents[1].permissions[0]`. */
function where(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '') || '(the manifest)';
}

function invalid(problems: string[]): ApiError {
  const issues = problems.map((message) => ({ path: /^[\w.[\]]+/.exec(message)?.[0] ?? '', message }));
  return new ApiError({ code: 'invalid_input', message: `${MANIFEST_FILE} has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.join('; ')}`, issues });
}

/** Every schema problem of a parsed manifest, each with its place. */
export function parseManifest(json: unknown): AppManifest {
  const parsed = AppManifest.safeParse(json);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i: z.core.$ZodIssue) => `${where(i.path)}: ${i.message}`));
  return parsed.data;
}

/** Reads `keel-app.json` from an app folder: a clear error for a missing, huge, non-UTF-8 or malformed file. */
export function readManifest(folder: string): AppManifest {
  const file = join(folder, MANIFEST_FILE);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new ApiError({ code: 'not_found', message: `There is no ${MANIFEST_FILE} in ${folder}; an app is a folder holding one.` });
  }
  if (size > MAX_MANIFEST_BYTES) throw new ApiError({ code: 'invalid_input', message: `${file} is ${size} bytes; a manifest may be at most ${MAX_MANIFEST_BYTES}.` });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch {
    throw new ApiError({ code: 'invalid_input', message: `${file} is not UTF-8 text.` });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ApiError({ code: 'invalid_input', message: `${file} is not valid JSON: ${(err as Error).message}` });
  }
  return parseManifest(json);
}

/** What a manifest is checked against: the workflows and adapters this Keel has. */
export interface ManifestWorld {
  workflows: (name: string) => boolean;
  adapterVersion: (name: string) => string | null;
}

const unique = (names: string[], what: string): string[] =>
  names.filter((n, i) => names.indexOf(n) !== i).map((n) => `${what} "${n}" is declared twice`);

/**
 * What the schema cannot say: names that must refer to something declared, agents asking for
 * more than the app asks, entity schemas that do not compile, pipes that do not exist. Each
 * problem names where it is. Adapters missing from this Keel are listed too (install refuses).
 */
export function checkManifest(m: AppManifest, world: ManifestWorld): string[] {
  const problems = [
    ...unique(m.agents.map((a) => a.name), 'agent'),
    ...unique(m.workflows.map((w) => w.name), 'workflow'),
    ...unique(m.schedules.map((s) => s.name), 'schedule'),
    ...unique(m.entities.map((e) => e.name), 'entity'),
  ];
  const agents = new Map(m.agents.map((a) => [a.name, a]));
  const entities = new Set(m.entities.map((e) => e.name));
  const workflows = new Set(m.workflows.map((w) => w.name));
  m.agents.forEach((a, i) => {
    if (`${m.id}-${a.name}`.length > 40) problems.push(`agents[${i}] (${a.name}): "${m.id}-${a.name}" is longer than the 40 characters an agent's name may have; shorten the app's id or the agent's name`);
    for (const p of [...a.permissions, ...a.approvals]) {
      const [adapter, action] = p.split('.') as [string, string];
      if (!m.permissions.some((granted) => granted === p || listPermits([granted], adapter, action))) problems.push(`agents[${i}] (${a.name}) asks for ${p}, which the app's permissions do not list`);
    }
  });
  m.workflows.forEach((w, wi) => {
    const agent = agents.get(w.agent);
    if (!agent) problems.push(`workflows[${wi}] (${w.name}): there is no agent "${w.agent}" in this app`);
    problems.push(...unique(w.steps.map((s) => s.id), `workflows[${wi}] step`));
    w.steps.forEach((s, si) => problems.push(...checkStep(s, `workflows[${wi}].steps[${si}] (${s.id})`, { agent: agent?.permissions ?? [], entities, workflows, world })));
    for (const pipe of pipesIn([w.output, ...w.steps])) if (!(PIPES as readonly string[]).includes(pipe)) problems.push(`workflows[${wi}] (${w.name}): there is no pipe "${pipe}" (there are ${PIPES.join(', ')})`);
  });
  m.schedules.forEach((s, i) => {
    if (!workflows.has(s.workflow)) problems.push(`schedules[${i}] (${s.name}): there is no workflow "${s.workflow}" in this app`);
  });
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  m.entities.forEach((e, i) => {
    try {
      ajv.compile(e.schema);
    } catch (err) {
      problems.push(`entities[${i}] (${e.name}).schema is not a JSON Schema: ${(err as Error).message}`);
    }
  });
  m.migrations.forEach((mig, i) => {
    if (!entities.has(mig.entity)) problems.push(`migrations[${i}]: there is no entity "${mig.entity}" in this app`);
    if (compareVersions(mig.to, m.version) > 0) problems.push(`migrations[${i}] migrates to ${mig.to}, after this version (${m.version})`);
  });
  for (const a of m.adapters) {
    const have = world.adapterVersion(a.name);
    if (!have) problems.push(`adapter ${a.name} is needed${a.why ? ` (${a.why})` : ''} and this Keel has none`);
    else if (Number(have.split(/[.@]/).find((p) => /^\d+$/.test(p))) !== a.major) problems.push(`adapter ${a.name} ${have} is here; the app was written for version ${a.major}`);
  }
  return problems;
}

function checkStep(s: AppStep, at: string, ctx: { agent: string[]; entities: Set<string>; workflows: Set<string>; world: ManifestWorld }): string[] {
  const out: string[] = [];
  if ('effect' in s) {
    const [adapter, action] = s.effect.split('.') as [string, string];
    if (!listPermits(ctx.agent, adapter, action)) out.push(`${at} calls ${s.effect}, which its workflow's agent has no permission for`);
    if (s.compensate && !listPermits(ctx.agent, adapter, s.compensate.action)) out.push(`${at} compensates with ${adapter}.${s.compensate.action}, which its workflow's agent has no permission for`);
  }
  if ('call' in s) {
    const own = s.call.startsWith('app:') ? s.call.slice(4) : null;
    if (own !== null ? !ctx.workflows.has(own) : !ctx.world.workflows(s.call)) out.push(`${at} calls workflow ${s.call}, which does not exist${own !== null ? ' in this app' : ' in this Keel'}`);
  }
  if ('ask' in s) {
    try {
      new Ajv2020({ strict: false }).compile(s.ask.output);
    } catch (err) {
      out.push(`${at}: ask.output is not a JSON Schema: ${(err as Error).message}`);
    }
  }
  const entity = 'record' in s ? s.record.entity : 'records' in s ? s.records.entity : null;
  if (entity && !ctx.entities.has(entity)) out.push(`${at}: there is no entity "${entity}" in this app`);
  return out;
}

export function assertValid(m: AppManifest, world: ManifestWorld): void {
  const problems = checkManifest(m, world);
  if (problems.length) throw invalid(problems);
}
