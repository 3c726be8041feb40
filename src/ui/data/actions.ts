import type { Graph } from '../../graph/types';
import { importOptionsFor, useDatasetsStore, type PickedFile } from '../../store/datasets';
import { useDocStore } from '../../store/doc';
import { useUiStore } from '../../store/ui';
import { droppedFiles, type Dropped } from './files';

/** The shape of the graph's single Input layer, if it has exactly one. */
export function graphInputShape(graph: Graph): number[] | undefined {
  const inputs = graph.nodes.filter((n) => n.kind === 'Input');
  return inputs.length === 1 ? (inputs[0].params.shape as number[] | undefined) : undefined;
}

/** Imports files as a dataset with the options chosen in the Data panel, and shows the Data tab. */
export async function importDatasetFiles(files: PickedFile[]): Promise<void> {
  if (files.length === 0) return;
  useUiStore.getState().setTab('data');
  const store = useDatasetsStore.getState();
  await store.import(files, importOptionsFor(store.choice, graphInputShape(useDocStore.getState().project.graph)));
}

/** A drop of dataset files or folders (anywhere on the page): walks the folders, then imports. */
export async function importDrop(d: Dropped): Promise<void> {
  useUiStore.getState().setTab('data');
  let files: PickedFile[];
  try {
    files = await droppedFiles(d);
  } catch (e) {
    useDatasetsStore.setState({ error: { message: `The dropped files could not be read: ${e instanceof Error ? e.message : String(e)}` } });
    return;
  }
  await importDatasetFiles(files);
}
