import type * as tfjs from '@tensorflow/tfjs';
import { compileGraph } from '../compile/compile';
import { importText } from '../graph/import';
import type { Graph, ProjectFileV1 } from '../graph/types';
import { applyWeights, snapshotWeights, type WeightSnapshot } from '../compile/weights';
import { artifactBaseName } from './python';

type Tf = typeof tfjs;

/** A tfjs Layers model as the two files `tf.LayersModel.save` writes (`model.json` + one weights file). */
export interface TfjsArtifacts {
  /** Parsed `model.json`: topology plus `weightsManifest` pointing at `weightsFileName`. */
  modelJson: tfjs.io.ModelJSON;
  weightsFileName: string;
  weightsBin: ArrayBuffer;
}

export { artifactBaseName } from './python';

/**
 * Builds the graph as a tfjs model (with `weights` loaded when given, fresh initial weights otherwise) —
 * the model the Inspect panel predicts with and the exporter saves. The caller disposes it.
 */
export function buildModel(tf: Tf, graph: Graph, weights: WeightSnapshot | null): tfjs.LayersModel {
  const model = compileGraph(tf, graph);
  try {
    if (weights) applyWeights(tf, model, weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** Saves a model through `tf.io.withSaveHandler` into in-memory artifacts (what `browserDownloads` would write). */
export async function modelToArtifacts(model: tfjs.LayersModel, tf: Tf, baseName: string): Promise<TfjsArtifacts> {
  let saved: tfjs.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved?.modelTopology || !saved.weightSpecs || saved.weightData === undefined) throw new Error('tfjs returned no model artifacts');
  const weightsFileName = `${artifactBaseName(baseName)}.weights.bin`;
  const modelJson: tfjs.io.ModelJSON = {
    modelTopology: saved.modelTopology,
    format: saved.format,
    generatedBy: saved.generatedBy,
    convertedBy: saved.convertedBy,
    weightsManifest: [{ paths: [`./${weightsFileName}`], weights: saved.weightSpecs }],
    ...(saved.trainingConfig ? { trainingConfig: saved.trainingConfig } : {}),
  };
  return { modelJson, weightsFileName, weightsBin: tf.io.CompositeArrayBuffer.join(saved.weightData) };
}

/** The project's graph with `weights` (or fresh ones) as tfjs artifacts. Throws naming the layer when the graph is invalid. */
export async function exportArtifacts(tf: Tf, project: ProjectFileV1, weights: WeightSnapshot | null): Promise<TfjsArtifacts> {
  const model = buildModel(tf, project.graph, weights);
  try {
    return await modelToArtifacts(model, tf, project.name);
  } finally {
    model.dispose();
  }
}

export interface ImportedArtifacts {
  project: ProjectFileV1;
  /** Weights by layer name (= node name), ready for `applyWeights` or the training store. */
  weights: WeightSnapshot;
  warnings: string[];
}

const baseOf = (p: string) => p.split('/').pop() ?? p;

/**
 * Reads `model.json` (+ its weights files, looked up by base name) back: the topology becomes a project through the
 * same checked path as any imported model.json (`importText`: size, forbidden keys, unknown classes), and the weights
 * are loaded by tfjs (`tf.io.fromMemory` → `tf.loadLayersModel`) and snapshotted. Throws listing what is wrong or missing.
 */
export async function importArtifacts(
  tf: Tf,
  modelJsonText: string,
  weightFiles: ReadonlyMap<string, ArrayBuffer>,
  fileName = 'model.json',
): Promise<ImportedArtifacts> {
  const r = importText(modelJsonText, fileName);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  if (r.value.source !== 'keras') throw new Error(`${fileName} is a Convas project, not a tfjs model.json; open it with Import instead`);
  const json = JSON.parse(modelJsonText) as tfjs.io.ModelJSON;
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) throw new Error(`${fileName} has no weightsManifest: it holds an architecture only`);
  const byBase = new Map([...weightFiles].map(([k, v]) => [baseOf(k), v]));
  const buffers: ArrayBuffer[] = [];
  const missing: string[] = [];
  for (const group of manifest) {
    for (const p of group.paths) {
      const b = byBase.get(baseOf(p));
      if (b) buffers.push(b);
      else missing.push(baseOf(p));
    }
  }
  if (missing.length) throw new Error(`missing weights file${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (choose it together with ${fileName})`);
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: manifest.flatMap((g) => g.weights),
      weightData: tf.io.concatenateArrayBuffers(buffers),
    }),
  );
  try {
    const warnings = r.value.warnings.filter((w) => !w.includes('weights manifest was ignored'));
    return { project: r.value.project, weights: snapshotWeights(model), warnings };
  } finally {
    model.dispose();
  }
}
