/**
 * The values an app's manifest takes from a run: `{{ path | pipe: arg }}` inside any JSON.
 * A string that is one whole `{{ … }}` becomes the value itself (an object, a number, a list);
 * `{{ … }}` inside longer text is written into it. Paths read the scope (input, trigger,
 * steps, settings, app, now, record); nothing else is reachable, and nothing is evaluated
 * as code, so a manifest cannot do more than its steps say.
 */

export type Scope = Record<string, unknown>;

const WHOLE = /^\{\{\s*([^{}]+?)\s*\}\}$/;
const INLINE = /\{\{\s*([^{}]+?)\s*\}\}/g;
const DAY = 86_400_000;

export class TemplateError extends Error {}

/** Resolves every template in a JSON value against the scope. */
export function resolve(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return resolveString(value, scope);
  if (Array.isArray(value)) return value.map((v) => resolve(v, scope));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, scope)]));
  return value;
}

function resolveString(text: string, scope: Scope): unknown {
  const whole = WHOLE.exec(text);
  if (whole) return evaluate(whole[1]!, scope);
  return text.replace(INLINE, (_, expr: string) => {
    const v = evaluate(expr, scope);
    return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

/** `path | pipe: arg | pipe` */
function evaluate(expr: string, scope: Scope): unknown {
  const [head, ...pipes] = expr.split('|').map((p) => p.trim());
  let value = read(head!, scope);
  for (const pipe of pipes) {
    const [name, rawArg] = splitOnce(pipe, ':');
    value = applyPipe(name!.trim(), value, rawArg === undefined ? undefined : argument(rawArg.trim(), scope), expr);
  }
  return value;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** A pipe's argument: a number, a quoted string, else a path in the scope, else the bare word. */
function argument(raw: string, scope: Scope): unknown {
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  const quoted = /^(['"])(.*)\1$/.exec(raw);
  if (quoted) return quoted[2];
  const v = read(raw, scope);
  return v === undefined ? raw : v;
}

/** `a.b.0.c`: own properties only (no prototype walking). */
export function read(path: string, scope: Scope): unknown {
  if (!/^[A-Za-z_][\w-]*(\.[\w-]+)*$/.test(path)) throw new TemplateError(`"${path}" is not a path (use names and numbers joined by dots, e.g. steps.triage.intent).`);
  let cur: unknown = scope;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function asTime(value: unknown, expr: string): number {
  const t = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(t)) throw new TemplateError(`{{ ${expr} }}: ${JSON.stringify(value)} is not a date.`);
  return t;
}

function asList(value: unknown, expr: string): unknown[] {
  if (!Array.isArray(value)) throw new TemplateError(`{{ ${expr} }}: expected a list, got ${JSON.stringify(value)?.slice(0, 80)}.`);
  return value;
}

export const PIPES = ['addDays', 'addHours', 'date', 'month', 'iso', 'pluck', 'objects', 'first', 'count', 'default', 'lower', 'upper'] as const;

function applyPipe(name: string, value: unknown, arg: unknown, expr: string): unknown {
  switch (name) {
    case 'addDays':
      return new Date(asTime(value, expr) + Number(arg) * DAY).toISOString();
    case 'addHours':
      return new Date(asTime(value, expr) + Number(arg) * 3_600_000).toISOString();
    case 'date':
      return new Date(asTime(value, expr)).toISOString().slice(0, 10);
    case 'month':
      return new Date(asTime(value, expr)).toISOString().slice(0, 7);
    case 'iso':
      return new Date(asTime(value, expr)).toISOString();
    case 'pluck':
      return asList(value, expr).map((v) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[String(arg)] : undefined));
    case 'objects':
      return asList(value, expr).map((v) => ({ [String(arg)]: v }));
    case 'first':
      return asList(value, expr)[0];
    case 'count':
      return Array.isArray(value) ? value.length : value === undefined || value === null ? 0 : 1;
    case 'default':
      return value === undefined || value === null || value === '' ? arg : value;
    case 'lower':
      return String(value ?? '').toLowerCase();
    case 'upper':
      return String(value ?? '').toUpperCase();
    default:
      throw new TemplateError(`{{ ${expr} }}: there is no pipe "${name}" (there are ${PIPES.join(', ')}).`);
  }
}

/** Pipes named in a template value, for checking a manifest before it runs. */
export function pipesIn(value: unknown): string[] {
  const found: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') for (const m of v.matchAll(INLINE)) for (const p of m[1]!.split('|').slice(1)) found.push(splitOnce(p.trim(), ':')[0]!.trim());
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(value);
  return found;
}
