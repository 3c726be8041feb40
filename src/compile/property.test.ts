import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLayerKind, layerKinds, product, type Draw, type Shape } from '../../nodes/index';
import { ACTIVATIONS } from '../../nodes/lib/schema';
import { defaultLayerName, uniqueName } from '../graph/build';
import { inferGraph, parseParams } from '../graph/infer';
import type { Graph, GraphEdge, GraphNode } from '../graph/types';
import { compileGraph } from './compile';
import { compareWithInference, tfjsRefuses } from './testing/tfjs-oracle';

/**
 * Property tests with tfjs as the oracle: random graphs that inferGraph calls valid compile to models whose
 * params, shapes and MACs agree with it and that run; random graphs with one deliberate mistake are refused
 * by tfjs as well, or are built by a breaker marked `stricter` (a rule where Convas is deliberately stricter).
 */

/** The random choices of one construction step; each op reads the fields it needs. */
interface Step {
  op: number;
  a: number;
  b: number;
  f: number;
  k: number;
  s: number;
  flag: boolean;
  act: number;
  /** Choices for a kind's own `testing.random.params` (read cyclically). */
  draws: number[];
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  op: fc.nat(1000),
  a: fc.nat(1000),
  b: fc.nat(1000),
  f: fc.integer({ min: 1, max: 6 }),
  k: fc.integer({ min: 1, max: 4 }),
  s: fc.integer({ min: 1, max: 2 }),
  flag: fc.boolean(),
  act: fc.nat(ACTIVATIONS.length - 1),
  draws: fc.array(fc.nat(1_000_000), { minLength: 8, maxLength: 8 }),
});

/** A kind's `Draw` backed by a step's fast-check numbers, so a failing graph shrinks. */
function drawFrom(st: Step): Draw {
  let i = 0;
  const next = () => st.draws[i++ % st.draws.length];
  return {
    int: (min, max) => min + (next() % (max - min + 1)),
    bool: () => next() % 2 === 0,
    pick: (xs) => xs[next() % xs.length],
  };
}

const inputShapeArb: fc.Arbitrary<number[]> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 3, max: 12 }), fc.integer({ min: 1, max: 3 })) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 6, max: 24 }), fc.integer({ min: 1, max: 3 })) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 2, max: 16 })) },
);

/** Builds a graph node by node, inferring each new node's shape with the kind itself, and can roll back a step. */
class Builder {
  nodes: GraphNode[] = [];
  edges: GraphEdge[] = [];
  shapes = new Map<string, Shape>();
  failed = false;
  private taken = new Set<string>();

  add(kind: string, params: Record<string, unknown>, inputs: string[], fixedName?: string): string {
    const id = `n${this.nodes.length}`;
    const name = fixedName ?? uniqueName(defaultLayerName(kind), this.taken);
    this.taken.add(name);
    this.nodes.push({ id, kind, name, params, position: { x: 0, y: 0 } });
    inputs.forEach((source, i) => this.edges.push({ id: `e${this.edges.length}`, source, target: id, targetIndex: i }));
    const def = getLayerKind(kind);
    if (!def) throw new Error(`generator uses unregistered kind ${kind}`);
    const parsed = parseParams(def, params);
    if (!parsed.ok) throw new Error(`generator wrote bad params for ${kind}: ${parsed.error.message}`);
    const inShapes = inputs.map((i) => this.shapes.get(i));
    const r = inShapes.every((s) => s !== undefined) && inputs.length >= def.inputs.min ? def.inferShape(inShapes as Shape[], parsed.value) : null;
    if (r && 'shape' in r) this.shapes.set(id, r.shape);
    else this.failed = true;
    return id;
  }

  snapshot() {
    return { n: this.nodes.length, e: this.edges.length };
  }

  rollback(s: { n: number; e: number }) {
    for (const n of this.nodes.slice(s.n)) {
      this.shapes.delete(n.id);
      this.taken.delete(n.name);
    }
    this.nodes.length = s.n;
    this.edges.length = s.e;
    this.failed = false;
  }

  graph(): Graph {
    return { nodes: this.nodes, edges: this.edges };
  }
}

type Op = { ranks: number[]; apply(b: Builder, x: string, shape: Shape, st: Step, other: string): void };

