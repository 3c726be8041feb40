import type { z } from 'zod';
import type * as tfjs from '@tensorflow/tfjs';
import type { PyTorchCode, PyTorchContext } from './pytorch';
import type { OnnxCode, OnnxContext } from './onnx';

/** A tensor shape without the batch dimension, channels-last: `[h, w, c]`, `[length, c]` or `[units]`. */
export type Shape = readonly number[];

/** The tfjs namespace, passed in so that `nodes/` never loads tfjs itself. */
export type Tf = typeof tfjs;
export type SymbolicTensor = tfjs.SymbolicTensor;

/** Decides a node's colour and its palette group. */
export type Category =
  | 'input'
  | 'conv'
  | 'pool'
  | 'norm'
  | 'activation'
  | 'regularization'
  | 'reshape'
  | 'dense'
  | 'merge';

/** What went wrong with one node, and which param (if any) is at fault. */
export interface LayerError {
  /** Stable machine code, e.g. `kernel-too-large`, `rank-mismatch`, `invalid-param`. */
  code: string;
  /** A sentence a user can act on: "kernel 5×5 is larger than the 3×3 input (padding valid)". */
  message: string;
  /** The params field to highlight in the inspector. */
  param?: string;
}

export type InferResult = { shape: Shape } | { error: LayerError };

/**
 * The layer's main weight is a bank of learned spatial filters. Code outside `nodes/` asks this instead of listing
 * class names: Inspect shows feature maps of such layers, its filter view and the compression analysis take the
 * `dense` layout ([k…, C_in, C_out]), the separable rewrite takes `dense` with `dims` 2.
 */
export interface SpatialFilters {
  /** Spatial dimensions of one filter: 1 (Conv1D) or 2. */
  dims: 1 | 2;
  /** `dense` [k…, C_in, C_out]; `depthwise` [k…, C, m]; `separable` depthwise then 1×1; `transposed` [k…, C_out, C_in]. */
  layout: 'dense' | 'depthwise' | 'separable' | 'transposed';
}

/**
 * Random choices for a property-test generator. The property test backs them with fast-check draws, so a failing
 * graph shrinks; `nodes/` never imports fast-check.
 */
export interface Draw {
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  bool(): boolean;
  pick<T>(xs: readonly T[]): T;
}

/** Valid, preferably non-default params with input shapes they fit. */
export interface LayerSample {
  params: Record<string, unknown>;
  inputs: Shape[];
}

/** What the registry-wide tests need from every kind (optional in the type, required by `nodes/kinds.test.ts`). */
export interface LayerTesting {
  /**
   * At least one sample. `nodes/kinds.test.ts` round-trips each through Keras configs (ours and tfjs' own model.json),
   * `nodes/conformance.test.ts` compares its shape, counts and MACs with tfjs; for a kind without inputs `inputs` is `[]`.
   */
  samples: LayerSample[];
  /**
   * Random params for `src/compile/property.test.ts`, which adds the kind to random graphs and compares the compiled
   * tfjs model with `inferGraph`. `ranks`: input ranks the kind accepts. `params(draw, inputs)` may return params that
   * do not fit `inputs` (the step is then dropped); merges get two inputs of the same shape; a kind without inputs
   * (Input) gets the shape of some tensor as a hint and is added unconnected.
   */
  random: { ranks: number[]; params(d: Draw, inputs: Shape[]): Record<string, unknown> };
}

export interface ParamCount {
  trainable: number;
  nonTrainable: number;
}

/**
 * Everything about one layer kind: schema, inference, counting, building, Keras mapping and UI facts.
 * Pure data and pure functions; `build` receives tfjs as an argument.
 */
