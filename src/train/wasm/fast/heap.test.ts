import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { nodeWasm } from '../node';
import type { WasmBackend } from '../backend-types';
import { heapOf, offsetOf } from './heap';

const root = join(__dirname, '../../../..');
const installed = (JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/package.json'), 'utf8')) as { version: string }).version;

/**
 * The wasm kernels read BackendWasm's private internals (see WasmBackend in ../backend-types.ts); a tfjs update may
 * rename or reshape them without notice. Each check below names the one internal it pins, so a failure says what moved.
 */
function pin(field: string, holds: () => boolean): void {
  let ok = false;
  try {
    ok = holds();
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new Error(`tfjs-backend-wasm internals changed: ${field} — src/train/wasm/fast/heap.ts relies on it; pin the tested version or update heap.ts (installed: ${installed})`);
  }
}

let be: WasmBackend & { numDataIds(): number };
beforeAll(async () => {
  await nodeWasm(root);
  await tf.setBackend('wasm');
  be = tf.backend() as unknown as typeof be;
});

describe('tfjs-backend-wasm internals the wasm kernels rely on', () => {
  it('wasm.asm.memory: the heap, a WebAssembly.Memory', () => {
    pin('BackendWasm.wasm.asm.memory', () => heapOf(be) instanceof WebAssembly.Memory);
  });

  it('dataIdMap.get(dataId).memoryOffset: where a tensor\'s bytes are on the heap', () => {
    const t = tf.tensor1d([1.5, -2, 3.25]);
    try {
      pin('BackendWasm.dataIdMap.get(dataId).memoryOffset', () => {
        const off = offsetOf(be, t);
        return Number.isInteger(off) && Array.from(new Float32Array(heapOf(be)!.buffer, off, 3)).join() === '1.5,-2,3.25';
      });
    } finally {
      t.dispose();
    }
  });

  it('makeOutput, typedArrayFromHeap, disposeData: a kernel\'s own tensors', () => {
    const before = be.numDataIds();
    let out: tf.TensorInfo | undefined;
    pin('BackendWasm.makeOutput(shape, dtype)', () => {
      out = be.makeOutput([2, 3], 'float32');
      return out.shape.join() === '2,3' && out.dtype === 'float32' && be.numDataIds() === before + 1;
    });
    pin('BackendWasm.typedArrayFromHeap(tensorInfo)', () => {
      const view = be.typedArrayFromHeap(out!);
      return view instanceof Float32Array && view.length === 6 && view.buffer === heapOf(be)!.buffer && view.byteOffset === offsetOf(be, out!);
    });
    pin('BackendWasm.disposeData(dataId)', () => be.disposeData(out!.dataId) && be.numDataIds() === before);
  });

  it('incRef: a zero-copy output keeps its input\'s buffer alive', () => {
    const before = be.numDataIds();
    const out = be.makeOutput([4], 'float32');
    pin('BackendWasm.incRef(dataId)', () => {
      be.incRef(out.dataId);
      return !be.disposeData(out.dataId) && be.numDataIds() === before + 1 && be.disposeData(out.dataId) && be.numDataIds() === before;
    });
    expect(be.numDataIds()).toBe(before);
  });
});