const pad = (st: Step) => (st.flag ? 'same' : 'valid');
const actName = (st: Step) => ACTIVATIONS[st.act];

/**
 * One op per registered kind, from its file's `testing.random`: a kind without inputs is added unconnected, a merge
 * gets `x` and a same-shape copy (a Dropout of `x`: tfjs 4.22 mishandles a merge fed the same tensor twice).
 */
const KIND_OPS: Op[] = layerKinds
  .filter((k) => k.testing)
  .map((k) => ({
    ranks: k.testing!.random.ranks,
    apply: (b, x, s, st) => {
      const params = k.testing!.random.params(drawFrom(st), [s]);
      if (k.inputs.max === 0) b.add(k.kind, params, []);
      else if (k.inputs.min >= 2) b.add(k.kind, params, [x, b.add('Dropout', { rate: 0.1 }, [x])]);
      else b.add(k.kind, params, [x]);
    },
  }));

/** Graph shapes no single kind makes: branches, merges back, several inputs. */
const OPS: Op[] = [
  ...KIND_OPS,
  // Residual: a same-shape branch joined back by Add.
  {
    ranks: [3],
    apply: (b, x, s, st) => {
      const y = b.add('Conv2D', { filters: s[2], kernelSize: st.k, padding: 'same' }, [x]);
      b.add('Add', {}, st.flag ? [x, y] : [y, x]);
    },
  },
  // Inception-like: two branches of different widths concatenated along channels.
  {
    ranks: [3],
    apply: (b, x, _s, st) => {
      const y1 = b.add('Conv2D', { filters: st.f, kernelSize: 1, padding: 'same' }, [x]);
      const y2 = b.add('Conv2D', { filters: st.f + 1, kernelSize: 3, padding: 'same' }, [x]);
      b.add('Concatenate', { axis: -1 }, st.flag ? [y1, y2, x] : [y2, y1]);
    },
  },
  // Gating, as in squeeze-and-excitation.
  {
    ranks: [1, 2, 3],
    apply: (b, x) => {
      const g = b.add('Activation', { activation: 'sigmoid' }, [x]);
      b.add('Multiply', {}, [x, g]);
    },
  },
  // A second model input merged into the first: checks input order.
  {
    ranks: [1, 2, 3],
    apply: (b, x, s) => {
      const i = b.add('Input', { shape: [...s] }, []);
      b.add('Add', {}, [i, x]);
    },
  },
  // An Input nothing reads: still a model input, in node order.
  { ranks: [1, 2, 3], apply: (b, _x, s) => void b.add('Input', { shape: [...s].reverse() }, []) },
  // Merge two arbitrary tensors: often incompatible, then the step is dropped.
  { ranks: [1, 2, 3], apply: (b, x, _s, st, other) => b.add(st.flag ? 'Add' : 'Concatenate', st.flag ? {} : { axis: -1 }, [x, other]) },
];

function pick<T>(xs: T[], i: number): T {
  return xs[i % xs.length];
}

/** A valid graph: each step is applied to a random tensor built so far and dropped again if it made an error. */
function buildValid(input: number[], steps: Step[]): Builder {
  const b = new Builder();
  b.add('Input', { shape: input }, []);
  for (const st of steps) {
    const pool = [...b.shapes.keys()];
    const x = pick(pool, st.a);
    const shape = b.shapes.get(x)!;
    const ops = VALID_OPS.filter((o) => o.ranks.includes(shape.length));
    const snap = b.snapshot();
    pick(ops, st.op).apply(b, x, shape, st, pick(pool, st.b));
    if (b.failed) b.rollback(snap);
  }
  // Nothing but Inputs left: give the first a consumer so the graph has an output.
  if (b.nodes.every((n) => n.kind === 'Input')) b.add('Dropout', { rate: 0.1 }, ['n0']);
  return b;
}

/** One deliberate mistake, chosen among those that fit the tensor it is applied to. */
interface Breaker {
  ranks: number[];
  when?: (s: Shape) => boolean;
  apply(b: Builder, x: string, s: Shape, st: Step): void;
  /** Set when Convas is deliberately stricter than tfjs, which builds (and may run) this graph: why. */
  stricter?: string;
}

