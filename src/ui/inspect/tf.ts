import type * as tfjs from '@tensorflow/tfjs';

export type Tf = typeof tfjs;

let loading: Promise<Tf> | undefined;

/**
 * tfjs for the main thread, loaded on first use (it is large and only Inspect/Export need it here; training has its
 * own copy in the worker). The cpu backend: one image or a thousand test images are cheap, and it needs no WebGL
 * (SwiftShader on this kind of machine) or wasm files.
 */
export function loadTf(): Promise<Tf> {
  loading ??= import('@tensorflow/tfjs').then(async (tf) => {
    await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  });
  return loading;
}

/** Saves a blob under `name` through a temporary link. */
export function download(name: string, data: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(data);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 5000);
}
