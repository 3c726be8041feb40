import type { z } from 'zod';
import type { LayerError } from '../../nodes/lib/define';

/**
 * One voice for every param problem: the inspector, the layer box, the problems list, the CLI and Keras import all
 * word a refused value through {@link paramMessage}, so a user reads the same sentence wherever it shows, naming the
 * field in the inspector's words: `Filters must be a whole number ≥ 1; "abc" is not a number`.
 * zod's own wording ("Invalid input: expected number, received string") never reaches a user.
 */

type Issue = z.core.$ZodIssue;

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  items?: z.ZodType[];
  element?: z.ZodType;
  entries?: Record<string, string | number>;
  values?: unknown[];
  checks?: Array<{ _zod: { def: CheckDef } }>;
}

interface CheckDef {
  check: string;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  length?: number;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema under defaults, optionals, nullables and transforms: the part that judges a value. */
function core(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let i = 0; i < 20; i++) {
    const d = defOf(cur);
    if (['default', 'prefault', 'readonly', 'catch', 'nonoptional', 'optional', 'nullable'].includes(d.type) && d.innerType) cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else break;
  }
  return cur;
}

const checksOf = (s: z.ZodType): CheckDef[] => (defOf(s).checks ?? []).map((c) => c._zod.def);

/** `kernelSize` → `Kernel size`: a params key in the inspector's words. */
export function fieldLabel(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Bounds beyond this are zod's safe-integer guard, not a rule a user would want to read. */
const BIG = 1e15;

/** `a whole number ≥ 1`, `a number ≥ 0 and < 1`, `a number > 0`. */
function numberRule(s: z.ZodType): string {
  const checks = checksOf(s);
  const int = checks.some((c) => c.check === 'number_format');
  const bounds: string[] = [];
  for (const c of checks) {
    if (c.value === undefined || Math.abs(c.value) > BIG) continue;
    if (c.check === 'greater_than') bounds.push(`${c.inclusive ? '≥' : '>'} ${c.value}`);
    if (c.check === 'less_than') bounds.push(`${c.inclusive ? '≤' : '<'} ${c.value}`);
  }
  return `${int ? 'a whole number' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
}

/** `whole numbers ≥ 1` — the plural of numberRule, for lists and pairs. */
const plural = (rule: string) => rule.replace(/^a whole number/, 'whole numbers').replace(/^a number/, 'numbers');

/** What a field accepts, in words, or undefined when the schema is not one we can describe. */
export function fieldRule(schema: z.ZodType): string | undefined {
  const s = core(schema);
  const d = defOf(s);
  switch (d.type) {
    case 'number':
      return numberRule(s);
    case 'boolean':
      return 'on or off (true or false)';
    case 'enum': {
      const options = Object.values(d.entries ?? {}).map(String);
      return `one of ${options.join(', ')}`;
    }
    case 'literal':
      return `${(d.values ?? []).map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'array': {
      const item = d.element ? fieldRule(d.element) : undefined;
      const checks = checksOf(s);
      const min = checks.find((c) => c.check === 'min_length')?.minimum;
      const max = checks.find((c) => c.check === 'max_length')?.maximum;
      const count = min !== undefined && max !== undefined ? `${min} to ${max}` : min !== undefined ? `at least ${min}` : max !== undefined ? `at most ${max}` : 'a list of';
      if (!item) return undefined;
      const example = item.startsWith('a whole number ≥ 1') ? ', such as 28×28×1' : '';
      return `${count} ${plural(item)}${example}`;
    }
    case 'tuple': {
      const items = d.items ?? [];
      const first = items[0] && fieldRule(items[0]);
      return first ? `${items.length} ${plural(first)}` : undefined;
    }
    case 'union': {
      const options = d.options ?? [];
      const num = options.find((o) => defOf(core(o)).type === 'number');
      const pairs = options.some((o) => defOf(core(o)).type === 'tuple');
      if (num && pairs) return `${numberRule(core(num))}, or two of them such as 3×5`;
      const rules = options.map(fieldRule);
      return rules.every(Boolean) ? rules.join(', or ') : undefined;
    }
    default:
      return undefined;
  }
}

/** A value as a user typed it: strings quoted, lists as `3×5`. */
function shown(v: unknown): string {
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : String(v);
  if (Array.isArray(v)) return v.every((x) => typeof x === 'number') ? v.join('×') : JSON.stringify(v);
  if (v === null) return 'nothing';
  if (v === undefined) return 'nothing';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

function typeName(expected: string): string {
  switch (expected) {
    case 'number':
    case 'int':
    case 'bigint':
      return 'a number';
    case 'array':
    case 'tuple':
      return 'a list of numbers';
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'text';
    default:
      return `a ${expected}`;
  }
}

/** The union branch the value was meant for: a list for lists, a single value otherwise. */
function unionBranch(issue: Extract<Issue, { code: 'invalid_union' }>, value: unknown): Issue | undefined {
  const branches = issue.errors.filter((e) => e.length > 0);
  const wantsList = Array.isArray(value);
  const listy = (e: Issue) => e.code === 'invalid_type' && (e.expected === 'array' || e.expected === 'tuple');
  const pick =
    branches.find((b) => (wantsList ? !(b[0].code === 'invalid_type' && !listy(b[0]) && b[0].path.length === 0) : !listy(b[0]))) ?? branches[0];
  return pick?.[0];
}

/** What is wrong with `value`, from one zod issue (its path relative to the field). */
function whatIsWrong(issue: Issue, value: unknown): string {
  const v = at(value, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (isEmpty(v)) return 'the field is empty';
      if (issue.expected === 'int' && typeof v === 'number') return `${shown(v)} is not a whole number`;
      return `${shown(v)} is not ${typeName(issue.expected)}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array' || issue.origin === 'string' || issue.origin === 'set') {
        const n = Array.isArray(v) || typeof v === 'string' ? v.length : 0;
        return n === 0 ? 'the field is empty' : `${shown(v)} has ${n}, fewer than ${min}`;
      }
      return issue.inclusive ? `${shown(v)} is below ${min}` : `${shown(v)} is not above ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array' || issue.origin === 'string' || issue.origin === 'set') {
        const n = Array.isArray(v) || typeof v === 'string' ? v.length : 0;
        return `${shown(v)} has ${n}, more than ${max}`;
      }
      if (Math.abs(max) > BIG) return `${shown(v)} is too large to count exactly`;
      return issue.inclusive ? `${shown(v)} is above ${max}` : `${shown(v)} is not below ${max}`;
    }
    case 'invalid_value':
      return isEmpty(v) ? 'the field is empty' : `${shown(v)} is not one of them`;
    case 'invalid_union': {
      const branch = unionBranch(issue, v);
      return branch ? whatIsWrong(branch, v) : `${shown(v)} is not accepted`;
    }
    case 'not_multiple_of':
      return `${shown(v)} is not a multiple of ${String(issue.divisor)}`;
    default:
      return `${shown(v)} is not accepted`;
  }
}

