import { ReactFlowProvider } from '@xyflow/react';
import { importFiles } from './actions';
import { Canvas } from './canvas/Canvas';
import { Dialogs } from './Dialogs';
import { EmptyState } from './EmptyState';
import { Palette } from './palette/Palette';
import { useShortcuts } from './shortcuts';
import { SidePanel } from './SidePanel';
import { StatusBar } from './StatusBar';
import { Toasts } from './Toasts';
import { Toolbar } from './Toolbar';

const onDropFiles = (files: File[]) => void importFiles(files);

/** The editor: toolbar, palette, canvas, side panels and status bar. */
export function App() {
  useShortcuts();
  return (
    <ReactFlowProvider>
      <div className="app">
        <Toolbar />
        <div className="workspace">
          <Palette />
          <div className="canvas-wrap">
            <Canvas onDropFiles={onDropFiles} />
            <EmptyState />
          </div>
          <SidePanel />
        </div>
        <StatusBar />
        <Toasts />
        <Dialogs />
      </div>
    </ReactFlowProvider>
  );
}