export interface LayerKind<P = any> {
  /** Our kind id; equal to the Keras class name (`Conv2D`, `BatchNormalization`, …). */
  kind: string;
  /** Keras class name written to / read from model.json. */
  kerasClass: string;
  /** Other Keras class names this kind reads (e.g. `Functional` spellings, `ReLU` → Activation). */
  kerasAliases?: string[];
  /** Params version; bump it and add a migration when the params shape changes. */
  version: number;
  /** zod schema of the params; every field has a default, so `params.parse({})` gives the defaults. */
  params: z.ZodType<P>;
  ui: {
    label: string;
    category: Category;
    /** One sentence shown in the palette and the inspector. */
    description: string;
    /** One-line summary shown on the node, e.g. `6@5×5 s1 same relu`. */
    summary(p: P): string;
  };
  /** Present when the layer learns spatial filters (see `SpatialFilters`). */
  spatialFilters?: SpatialFilters;
  /** Set when the layer's main weight is a [C_in, C_out] matrix applied along the last axis (Dense): same maths as a `dense` filter bank with no spatial extent. */
  denseKernel?: boolean;
  /** How many inputs the node takes: Input `{0,0}`, most layers `{1,1}`, merges `{2, Infinity}`. */
  inputs: { min: number; max: number };
  /** Output shape for the given input shapes, or an error. Never throws. */
  inferShape(inputs: Shape[], p: P): InferResult;
  /** Parameter count, Keras' convention. Omitted means 0/0. */
  count?(inputs: Shape[], out: Shape, p: P): ParamCount;
  /** Multiply-accumulates of conv and dense maths (bias excluded), per sample. Omitted means 0. */
  macs?(inputs: Shape[], out: Shape, p: P): number;
  /** Elementwise FLOPs per sample (bias adds, BN, activations, pooling comparisons, merges). Omitted means 0. */
  elementwise?(inputs: Shape[], out: Shape, p: P): number;
  /** Applies the tfjs layer to its inputs (an Input node returns `tf.input(...)`). */
  build(tf: Tf, p: P, name: string, inputs: SymbolicTensor[]): SymbolicTensor;
  /** Keras layer config (snake_case) without `name`, `trainable` and `dtype`. */
  toKeras(p: P): Record<string, unknown>;
  /**
   * Params from a Keras layer config (snake_case). The result is validated with `params` afterwards,
   * so this only maps names; it throws an `Error` for a config it cannot represent.
   */
  fromKeras(config: Record<string, unknown>): Record<string, unknown>;
  /**
   * PyTorch code for the layer (`src/export/pytorch-script.ts` assembles the module; helpers in `lib/pytorch.ts`).
   * Omitted: the export refuses a graph with this kind, naming the layer. Throws naming the layer for params PyTorch
   * cannot express.
   */
  toPyTorch?(ctx: PyTorchContext<P>): PyTorchCode;
  /**
   * ONNX nodes and initializers for the layer (`src/export/onnx.ts` assembles the model; helpers, the channels-first
   * layout convention and opset in `lib/onnx.ts`). Omitted: the export refuses a graph with this kind, naming the
   * layer. Throws `onnxError` (naming the layer) for params ONNX cannot express.
   */
  toOnnx?(ctx: OnnxContext<P>): OnnxCode;
  /** Test samples and a random-params generator; see `LayerTesting`. */
  testing?: LayerTesting;
  /** Migrations of stored params, index i upgrades version i+1 to i+2. */
  migrations?: Array<(old: Record<string, unknown>) => Record<string, unknown>>;
}

/** Declares a layer kind; the identity function, there for inference of `P` from the schema. */
export function defineLayerKind<S extends z.ZodType>(def: LayerKind<z.output<S>> & { params: S }): LayerKind<z.output<S>> {
  return def;
}

export const isError = (r: InferResult): r is { error: LayerError } => 'error' in r;

export const product = (s: Shape): number => s.reduce((a, b) => a * b, 1);

export const fmtShape = (s: Shape): string => s.join('×');

/** Equal shapes (both missing counts as equal). */
export const sameShape = (a: Shape | undefined, b: Shape | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((d, i) => d === b[i]));
