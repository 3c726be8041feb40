import type { z } from 'zod';
import { fieldLabel, fieldProblem } from '../../graph/messages';

/** How the inspector edits one params field, read from the kind's zod schema. */
export type FieldSpec =
  | { type: 'number'; int: boolean; min?: number; max?: number }
  | { type: 'boolean' }
  | { type: 'enum'; options: string[] }
  /** A Keras size pair: a number or two (kernel, strides, pool size…). */
  | { type: 'pair' }
  /** A list of numbers, e.g. the Input shape. */
  | { type: 'numbers' }
  | { type: 'string' }
  | { type: 'json' };

export interface Field {
  key: string;
  spec: FieldSpec;
  /** May be left empty (optional or nullable). */
  emptyAs?: 'undefined' | 'null';
  schema: z.ZodType;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  items?: z.ZodType[];
  element?: z.ZodType;
  entries?: Record<string, string | number>;
  shape?: Record<string, z.ZodType>;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

function unwrap(s: z.ZodType): { core: z.ZodType; emptyAs?: 'undefined' | 'null' } {
  let cur = s;
  let emptyAs: 'undefined' | 'null' | undefined;
  for (let i = 0; i < 20; i++) {
    const d = defOf(cur);
    if ((d.type === 'default' || d.type === 'prefault' || d.type === 'readonly' || d.type === 'catch' || d.type === 'nonoptional') && d.innerType) cur = d.innerType;
    else if (d.type === 'optional' && d.innerType) {
      emptyAs ??= 'undefined';
      cur = d.innerType;
    } else if (d.type === 'nullable' && d.innerType) {
      emptyAs = 'null';
      cur = d.innerType;
    } else if (d.type === 'pipe' && d.in) cur = d.in;
    else break;
  }
  return { core: cur, emptyAs };
}

function isNumber(s: z.ZodType): boolean {
  return defOf(unwrap(s).core).type === 'number';
}

function specOf(core: z.ZodType): FieldSpec {
  const d = defOf(core);
  switch (d.type) {
    case 'number': {
      const n = core as unknown as { minValue: number | null; maxValue: number | null; isInt: boolean };
      const fin = (v: number | null) => (v === null || !Number.isFinite(v) || Math.abs(v) > 1e15 ? undefined : v);
      return { type: 'number', int: !!n.isInt, min: fin(n.minValue), max: fin(n.maxValue) };
    }
    case 'boolean':
      return { type: 'boolean' };
    case 'enum':
      return { type: 'enum', options: Object.values(d.entries ?? {}).map(String) };
    case 'literal':
      return { type: 'string' };
    case 'string':
      return { type: 'string' };
    case 'array':
      return d.element && isNumber(d.element) ? { type: 'numbers' } : { type: 'json' };
    case 'tuple':
      return d.items?.length === 2 && d.items.every(isNumber) ? { type: 'pair' } : d.items?.every(isNumber) ? { type: 'numbers' } : { type: 'json' };
    case 'union': {
      const opts = d.options ?? [];
      const kinds = opts.map((o) => defOf(unwrap(o).core).type);
      if (kinds.includes('number') && opts.some((o) => specOf(unwrap(o).core).type === 'pair')) return { type: 'pair' };
      if (kinds.every((k) => k === 'literal' || k === 'enum')) {
        return { type: 'enum', options: opts.flatMap((o) => specOf(unwrap(o).core)).flatMap((sp) => (sp.type === 'enum' ? sp.options : [])) };
      }
      if (kinds.includes('number') && opts.some((o) => specOf(unwrap(o).core).type === 'numbers')) return { type: 'numbers' };
      return { type: 'json' };
    }
    default:
      return { type: 'json' };
  }
}

const cache = new WeakMap<object, Field[]>();

/** The editable fields of a params schema (a `z.object`), in declaration order. */
export function fieldsOf(schema: z.ZodType): Field[] {
  const hit = cache.get(schema);
  if (hit) return hit;
  const d = defOf(unwrap(schema).core);
  const shape = d.shape ?? {};
  const fields = Object.entries(shape).map(([key, s]) => {
    const { core, emptyAs } = unwrap(s);
    return { key, spec: specOf(core), emptyAs, schema: s };
  });
  cache.set(schema, fields);
  return fields;
}

export { fieldLabel };

/** Reads a number as typed: a finite number, or the raw text (kept so that the schema reports it). */
export function readNumber(text: string): number | string {
  const t = text.trim();
  if (t === '') return text;
  const n = Number(t);
  return Number.isFinite(n) ? n : text;
}

/** `28×28×1`, `28, 28, 1` or `28 28 1` → `[28, 28, 1]`; anything unreadable stays text. */
export function readNumbers(text: string): number[] | string {
  const parts = text.split(/[×x*,;\s]+/i).filter(Boolean);
  if (!parts.length) return text;
  const nums = parts.map(Number);
  return nums.every(Number.isFinite) ? nums : text;
}

/**
 * What is wrong with a value typed into a field, or undefined when the schema accepts it: the same sentence the layer
 * box and the problems list show (src/graph/messages.ts), naming the field.
 */
export function fieldMessage(field: Field, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  return fieldProblem(field.key, field.schema, raw);
}