const BREAKERS: Breaker[] = [
  { ranks: [3], apply: (b, x, s) => b.add('Conv2D', { filters: 2, kernelSize: [s[0] + 1, 1] }, [x]) },
  { ranks: [3], apply: (b, x, s) => b.add('MaxPooling2D', { poolSize: [1, s[1] + 1] }, [x]) },
  { ranks: [3], apply: (b, x, s) => b.add('DepthwiseConv2D', { kernelSize: s[0] + 2 }, [x]) },
  { ranks: [2], apply: (b, x, s) => b.add('Conv1D', { filters: 2, kernelSize: s[0] + 1 }, [x]) },
  { ranks: [2], apply: (b, x, s) => b.add('AveragePooling1D', { poolSize: s[0] + 1 }, [x]) },
  { ranks: [1, 2], apply: (b, x) => b.add('Conv2D', { filters: 2, kernelSize: 1 }, [x]) },
  { ranks: [1], apply: (b, x) => b.add('GlobalAveragePooling2D', {}, [x]) },
  { ranks: [1, 3], apply: (b, x) => b.add('MaxPooling1D', {}, [x]) },
  // Channels c+1 and c+2 never broadcast against each other.
  {
    ranks: [1, 2, 3],
    apply: (b, x, s) => {
      const c = s[s.length - 1];
      const y1 = b.add('Dense', { units: c + 1 }, [x]);
      const y2 = b.add('Dense', { units: c + 2 }, [x]);
      b.add('Add', {}, [y1, y2]);
    },
  },
  {
    ranks: [3],
    when: (s) => s[0] >= 2,
    apply: (b, x) => {
      const p = b.add('MaxPooling2D', { poolSize: 2 }, [x]);
      b.add('Concatenate', { axis: -1 }, [x, p]);
    },
  },
  { ranks: [1, 2, 3], apply: (b, x, _s, st) => b.add(st.flag ? 'Add' : 'Concatenate', {}, [x]) },
  { ranks: [2, 3], apply: (b, x, s) => b.add('Reshape', { targetShape: [product(s) + 1] }, [x]) },
  { ranks: [3], when: (s) => s[0] >= 4 && s[1] >= 4, apply: (b, x) => b.add('Conv2D', { filters: 2, kernelSize: 2, strides: 2, dilationRate: 2 }, [x]) },
  { ranks: [3], apply: (b, x, s) => b.add('SeparableConv2D', { filters: 2, kernelSize: [1, s[1] + 1] }, [x]) },
  { ranks: [1, 2], apply: (b, x) => b.add('Conv2DTranspose', { filters: 2, kernelSize: 2 }, [x]) },
  { ranks: [1], apply: (b, x) => b.add('Flatten', {}, [x]) },
  { ranks: [1, 3], apply: (b, x) => b.add('GlobalMaxPooling1D', {}, [x]) },
  { ranks: [1, 2, 3], apply: (b, x, s) => b.add('BatchNormalization', { axis: s.length + 1 }, [x]) },
  // Concatenating along the first axis needs equal channels.
  {
    ranks: [2, 3],
    apply: (b, x, s) => {
      const y = b.add('Dense', { units: s[s.length - 1] + 1 }, [x]);
      b.add('Concatenate', { axis: 1 }, [x, y]);
    },
  },
  // A layer named like the one it reads (an Input nothing reads is not among tfjs' layers, so not that).
  { ranks: [1, 2, 3], apply: (b, x) => b.add('Activation', { activation: 'relu' }, [x], b.nodes.find((n) => n.id === x)?.name) },
  {
    ranks: [2, 3],
    stricter:
      "tfjs' Add broadcasts a rank-1 tensor against the channels of a rank-3 one; Keras asks for equal shapes and a rank change at a merge is almost always a wiring mistake",
    apply: (b, x, s) => {
      const v = b.add(s.length === 3 ? 'GlobalAveragePooling2D' : 'GlobalAveragePooling1D', {}, [x]);
      b.add('Add', {}, [x, v]);
    },
  },
];

