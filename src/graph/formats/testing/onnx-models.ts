import pkg from 'onnx-proto';

const { onnx } = pkg;

/** Test support: small ONNX models built with onnx-proto, for the importer's error and edge-case tests. */

export interface TinyNode {
  op: string;
  inputs: string[];
  outputs?: string[];
  name?: string;
  /** An integer is an INT attribute, `{ f }` a FLOAT, an array INTS, a string STRING. */
  attrs?: Record<string, AttrValue>;
  domain?: string;
}

export interface TinyInit {
  name: string;
  dims: number[];
  /** float32 values, or int64 values with `int64: true`. */
  values: number[];
  int64?: boolean;
}

type AttrValue = number | number[] | string | { f: number };

function attribute(name: string, v: AttrValue) {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if (typeof v === 'object') return { name, type: T.FLOAT, f: v.f };
  return { name, type: T.INT, i: v };
}

/** A model of `nodes` with input `x` of `inputShape` (batch first) and the last node's first output as `y`. */
export function tinyModel(inputShape: number[], nodes: TinyNode[], inits: TinyInit[] = [], opset = 13): Uint8Array {
  const last = nodes[nodes.length - 1];
  const out = last.outputs?.[0] ?? `${last.name ?? 'n' + (nodes.length - 1)}_out`;
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'convas-test',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'tiny',
      node: nodes.map((n, i) => ({
        name: n.name ?? `n${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs ?? [`${n.name ?? 'n' + i}_out`],
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: inits.map((t) =>
        t.int64 ? { name: t.name, dims: t.dims, dataType: 7, int64Data: t.values } : { name: t.name, dims: t.dims, dataType: 1, floatData: t.values },
      ),
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: inputShape.map((d) => ({ dimValue: d })) } } } }],
      output: [{ name: out, type: { tensorType: { elemType: 1 } } }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Deterministic values in [-1, 1). */
export function seeded(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (2 * s) / 2 ** 32 - 1;
  });
}
