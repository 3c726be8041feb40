import { artifactBaseName, buildModel, exportArtifacts, importArtifacts } from '../../export/artifacts';
import { snapshotWeights } from '../../compile/weights';
import { npzBytes, pytorchStateDict } from '../../export/pytorch-weights';
import { diagramSvg } from '../../export/diagram';
import { kerasScript } from '../../export/keras-script';
import { pytorchScript } from '../../export/pytorch-script';
import { inferGraph } from '../../graph/infer';
import type { ProjectFileV1 } from '../../graph/types';
import { openProject } from '../../store/persist';
import { useUiStore } from '../../store/ui';
import { graphKey, useTrainingStore } from '../../store/training';
import { carryWeights } from '../../compile/carry';
import type { WeightSnapshot } from '../../compile/weights';
import { describeCarry } from '../stale';
import { MenuItem } from '../Menu';
import { download, loadTf } from './tf';
import { untrainedWeights } from './untrained';

/*
 * The Export menu's working half: script generators, the diagram and tfjs artifacts. A chunk of its own, fetched when
 * the menu is first opened (or a model file is chosen), so the editor's first screen does not carry it; ExportMenu.tsx
 * is the half the toolbar shows.
 */

const toast = (kind: 'error' | 'success' | 'info', text: string) => useUiStore.getState().toast(kind, text);

