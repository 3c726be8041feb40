import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getLayerKind, layerKinds } from '../../nodes/index';
import { sequentialGraph } from './build';
import { inferGraph } from './infer';
import { kerasToGraph } from './keras';
import { fieldLabel, fieldProblem, fieldRule, fmtBytes, paramErrors, paramMessage } from './messages';

const kind = (k: string) => getLayerKind(k)!;
const fieldOf = (k: string, key: string) => (kind(k).params as unknown as { shape: Record<string, z.ZodType> }).shape[key];
/** The message a user reads for `value` in field `key` of kind `k`. */
const say = (k: string, key: string, value: unknown) => fieldProblem(key, fieldOf(k, key), value);

/** zod's own wording, which must never reach a user. */
const ZOD_PHRASES = [/Invalid input/i, /expected \w+, received/i, /Too small/i, /Too big/i, /Invalid option/i, /expected int/i, /expected one of/i, /received \w+/i];

describe('paramMessage: one human sentence per zod issue, naming the field', () => {
  it('invalid_type: a word where a number belongs', () => {
    expect(say('Conv2D', 'filters', 'abc')).toBe('Filters must be a whole number ≥ 1; "abc" is not a number');
    expect(say('Conv2D', 'filters', '')).toBe('Filters must be a whole number ≥ 1; the field is empty');
    expect(say('Conv2D', 'filters', null)).toBe('Filters must be a whole number ≥ 1; the field is empty');
    expect(say('Dense', 'useBias', 'yes')).toBe('Use bias must be on or off (true or false); "yes" is not true or false');
  });

  it('not an integer (zod 4 reports it as invalid_type int)', () => {
    expect(say('Conv2D', 'filters', 2.5)).toBe('Filters must be a whole number ≥ 1; 2.5 is not a whole number');
    expect(say('Dense', 'units', 0.5)).toBe('Units must be a whole number ≥ 1; 0.5 is not a whole number');
  });

  it('too_small and too_big, inclusive and exclusive, numbers and lists', () => {
    expect(say('Conv2D', 'filters', 0)).toBe('Filters must be a whole number ≥ 1; 0 is below 1');
    expect(say('BatchNormalization', 'momentum', 2.5)).toBe('Momentum must be a number ≥ 0 and ≤ 1; 2.5 is above 1');
    expect(say('BatchNormalization', 'epsilon', 0)).toBe('Epsilon must be a number > 0; 0 is not above 0');
    expect(say('Dropout', 'rate', 1)).toBe('Rate must be a number ≥ 0 and < 1; 1 is not below 1');
    expect(say('Dropout', 'rate', -0.1)).toBe('Rate must be a number ≥ 0 and < 1; -0.1 is below 0');
    expect(say('Conv2D', 'filters', 1e20)).toBe('Filters must be a whole number ≥ 1; 100000000000000000000 is too large to count exactly');
    expect(say('Input', 'shape', [])).toBe('Shape must be 1 to 3 whole numbers ≥ 1, such as 28×28×1; the field is empty');
    expect(say('Input', 'shape', [2, 2, 2, 2])).toBe('Shape must be 1 to 3 whole numbers ≥ 1, such as 28×28×1; 2×2×2×2 has 4, more than 3');
    expect(say('Input', 'shape', [28, 0, 1])).toBe('Shape must be 1 to 3 whole numbers ≥ 1, such as 28×28×1; 0 is below 1');
    expect(say('Input', 'shape', '28×a')).toBe('Shape must be 1 to 3 whole numbers ≥ 1, such as 28×28×1; "28×a" is not a list of numbers');
  });

  it('enum (invalid_value): names the options', () => {
    expect(say('Conv2D', 'padding', 'full')).toBe('Padding must be one of valid, same; "full" is not one of them');
  });

  it('unions (a size pair): follows the branch the value was meant for', () => {
    expect(say('Conv2D', 'kernelSize', 'abc')).toBe('Kernel size must be a whole number ≥ 1, or two of them such as 3×5; "abc" is not a number');
    expect(say('Conv2D', 'kernelSize', [3, 0])).toBe('Kernel size must be a whole number ≥ 1, or two of them such as 3×5; 0 is below 1');
    expect(say('Conv2D', 'kernelSize', [3, 'a'])).toBe('Kernel size must be a whole number ≥ 1, or two of them such as 3×5; "a" is not a number');
    expect(say('Conv2D', 'strides', [1, 2, 3])).toBe('Strides must be a whole number ≥ 1, or two of them such as 3×5; 1×2×3 has 3, more than 2');
    expect(say('Conv2D', 'strides', 1.5)).toBe('Strides must be a whole number ≥ 1, or two of them such as 3×5; 1.5 is not a whole number');
  });

  it('custom refinements keep the kind’s own words, with the field named as the inspector names it', () => {
    expect(say('Concatenate', 'axis', 0)).toBe('Axis 0 is the batch axis; use -1 for channels');
    expect(say('Reshape', 'targetShape', [0, 2])).toBe('Target shape entries must be ≥ 1, or -1 for "whatever is left"');
  });

  it('accepts what the schema accepts', () => {
    expect(say('Conv2D', 'filters', 8)).toBeUndefined();
    expect(say('Conv2D', 'kernelSize', [3, 5])).toBeUndefined();
  });

  it('works from a bare issue and key when no schema is at hand', () => {
    const issue = z.number().safeParse('x').error!.issues[0];
    expect(paramMessage(issue, { key: 'units' }, 'x')).toBe('Units: "x" is not a number');
  });

  it('reports each refused field once, in zod’s order', () => {
    const params = { filters: 'abc', kernelSize: 0, padding: 'full' };
    const r = kind('Conv2D').params.safeParse(params);
    const errors = paramErrors(kind('Conv2D').params, params, r.error!.issues);
    expect(errors.map((e) => e.param)).toEqual(['filters', 'kernelSize', 'padding']);
    expect(errors.every((e) => e.code === 'invalid-param')).toBe(true);
  });

  it('describes every field of every kind', () => {
    for (const k of layerKinds) {
      for (const [key, schema] of Object.entries((k.params as unknown as { shape: Record<string, z.ZodType> }).shape)) {
        expect(fieldRule(schema), `${k.kind}.${key}`).toBeTruthy();
      }
    }
    expect(fieldLabel('depthMultiplier')).toBe('Depth multiplier');
    expect(fmtBytes(799_968_001_226 * 4)).toBe('2.91 TB');
  });
});

