import { useEffect } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { flatProjectFor } from '../store/blocks';
import { useDocStore, useInference, useStructuralGraph } from '../store/doc';
import { currentProject } from '../store/persist';
import { useUiStore } from '../store/ui';
import { importFiles } from './actions';
import { Canvas } from './canvas/Canvas';
import { importDrop } from './data/actions';
import { DiffView } from './diff/DiffView';
import { isDatasetDrop, takeDrop } from './data/files';
import { Dialogs } from './Dialogs';
import { EmptyState } from './EmptyState';
import { Palette } from './palette/Palette';
import { useShortcuts } from './shortcuts';
import { ExportMenu } from './inspect/ExportMenu';
// Data, Train and Inspect load when their tab is first opened; these wrappers show a loading line meanwhile.
import { DataPanel, InspectPanel, RunsPanel, TrainPanel } from './lazy/panels';
import { SidePanel, type ExtraTab } from './SidePanel';
import { StatusBar } from './StatusBar';
import { Toasts } from './Toasts';
import { Toolbar } from './Toolbar';
import { Workspace } from './Workspace';

/** A drop of files: dataset files and folders go to the dataset import, anything else (projects, model.json) to the project import. */
function routeDrop(files: File[], dt: DataTransfer): void {
  const dropped = takeDrop(dt);
  if (isDatasetDrop(dropped)) void importDrop(dropped);
  else if (files.length) void importFiles(files);
}

/** Drops of files outside the canvas (which routes its own drops the same way). */
function usePageDrop(): void {
  useEffect(() => {
    const over = (e: DragEvent) => {
      if (e.defaultPrevented || !e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    };
    const drop = (e: DragEvent) => {
      if (e.defaultPrevented || !e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      routeDrop([...e.dataTransfer.files], e.dataTransfer);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, []);
}

/** The Data tab over the document: import datasets, fix the graph to fit one. */
function DataTab() {
  const graph = useStructuralGraph();
  return <DataPanel graph={graph} onUpdateParams={(id, patch) => useDocStore.getState().updateNodeParams(id, patch)} />;
}

/** The Train tab (H5's panel) over the document; positions are left out so drags do not re-render it. */
function TrainTab() {
  const graph = useStructuralGraph();
  const name = useDocStore((s) => s.project.name);
  return <TrainPanel graph={graph} projectName={name} onUpdateParams={(id, patch) => useDocStore.getState().updateNodeParams(id, patch)} />;
}

/** The Inspect tab (H6's panel); graph rewrites it proposes are one undo step. */
function InspectTab() {
  const graph = useStructuralGraph();
  const inference = useInference();
  const selected = useUiStore((s) => (s.selectedNodes.length === 1 ? s.selectedNodes[0] : undefined));
  return <InspectPanel graph={graph} inference={inference} selectedNodeId={selected} onMakeSeparable={(id, opts) => useDocStore.getState().makeSeparable(id, opts)} />;
}

/** Export formats (H6's menu) for the project as it is now, viewport included; every format sees blocks expanded. */
function ExportMenuMount() {
  useDocStore((s) => s.project);
  useDocStore((s) => s.viewport);
  return <ExportMenu project={flatProjectFor(currentProject())} />;
}

const extraTabs: ExtraTab[] = [
  { id: 'data', label: 'Data', render: () => <DataTab />, padded: true },
  { id: 'train', label: 'Train', render: () => <TrainTab />, padded: true },
  { id: 'inspect', label: 'Inspect', render: () => <InspectTab />, padded: true },
  { id: 'runs', label: 'Runs', render: () => <RunsPanel />, padded: true },
];

/** The editor: toolbar, palette, canvas, side panels and status bar. */
export function App() {
  useShortcuts();
  usePageDrop();
  return (
    <ReactFlowProvider>
      <div className="app">
        <Toolbar extra={<ExportMenuMount />} />
        <Workspace>
          <Palette />
          <div className="canvas-wrap">
            <Canvas onDropFiles={routeDrop} />
            <EmptyState />
            <DiffView />
            <Toasts />
          </div>
          <SidePanel extraTabs={extraTabs} />
        </Workspace>
        <StatusBar />
        <Dialogs />
      </div>
    </ReactFlowProvider>
  );
}
