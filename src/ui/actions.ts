import type { LayoutDirection } from '../graph/layout';
import { importTextLaidOut, IMPORT_LIMITS } from '../graph/import';
import { isOnnxFileName, ONNX_LIMITS } from '../graph/formats/onnx-file';
import { graphKey, useTrainingStore } from '../store/training';
import { serializeProject } from '../graph/project';
import type { Graph, ProjectFileV1 } from '../graph/types';
import { emptyProject, useDocStore } from '../store/doc';
import { currentProject, deleteProject, flushAutosave, loadProject, openProject, shareUrl } from '../store/persist';
import { guessDirection, useUiStore } from '../store/ui';
import { presetDocument, presetList } from '../../presets/index';
import { layoutInBackground } from './layout/runLayout';

/** Every editor command, shared by the toolbar, the keyboard shortcuts and the menus. */

const ui = () => useUiStore.getState();
const doc = () => useDocStore.getState();

function afterOpen(p: ProjectFileV1): void {
  ui().select([]);
  ui().set({ direction: guessDirection(p.graph) });
  if (p.viewport) ui().requestView({ type: 'set', ...p.viewport });
  else ui().requestView({ type: 'open' });
}

export function newProject(): void {
  const p = emptyProject('Untitled');
  openProject(p);
  afterOpen(p);
}

export function openPreset(id: string): void {
  const p = presetDocument(id);
  if (!p) {
    ui().toast('error', `There is no preset named “${id}”.`);
    return;
  }
  const info = presetList.find((x) => x.id === id);
  const project = { ...p, name: p.name || info?.name || id };
  openProject(project);
  afterOpen(project);
}

export function openSaved(id: string): void {
  const p = loadProject(id);
  if (!p) {
    ui().toast('error', 'That project could not be read from browser storage.');
    return;
  }
  openProject(p, id);
  afterOpen(p);
}

export function removeSaved(id: string): void {
  if (id === doc().projectId) {
    deleteProject(id);
    newProject();
  } else deleteProject(id);
}

export const undo = () => useDocStore.temporal.getState().undo();
export const redo = () => useDocStore.temporal.getState().redo();

let clipboard: Graph | null = null;
let pasteCount = 0;

function selectionFragment(): Graph | null {
  const sel = new Set(ui().selectedNodes);
  if (!sel.size) return null;
  const g = doc().project.graph;
  return {
    nodes: g.nodes.filter((n) => sel.has(n.id)),
    edges: g.edges.filter((e) => sel.has(e.source) && sel.has(e.target)),
  };
}

export function copySelection(): boolean {
  const f = selectionFragment();
  if (!f) return false;
  clipboard = structuredClone(f);
  pasteCount = 0;
  return true;
}

export function paste(): void {
  if (!clipboard) return;
  pasteCount += 1;
  const ids = doc().insertFragment(clipboard, { x: 40 * pasteCount, y: 40 * pasteCount });
  ui().select(ids);
}

export function duplicateSelection(): void {
  const f = selectionFragment();
  if (!f) return;
  const ids = doc().insertFragment(f, { x: 40, y: 40 });
  ui().select(ids);
}

export function deleteSelection(): void {
  const { selectedNodes, selectedEdges } = ui();
  const r = doc().removeElements(selectedNodes, selectedEdges);
  if (!r.ok) {
    ui().toast('error', `Nothing was deleted: ${r.reason}`);
    return;
  }
  ui().select([]);
}

/** Replaces a block instance by its layers (the block stays in the palette); a refusal is said in a toast. */
export function unpackInstance(instanceId: string): void {
  const r = doc().expandInstance(instanceId);
  if (!r.ok) ui().toast('error', r.reason);
}

/** Moves the selected layers by (dx, dy) canvas pixels, one undo step. */
export function nudgeSelection(dx: number, dy: number): void {
  const sel = new Set(ui().selectedNodes);
  const positions: Record<string, { x: number; y: number }> = {};
  for (const n of doc().project.graph.nodes) if (sel.has(n.id)) positions[n.id] = { x: n.position.x + dx, y: n.position.y + dy };
  doc().moveNodes(positions);
}

export function selectAll(): void {
  const g = doc().project.graph;
  ui().select(
    g.nodes.map((n) => n.id),
    g.edges.map((e) => e.id),
  );
}

