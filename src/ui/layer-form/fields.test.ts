import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { layerKinds } from '../../../nodes/index';
import { pair, padding, posInt } from '../../../nodes/lib/schema';
import { fieldLabel, fieldMessage, fieldsOf, readNumber, readNumbers } from './fields';

describe('inspector fields from params schemas', () => {
  it('reads numbers, pairs, enums, booleans, number lists and optional fields', () => {
    const schema = z.object({
      filters: posInt.default(32),
      kernelSize: pair(3),
      padding,
      useBias: z.boolean().default(true),
      shape: z.array(posInt).default([28, 28, 1]),
      rate: z.number().min(0).max(1).default(0.5),
      seed: z.number().int().optional(),
      axis: z.number().int().nullable().default(null),
    });
    const byKey = Object.fromEntries(fieldsOf(schema).map((f) => [f.key, f]));
    expect(byKey.filters.spec).toEqual({ type: 'number', int: true, min: 1, max: undefined });
    expect(byKey.kernelSize.spec).toEqual({ type: 'pair' });
    expect(byKey.padding.spec).toEqual({ type: 'enum', options: ['valid', 'same'] });
    expect(byKey.useBias.spec).toEqual({ type: 'boolean' });
    expect(byKey.shape.spec).toEqual({ type: 'numbers' });
    expect(byKey.rate.spec).toEqual({ type: 'number', int: false, min: 0, max: 1 });
    expect(byKey.seed.emptyAs).toBe('undefined');
    expect(byKey.axis.emptyAs).toBe('null');
  });

  it.each(layerKinds.map((k) => [k.kind, k] as const))('gives every param of %s a field with a real editor', (_name, kind) => {
    const fields = fieldsOf(kind.params);
    const defaults = kind.params.parse({}) as Record<string, unknown>;
    expect(fields.map((f) => f.key).sort()).toEqual(Object.keys(defaults).sort());
    for (const f of fields) expect(f.spec.type, `${kind.kind}.${f.key}`).not.toBe('json');
  });

  it('keeps what cannot be read as typed, so the schema names the problem', () => {
    expect(readNumber('12')).toBe(12);
    expect(readNumber('1e2')).toBe(100);
    expect(readNumber('abc')).toBe('abc');
    expect(readNumber('')).toBe('');
    expect(readNumbers('28×28×1')).toEqual([28, 28, 1]);
    expect(readNumbers('32, 32 3')).toEqual([32, 32, 3]);
    expect(readNumbers('28×a')).toBe('28×a');
    expect(fieldLabel('kernelSize')).toBe('Kernel size');
  });
});

describe('field messages', () => {
  const schema = z.object({ filters: posInt.default(32), kernelSize: pair(3), rate: z.number().min(0).max(1).default(0.5), shape: z.array(posInt).default([1]) });
  const f = Object.fromEntries(fieldsOf(schema).map((x) => [x.key, x]));
  it('says what is wrong in the words the layer box uses, naming the field', () => {
    expect(fieldMessage(f.filters, 16)).toBeUndefined();
    expect(fieldMessage(f.filters, undefined)).toBeUndefined();
    expect(fieldMessage(f.filters, '')).toBe('Filters must be a whole number ≥ 1; the field is empty');
    expect(fieldMessage(f.filters, 'abc')).toBe('Filters must be a whole number ≥ 1; "abc" is not a number');
    expect(fieldMessage(f.filters, 2.5)).toBe('Filters must be a whole number ≥ 1; 2.5 is not a whole number');
    expect(fieldMessage(f.filters, 0)).toBe('Filters must be a whole number ≥ 1; 0 is below 1');
    expect(fieldMessage(f.rate, 1.5)).toBe('Rate must be a number ≥ 0 and ≤ 1; 1.5 is above 1');
    expect(fieldMessage(f.kernelSize, [3, 0])).toBe('Kernel size must be a whole number ≥ 1, or two of them such as 3×5; 0 is below 1');
    expect(fieldMessage(f.kernelSize, [3, 5])).toBeUndefined();
    expect(fieldMessage(f.shape, 'x')).toBe('Shape must be a list of whole numbers ≥ 1, such as 28×28×1; "x" is not a list of numbers');
  });
});
