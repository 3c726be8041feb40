/**
 * The graph a bench trains: the preset's, with its Input resized when CONVAS_BENCH_INPUT is set (e.g. "32,32,3": the
 * MobileNet preset at CIFAR size, which fits a browser's memory at batch 64). The same graph goes to both sides of
 * the PyTorch comparison.
 */
import type { Graph } from '../src/graph/types';
import { getPreset, presetList } from '../presets/index';

export function benchInputShape(): number[] | undefined {
  const v = process.env.CONVAS_BENCH_INPUT;
  if (!v) return undefined;
  const shape = v.split(/[,x×]/).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 1)) throw new Error(`CONVAS_BENCH_INPUT: "${v}" is not a shape such as 32,32,3`);
  return shape;
}

export function benchGraph(presetId: string, input?: number[]): Graph {
  const graph = getPreset(presetId)?.graph;
  if (!graph) throw new Error(`unknown preset "${presetId}" (known: ${presetList.map((p) => p.id).join(', ')})`);
  if (!input) return graph;
  const inputs = graph.nodes.filter((n) => n.kind === 'Input');
  if (inputs.length !== 1) throw new Error(`CONVAS_BENCH_INPUT: preset ${presetId} has ${inputs.length} inputs, not one`);
  return { ...graph, nodes: graph.nodes.map((n) => (n.kind === 'Input' ? { ...n, params: { ...n.params, shape: input } } : n)) };
}
