import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './ui/styles/base.css';
import { App } from './ui/App';
import { boot, startAutosave, watchShareLinks } from './store/persist';
import { startRuns } from './store/runs';
import { useUiStore } from './store/ui';
import { getPreset } from './ui/presets';

// Decide the document before the first render so the canvas mounts with the right graph and viewport.
startAutosave();
const message = boot({ getPreset });
if (message) useUiStore.getState().toast(message.kind, message.text);
startRuns();
// Test builds only: the e2e stories' and benches' hooks (never loaded otherwise).
if (window.__convasTest) void import('./ui/runs/test-hooks').then((m) => (window.__convasTest!.seedReplayRun = m.seedReplayRun));
watchShareLinks((m, p) => {
  const ui = useUiStore.getState();
  ui.toast(m.kind, m.text);
  ui.select([]);
  ui.requestView(p.viewport ? { type: 'set', ...p.viewport } : { type: 'open' });
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