describe('no message anywhere speaks zod', () => {
  const BAD: unknown[] = ['abc', '', ' ', 0, -1, 0.5, 2.5, 1e20, -1e20, NaN, Infinity, null, true, false, [], [0], [1, 2, 3, 4, 5], [0, 1], ['a', 1], [[1, 2], [3]], {}, { a: 1 }, 'same', 'relu'];
  const clean = (where: string, message: string | undefined) => {
    if (message === undefined) return;
    for (const p of ZOD_PHRASES) expect(message, `${where}: ${message}`).not.toMatch(p);
    expect(message.trim().length, where).toBeGreaterThan(0);
  };

  it('for every field of every kind and every hostile value: the field message, the layer’s errors and the Keras import', () => {
    let refused = 0;
    for (const k of layerKinds) {
      const shape = (k.params as unknown as { shape: Record<string, z.ZodType> }).shape;
      for (const key of Object.keys(shape)) {
        for (const value of BAD) {
          const where = `${k.kind}.${key}=${JSON.stringify(value)}`;
          const m = fieldProblem(key, shape[key], value);
          if (m === undefined) continue;
          refused++;
          clean(`field ${where}`, m);
          expect(m, where).toContain(fieldLabel(key));
          const g = sequentialGraph(k.inputs.max === 0 ? [{ kind: k.kind, params: { [key]: value } }] : [{ kind: 'Input', params: { shape: [8, 8, 3] } }, { kind: k.kind, params: { [key]: value } }]);
          const node = inferGraph(g).nodes[g.nodes[g.nodes.length - 1].id];
          expect(node.status, where).toBe('error');
          for (const e of node.errors ?? []) clean(`layer ${where}`, e.message);
          expect(node.errors?.map((e) => e.message), where).toContain(m);
        }
      }
    }
    expect(refused).toBeGreaterThan(300);
  });

  it('in Keras import errors about params', () => {
    const json = {
      class_name: 'Sequential',
      config: {
        name: 's',
        layers: [
          { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 8, 8, 3] } },
          { class_name: 'Conv2D', config: { name: 'c', filters: 'x', kernel_size: [0, 3], strides: [1, 1], padding: 'full', activation: 'relu', use_bias: true } },
        ],
      },
    };
    const r = kerasToGraph(json);
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    expect(errors.length).toBeGreaterThanOrEqual(3);
    for (const e of errors) clean('keras import', e);
    expect(errors.join('\n')).toContain('Filters must be a whole number ≥ 1; "x" is not a number');
  });
});