/** The kinds an op adds, found by running it on a builder that only records. */
function kindsOf(op: { apply: Op['apply'] }): string[] {
  const used: string[] = [];
  const spy = new Builder();
  spy.add = (kind: string) => (used.push(kind), 'x');
  for (const shape of [[4, 4, 2], [8, 2], [6]]) {
    for (const flag of [true, false]) op.apply(spy, 'x', shape, { op: 0, a: 0, b: 0, f: 2, k: 2, s: 1, flag, act: 0, draws: [0] }, 'y');
  }
  return used;
}

const unregistered = [...OPS, ...BREAKERS].flatMap(kindsOf).filter((k) => !getLayerKind(k));
// Ops of kinds not (yet) in the registry are left out so the rest still runs; a test below fails on them.
const registered = (op: { apply: Op['apply'] }) => kindsOf(op).every((k) => getLayerKind(k));
const VALID_OPS = OPS.filter(registered);

const BREAKING_OPS = BREAKERS.filter(registered);

function buildBroken(input: number[], steps: Step[], breaker: Step): { b: Builder; used: Breaker } {
  const b = buildValid(input, steps);
  const pool = [...b.shapes.keys()];
  const x = pick(pool, breaker.a);
  const s = b.shapes.get(x)!;
  const fits = BREAKING_OPS.filter((br) => br.ranks.includes(s.length) && (br.when?.(s) ?? true));
  const used = pick(fits, breaker.op);
  used.apply(b, x, s, breaker);
  return { b, used };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  tf.disposeVariables();
});

describe('compileGraph agrees with inferGraph on random graphs', () => {
  it('exercises every registered kind (through its testing.random), and only those', () => {
    expect([...new Set(unregistered)]).toEqual([]);
    expect(layerKinds.filter((k) => !k.testing?.random).map((k) => k.kind), 'kinds without testing.random').toEqual([]);
    const generated = new Set(OPS.flatMap(kindsOf));
    expect(layerKinds.map((k) => k.kind).filter((k) => !generated.has(k))).toEqual([]);
  });

  it('valid graphs compile with the same params, shapes and MACs, and run', () => {
    let nodesSeen = 0;
    fc.assert(
      fc.property(inputShapeArb, fc.array(stepArb, { minLength: 1, maxLength: 10 }), (input, steps) => {
        const g = buildValid(input, steps).graph();
        const inf = inferGraph(g);
        expect(inf.issues).toEqual([]);
        expect(inf.valid).toBe(true);
        nodesSeen += g.nodes.length;
        const model = compileGraph(tf, g, inf);
        try {
          expect(compareWithInference(model, g, inf)).toEqual([]);
          tf.tidy(() => {
            const xs = model.inputs.map((i) => tf.zeros([1, ...(i.shape.slice(1) as number[])]));
            const ys = model.predict(xs.length === 1 ? xs[0] : xs);
            const shapes = (Array.isArray(ys) ? ys : [ys]).map((y) => y.shape.slice(1));
            expect(shapes).toEqual(inf.outputs.map((id) => inf.nodes[id].outputShape));
          });
        } finally {
          model.dispose();
        }
      }),
      { numRuns: 60 },
    );
    // Guard against a generator that silently drops every step.
    expect(nodesSeen).toBeGreaterThan(60 * 3);
  });

  it('graphs inferGraph calls invalid are refused by tfjs too, or break a documented stricter rule', () => {
    const codes = new Map<string, number>();
    fc.assert(
      fc.property(inputShapeArb, fc.array(stepArb, { maxLength: 5 }), stepArb, (input, steps, breaker) => {
        const { b, used } = buildBroken(input, steps, breaker);
        const g = b.graph();
        const inf = inferGraph(g);
        expect(inf.valid).toBe(false);
        const errors = Object.values(inf.nodes).filter((n) => n.status === 'error');
        expect(errors).toHaveLength(1);
        const code = errors[0].error!.code;
        codes.set(code, (codes.get(code) ?? 0) + 1);
        const verdict = tfjsRefuses(tf, g);
        // Keeps the stricter notes honest: tfjs really does build and run these.
        if (used.stricter) {
          expect(verdict.refused, used.stricter).toBe(false);
          return;
        }
        expect(verdict.refused, `tfjs accepted a graph we refuse with ${code}: ${errors[0].error!.message}`).toBe(true);
      }),
      { numRuns: 120 },
    );
    expect(codes.size).toBeGreaterThanOrEqual(3);
  });
});