/** Rasterises an SVG document at `scale` (2 = retina-sharp) into a PNG blob. */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the browser could not draw the diagram'));
      img.src = url;
    });
    const w = img.naturalWidth || Number(/width="(\d+)/.exec(svg)?.[1] ?? 800);
    const h = img.naturalHeight || Number(/height="(\d+)/.exec(svg)?.[1] ?? 600);
    // Browsers cap canvas area (~16k per side / ~268 M pixels); big graphs get a smaller scale rather than a blank file.
    const s = Math.min(scale, 16000 / w, 16000 / h, Math.sqrt(120e6 / (w * h)));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(w * s));
    canvas.height = Math.max(1, Math.round(h * s));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2-D canvas available');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

function run(what: string, f: () => Promise<void> | void): void {
  Promise.resolve()
    .then(f)
    .catch((e: unknown) => toast('error', `${what} failed: ${(e as Error).message}`));
}

/**
 * The weights a tfjs export saves: the model the Inspect tab shows. Trained weights of the layers that kept them after
 * an edit, and Inspect's random draw (or a new one) for the rest; with a note naming those that start fresh.
 */
function exportedWeights(project: ProjectFileV1): { weights: WeightSnapshot | null; note?: string } {
  const s = useTrainingStore.getState();
  const random = untrainedWeights.get(project.graph) ?? null;
  if (!s.weights) return { weights: random };
  const carry = carryWeights(s.weightsGraph ?? project.graph, project.graph, s.weights);
  if (carry.kept.length === 0) return { weights: random, note: 'Exported with fresh random weights: no layer kept its trained weights after the edits.' };
  if (carry.fresh.length === 0) return { weights: carry.snapshot };
  const kept = new Set(carry.snapshot.map((l) => l.layer));
  return {
    weights: [...(random ?? []).filter((l) => !kept.has(l.layer)), ...carry.snapshot],
    note: `Exported with ${describeCarry(carry)} (random initial weights).`,
  };
}

/** Imports tfjs artifacts (model.json and its .bin files) as a new project with its weights. */
export function importTfjsFiles(files: File[]): void {
  run('Import of the tfjs model', async () => {
    const json = files.find((f) => f.name.endsWith('.json'));
    if (!json) throw new Error('choose the model.json together with its .bin weights file');
    const bins = new Map<string, ArrayBuffer>();
    for (const f of files) if (f !== json) bins.set(f.name, await f.arrayBuffer());
    const tf = await loadTf();
    const imported = await importArtifacts(tf, await json.text(), bins, json.name);
    const { autoLayout } = await import('../../graph/layout');
    const graph = await autoLayout(imported.project.graph);
    // A new project, as the File menu's import does: the current one stays saved.
    openProject({ ...imported.project, graph });
    useUiStore.getState().select([]);
    useUiStore.getState().requestView({ type: 'fit' });
    useTrainingStore.setState({ weights: imported.weights, weightsGraph: graph, weightsGraphKey: graphKey(graph) });
    toast('success', `Imported ${json.name} with its weights (${imported.weights.length} layers); see the Inspect tab.${imported.warnings.length ? `\n• ${imported.warnings.join('\n• ')}` : ''}`);
  });
}

/** The menu's entries; `chooseTfjsFiles` opens the file picker the toolbar half keeps mounted. */
export default function ExportItems({ project, close, chooseTfjsFiles }: { project: ProjectFileV1; close(): void; chooseTfjsFiles(): void }) {
  const base = artifactBaseName(project.name);
  const datasetId = useTrainingStore((s) => s.datasetId);
  const settings = useTrainingStore((s) => s.settings);
  // The Train tab's settings (optimizer, rate, batch, epochs) go into the scripts.
  const withTraining: ProjectFileV1 = { ...project, training: { ...(project.training ?? {}), ...settings } };
  const hasWeights = useTrainingStore((s) => s.weights !== null);
  const svg = () => diagramSvg(project.graph, inferGraph(project.graph), project.name);

  return (
    <>
      <MenuItem
        title="Keras script (.py)"
        sub="tf.keras functional model, layer table, training settings"
        testid="export-keras"
        onClick={() => (close(), run('Keras export', () => download(`${base}_keras.py`, new Blob([kerasScript(withTraining, { datasetId })], { type: 'text/x-python' }))))}
      />
      <MenuItem
        title="PyTorch script (.py)"
        sub="nn.Module with forward(), same params, training loop"
        testid="export-pytorch"
        onClick={() => (close(), run('PyTorch export', () => download(`${base}_pytorch.py`, new Blob([pytorchScript(withTraining, { datasetId })], { type: 'text/x-python' }))))}
      />
      <MenuItem
        title="PyTorch weights (.npz)"
        sub={`${hasWeights ? 'The trained weights' : 'The initial random weights'} for the script: python3 ${base}_pytorch.py --weights ${base}.weights.npz`}
        testid="export-pytorch-weights"
        onClick={() => (
          close(),
          run('PyTorch weights export', async () => {
            const tf = await loadTf();
            const { weights, note } = exportedWeights(project);
            const model = buildModel(tf, project.graph, weights);
            if (note) toast('info', note);
            try {
              const npz = npzBytes(pytorchStateDict(project, snapshotWeights(model)));
              download(`${base}.weights.npz`, new Blob([npz as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
            } finally {
              model.dispose();
            }
          })
        )}
      />
      <MenuItem
        title="ONNX (.onnx)"
        sub={`Opset 13, for onnxruntime, PyTorch, TensorRT…: ${hasWeights ? 'with the trained weights' : 'the initial random weights (not trained yet)'}`}
        testid="export-onnx"
        onClick={() => (
          close(),
          run('ONNX export', async () => {
            const [tf, { exportOnnxWithTf }] = await Promise.all([loadTf(), import('../../export/onnx')]);
            const { weights, note } = exportedWeights(project);
            const bytes = exportOnnxWithTf(tf, project.graph, weights, { name: project.name });
            if (note) toast('info', note);
            download(`${base}.onnx`, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
          })
        )}
      />
      <MenuItem
        title="tfjs model (model.json + weights.bin)"
        sub={hasWeights ? 'With the trained weights' : 'Not trained yet: the initial random weights (those Inspect shows)'}
        testid="export-tfjs"
        onClick={() => (
          close(),
          run('tfjs export', async () => {
            const tf = await loadTf();
            const { weights, note } = exportedWeights(project);
            const art = await exportArtifacts(tf, project, weights);
            if (note) toast('info', note);
            download(`${base}.json`, new Blob([JSON.stringify(art.modelJson)], { type: 'application/json' }));
            download(art.weightsFileName, new Blob([art.weightsBin], { type: 'application/octet-stream' }));
          })
        )}
      />
      <MenuItem
        title="Import tfjs model…"
        sub="model.json + its .bin file(s): graph and trained weights"
        testid="import-tfjs"
        onClick={() => (close(), chooseTfjsFiles())}
      />
      <MenuItem title="Diagram (SVG)" sub="Vector drawing of the graph" testid="export-svg" onClick={() => (close(), run('SVG export', () => download(`${base}.svg`, new Blob([svg()], { type: 'image/svg+xml' }))))} />
      <MenuItem
        title="Diagram (PNG)"
        sub="The same drawing at 2× resolution"
        testid="export-png"
        onClick={() => (close(), run('PNG export', async () => download(`${base}.png`, await svgToPng(svg()))))}
      />
    </>
  );
}
