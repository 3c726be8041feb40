import type { LayerError, ParamCount, Shape } from '../../nodes/lib/define';
import type { BlockDef } from './blocks';

export interface XY {
  x: number;
  y: number;
}

/** One layer on the canvas. `params` is stored as the user set it; inference parses it with the kind's schema. */
export interface GraphNode {
  id: string;
  kind: string;
  /** Layer name, unique in the graph (becomes the Keras/tfjs layer name). */
  name: string;
  params: Record<string, unknown>;
  position: XY;
  /** For an instance of a block (kind `Block`): the definition's id; `params` then holds its exposed values. */
  block?: string;
}

/** A tensor flowing from `source`'s output into input slot `targetIndex` of `target` (merges order by slot). */
export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  targetIndex: number;
  /** Output port of the source; only block instances have more than one (absent means 0). */
  sourceIndex?: number;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export type NodeStatus = 'ok' | 'error' | 'blocked';

/** Everything derived for one node. Never stored in the document. */
export interface NodeInference {
  id: string;
  status: NodeStatus;
  inputShapes: Shape[];
  /** Present when status is 'ok'. */
  outputShape?: Shape;
  /** The validated params with defaults filled in; present when they parsed. */
  params?: Record<string, unknown>;
  count: ParamCount;
  macs: number;
  /** 2 × MACs. */
  flops: number;
  /** Elementwise FLOPs (bias, BN, activations, pooling, merges). */
  elementwise: number;
  /** Present when status is 'error': the first of `errors`. */
  error?: LayerError;
  /** Present when status is 'error': every problem of the layer (each refused param, then its shape problem). */
  errors?: LayerError[];
  /** Sizes a browser cannot hold (weights or one sample's output over the wasm heap); the layer stays valid. */
  warnings?: LayerError[];
  /** For 'blocked': the upstream nodes whose errors block this one. */
  blockedBy?: string[];
}

/** A problem of the graph as a whole (no Input, no output, a cycle, unreachable nodes, …). */
export interface GraphIssue {
  code: string;
  message: string;
  nodeIds: string[];
}

export interface GraphTotals {
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  macs: number;
  /** 2 × MACs: conv and dense maths only. */
  flops: number;
  elementwiseFlops: number;
  /** Weights at float32, in bytes. */
  weightsBytesF32: number;
  /** Weights at one byte each (int8 quantisation), in bytes. */
  weightsBytesInt8: number;
  /** float32 bytes of every layer output (Input included) for one sample. */
  activationBytes: number;
}

export interface GraphInference {
  nodes: Record<string, NodeInference>;
  /** Topological order of the acyclic part of the graph. */
  order: string[];
  inputs: string[];
  outputs: string[];
  issues: GraphIssue[];
  /** What a browser cannot hold or train (sizes over its memory); the graph stays valid. */
  warnings: GraphIssue[];
  /**
   * Sums over the layers whose shapes could be inferred (status 'ok'); with any layer left out they are a lower bound
   * of the whole model's figures.
   */
  totals: GraphTotals;
  /** Layers not counted in `totals` (an error, or blocked by one): their shapes, hence their counts, are unknown. */
  leftOut: string[];
  /** True when no node has an error, none is blocked and there are no graph issues. */
  valid: boolean;
}

/** The canvas viewport as React Flow keeps it. */
export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/**
 * File versions of a project: 1 holds a graph; 2 adds block definitions (`blocks`), so that a build from before
 * blocks refuses such a file instead of silently dropping them.
 */
export type ProjectVersion = 1 | 2;

/**
 * A Convas project as files, share links and the editor hold it (the name keeps the first version's, as every module
 * uses it). `version` is the file version the document is written as: `serializeProject` derives it from the content
 * (2 when it has blocks, else 1), so an in-memory value that lags behind does no harm. The zod schema and migrations
 * live in `project.ts`. `format` tells it apart from a Keras/tfjs `model.json`.
 */
export interface ProjectFileV1 {
  format: 'convas-project';
  version: ProjectVersion;
  name: string;
  description?: string;
  graph: Graph;
  /** Block definitions the graph's instances use (absent in files from before blocks). */
  blocks?: BlockDef[];
  viewport?: Viewport;
  /** Training settings the user chose (issue 4); opaque to the graph core. */
  training?: Record<string, unknown>;
}
