import { ReactFlowProvider } from '@xyflow/react';
import { Canvas } from './canvas/Canvas';
import { StatusBar } from './StatusBar';
import { Toasts } from './Toasts';

/** The editor: toolbar, palette, canvas, side panels and status bar. */
export function App() {
  return (
    <ReactFlowProvider>
      <div className="app">
        <div className="workspace">
          <Canvas />
        </div>
        <StatusBar />
        <Toasts />
      </div>
    </ReactFlowProvider>
  );
}
