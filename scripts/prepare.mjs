// Prepares what the app serves but git does not hold: the tfjs wasm binaries and the datasets (public/datasets/,
// see scripts/datasets/convert.mjs for the format). Run by `npm start` and `npm test`; only missing files are made.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareDatasets } from './datasets/convert.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wasmSrc = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const wasmDst = join(root, 'public/tfjs-wasm');
mkdirSync(wasmDst, { recursive: true });
for (const f of readdirSync(wasmSrc).filter((f) => f.endsWith('.wasm'))) {
  if (!existsSync(join(wasmDst, f))) copyFileSync(join(wasmSrc, f), join(wasmDst, f));
}
prepareDatasets(root);