export async function layout(direction: LayoutDirection): Promise<void> {
  const before = doc().project.graph;
  if (!before.nodes.length || ui().layingOut) return;
  ui().set({ layingOut: true });
  let pos: Record<string, { x: number; y: number }>;
  try {
    pos = await layoutInBackground(before, direction);
  } catch (e) {
    ui().toast('error', `Auto-layout failed: ${(e as Error).message}`);
    return;
  } finally {
    ui().set({ layingOut: false });
  }
  // Another edit may have landed while ELK ran: apply the positions to the graph as it is now.
  const now = doc().project.graph;
  doc().setGraph({ ...now, nodes: now.nodes.map((n) => ({ ...n, position: pos[n.id] ?? n.position })) });
  ui().set({ direction });
  ui().requestView({ type: 'fit' });
}

export const fitView = () => ui().requestView({ type: 'fit' });

function fileName(name: string): string {
  return `${name.trim().replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'project'}.convas.json`;
}

/** Downloads the current project file. */
export function exportProject(): void {
  const p = currentProject();
  const blob = new Blob([serializeProject(p)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = fileName(p.name);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/**
 * Imports a Convas project or a Keras/tfjs model.json as a new project. A file that cannot be read,
 * is too large or is invalid shows every problem and leaves the current graph untouched.
 */
export async function importFiles(files: File[]): Promise<void> {
  const file = files[0];
  if (!file) return;
  if (isOnnxFileName(file.name)) return importOnnxFile(file);
  if (file.size > IMPORT_LIMITS.maxChars) {
    ui().toast(
      'error',
      `Import of ${file.name} refused; your graph is unchanged.\n• the file is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${IMPORT_LIMITS.maxChars / 1048576} MB`,
    );
    return;
  }
  let text: string;
  try {
    text = await file.text();
  } catch (e) {
    ui().toast('error', `Import of ${file.name} refused; your graph is unchanged.\n• the file could not be read (${(e as Error).message})`);
    return;
  }
  const r = await importTextLaidOut(text, file.name);
  if (!r.ok) {
    const shown = r.errors.slice(0, 6);
    const more = r.errors.length - shown.length;
    ui().toast('error', `Import of ${file.name} refused; your graph is unchanged.\n• ${shown.join('\n• ')}${more > 0 ? `\n…and ${more} more` : ''}`);
    return;
  }
  openProject(r.value.project);
  afterOpen(r.value.project);
  const w = r.value.warnings;
  ui().toast(w.length ? 'info' : 'success', `Imported ${file.name} as a new project${w.length ? `:\n• ${w.slice(0, 4).join('\n• ')}` : '.'}`);
}

const refused = (file: File, errors: string[]) => {
  const shown = errors.slice(0, 6);
  const more = errors.length - shown.length;
  ui().toast('error', `Import of ${file.name} refused; your graph is unchanged.\n• ${shown.join('\n• ')}${more > 0 ? `\n…and ${more} more` : ''}`);
};

/**
 * Opens an ONNX model as a new project whose weights become the current trained weights (Inspect and Export use them,
 * as after training). A file that cannot be represented leaves the current project and weights untouched.
 */
async function importOnnxFile(file: File): Promise<void> {
  if (file.size > ONNX_LIMITS.maxBytes) {
    return refused(file, [`the file is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${ONNX_LIMITS.maxBytes / 1048576} MB`]);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    return refused(file, [`the file could not be read (${(e as Error).message})`]);
  }
  // The protobuf reader is a chunk of its own: only ONNX imports need it.
  const { importOnnxLaidOut } = await import('../graph/formats/onnx-import');
  const r = await importOnnxLaidOut(bytes, file.name);
  if (!r.ok) return refused(file, r.errors);
  const { project, weights, warnings } = r.value;
  openProject(project);
  afterOpen(project);
  useTrainingStore.setState({ weights, weightsGraph: project.graph, weightsGraphKey: graphKey(project.graph) });
  const w = warnings.length ? `\n• ${warnings.slice(0, 4).join('\n• ')}` : '';
  ui().toast(w ? 'info' : 'success', `Imported ${file.name} as a new project with its weights (${weights.length} layers); Inspect and Export use them.${w}`);
}

/** The share link of the current project (graph compressed into the hash). */
export function currentShareUrl(): string {
  flushAutosave();
  return shareUrl(currentProject());
}