/** A kind's own sentence ("axis 0 is the batch axis; …"), with the key in the inspector's words. */
function ownWords(message: string, key: string | undefined): string {
  const label = key ? fieldLabel(key) : undefined;
  if (label && message.startsWith(key!)) return `${label}${message.slice(key!.length)}`;
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return label ? `${label}: ${message}` : text;
}

/** Where a nested custom issue lives, e.g. `targetShape` entry 0. */
const nestedCustom = (issue: Issue): Issue | undefined => {
  if (issue.code === 'custom') return issue;
  if (issue.code === 'invalid_union') {
    for (const e of issue.errors) for (const i of e) if (i.code === 'custom') return i;
  }
  return undefined;
};

/**
 * The human message of one refused param: `<Field> must be <rule>; <what is wrong>`, e.g.
 * `Filters must be a whole number ≥ 1; "abc" is not a number`. A kind's own refinement message (a custom issue) is
 * kept in its words, with the field named as the inspector names it.
 *
 * @param issue  a zod issue whose path is relative to the field's schema (`[]`, or `[0]` for the first entry of a list)
 * @param field  the params key (`filters`) and, when known, its schema, which states the rule
 * @param value  the value the field holds
 */
export function paramMessage(issue: Issue, field: { key: string; schema?: z.ZodType }, value: unknown): string {
  const custom = nestedCustom(issue);
  if (custom) return ownWords(custom.message, field.key);
  const rule = field.schema ? fieldRule(field.schema) : undefined;
  const label = fieldLabel(field.key);
  const wrong = whatIsWrong(issue, value);
  return rule ? `${label} must be ${rule}; ${wrong}` : `${label}: ${wrong}`;
}

/** The message for a value typed into one field, or undefined when its schema accepts it. */
export function fieldProblem(key: string, schema: z.ZodType, value: unknown): string | undefined {
  const r = schema.safeParse(value);
  if (r.success) return undefined;
  const issue = r.error.issues[0];
  return issue ? paramMessage(issue, { key, schema }, value) : `${fieldLabel(key)}: ${shown(value)} is not accepted`;
}

const objectShape = (schema: z.ZodType): Record<string, z.ZodType> =>
  ((defOf(core(schema)) as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {});

/**
 * Every refused field of a params object, one `invalid-param` error per field (its first issue), in the order zod
 * reports them; `issues` are the params schema's issues (paths from the params object).
 */
export function paramErrors(schema: z.ZodType, params: Record<string, unknown>, issues: readonly Issue[]): LayerError[] {
  const shape = objectShape(schema);
  const seen = new Set<string>();
  const out: LayerError[] = [];
  for (const issue of issues) {
    const key = issue.path.length ? String(issue.path[0]) : undefined;
    if (key !== undefined && seen.has(key)) continue;
    if (key !== undefined) seen.add(key);
    const message =
      key === undefined
        ? ownWords(nestedCustom(issue)?.message ?? whatIsWrong(issue, params), undefined)
        : paramMessage({ ...issue, path: issue.path.slice(1) } as Issue, { key, schema: shape[key] }, params[key]);
    out.push({ code: 'invalid-param', message, param: key });
  }
  return out;
}

/** Bytes in KB/MB/GB/TB (powers of 1024), as the summary and the status bar show them. */
export function fmtBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let v = b / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const s = v.toFixed(Math.abs(v) >= 100 ? 1 : 2).replace(/\.?0+$/, '');
  return `${s} ${units[i]}`;
}

/**
 * What partial totals mean, for the Summary's tooltip, the status bar and the CLI: the totals count the layers whose
 * shapes could be inferred; a layer with an error, and every layer after it, has no known shape.
 */
export function partialNote(leftOut: number): string {
  return `${leftOut} layer${leftOut === 1 ? '' : 's'} left out. Only layers whose shapes could be inferred are counted: a layer with an error, and every layer after it, has no known shape, so the whole model has at least these figures.`;
}
