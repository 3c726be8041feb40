/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation lets the tfjs wasm backend use threads (SharedArrayBuffer).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The large libraries the first screen must not load, by the chunk-name prefix their code gets. Naming only: how the
 * code is split comes from the dynamic imports (src/ui/lazy/, src/graph/layout.ts, src/ui/inspect/tf.ts). The names
 * let scripts/first-load-budget.mjs and e2e/first-screen-loads-only-the-editor.spec.ts see what was fetched.
 */
const LAZY_LIBRARIES: Record<string, RegExp> = {
  tfjs: /node_modules[\\/]@tensorflow[\\/]/,
  charts: /node_modules[\\/]recharts[\\/]/,
  elk: /node_modules[\\/]elkjs[\\/]/,
};

function chunkFileName(chunk: { name: string; moduleIds: readonly string[] }): string {
  for (const [prefix, test] of Object.entries(LAZY_LIBRARIES)) if (chunk.moduleIds.some((id) => test.test(id))) return `assets/${prefix}-[name]-[hash].js`;
  return 'assets/[name]-[hash].js';
}

export default defineConfig({
  plugins: [react()],
  server: { headers: isolation, port: 5173, strictPort: false },
  preview: { headers: isolation, port: 4173 },
  worker: { format: 'es', rolldownOptions: { output: { chunkFileNames: chunkFileName } } },
  build: {
    // The budget check reads which chunks index.html loads statically from the manifest.
    manifest: true,
    rolldownOptions: { output: { chunkFileNames: chunkFileName } },
    // tfjs and ELK are big by nature and load only when used; the first screen's budget is checked separately.
    chunkSizeWarningLimit: 2600,
  },
  test: {
    include: ['nodes/**/*.test.ts', 'src/**/*.test.ts', 'src/**/*.test.tsx', 'presets/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['src/fuzz/property-seed.ts'],
    // Two test files at a time even on two cores (Vitest's default would be one): the suite waits on worker threads,
    // Python and onnxruntime often enough that the second file fills the gaps, which keeps CI well inside its budget.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
