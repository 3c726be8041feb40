import { buildModel } from '../../export/artifacts';
import { snapshotWeights, type WeightSnapshot } from '../../compile/weights';
import { freshId, useDocStore } from '../../store/doc';
import { flatFor } from '../../store/blocks';
import { inferenceFor, structuralGraphFor } from '../../store/inference';
import { RUN_RECORD_VERSION, runStore, type RunRecord } from '../../store/run-store';
import { refreshRuns, restoreTrainedWeights } from '../../store/runs';
import { graphKey, useTrainingStore } from '../../store/training';
import { loadTf } from '../inspect/tf';

/**
 * Test builds only (the page opened with `e2e-hooks`): writes a finished run of the open design with `epochs` kept
 * epochs into the run store, through the app's own store, so a bench can scrub a large model's replay without training
 * it first. Epoch e's weights are the seeded initial ones drifted by e steps of a fixed pseudo-random walk: every
 * epoch differs, as trained epochs do.
 */
export async function seedReplayRun(epochs: number): Promise<{ runId: string; epochs: number[] }> {
  const tf = await loadTf();
  const project = useDocStore.getState().project;
  const graph = structuralGraphFor(flatFor(project).graph);
  const model = buildModel(tf, graph, null);
  const initial = snapshotWeights(model);
  model.dispose();
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const drift = initial.map((l) => l.tensors.map((t) => Float32Array.from(t.data, () => rand())));
  const at = (e: number): WeightSnapshot =>
    initial.map((l, i) => ({ layer: l.layer, tensors: l.tensors.map((t, j) => ({ ...t, data: Float32Array.from(t.data, (v, k) => v + 0.15 * e * drift[i][j][k] * (Math.abs(v) + 0.05)) })) }));
  const totals = inferenceFor(graph).totals;
  const now = Date.now();
  let run: RunRecord = {
    version: RUN_RECORD_VERSION, id: freshId('run'), name: `${project.name} · seeded replay`, projectId: useDocStore.getState().projectId, projectName: project.name,
    createdAt: now, updatedAt: now, status: 'finished', graph, fingerprint: graphKey(graph), settings: { ...useTrainingStore.getState().settings, epochs },
    params: totals.params, macs: totals.macs, batches: [], seconds: epochs, keepEveryEpoch: true, kept: [], problems: [], resumes: 0,
    epochs: Array.from({ length: epochs }, (_v, i) => ({ epoch: i + 1, loss: 2 / (i + 1), acc: 0.1 + 0.15 * i, seconds: 1 })),
  };
  await runStore.putRun(run);
  for (let e = 1; e <= epochs; e++) run = await runStore.putEpochWeights(run, e, at(e));
  await refreshRuns();
  await restoreTrainedWeights(graph);
  return { runId: run.id, epochs: run.kept.map((k) => k.epoch) };
}
