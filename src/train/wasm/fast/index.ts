import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;

/** The fast wasm training kernels, in registration order. */
export function fastKernels(_tf: Tf): tfjs.KernelConfig[] {
  return [];
}

/**
 * Registers the fast training kernels on the 'wasm' backend, replacing whatever is registered under the same names
 * (tfjs's own kernels or src/train/wasm's). Returns a function that restores the previous kernels.
 */
export function registerFastKernels(tf: Tf): () => void {
  const previous: tfjs.KernelConfig[] = [];
  const added: string[] = [];
  for (const k of fastKernels(tf)) {
    const old = tf.getKernel(k.kernelName, 'wasm');
    if (old) {
      previous.push(old);
      tf.unregisterKernel(k.kernelName, 'wasm');
    }
    tf.registerKernel(k);
    added.push(k.kernelName);
  }
  return () => {
    for (const name of added) if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    for (const k of previous) tf.registerKernel(k);
  };
}
