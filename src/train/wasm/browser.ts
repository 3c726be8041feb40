import type * as tfjs from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradients } from './missing-gradients';

/**
 * Points tfjs's wasm backend at the .wasm files Vite serves under `<base>tfjs-wasm/`, keeps it on the non-threaded
 * build, and registers the missing gradient kernels. For every worker that trains (the training worker and its
 * data-parallel followers). Call once per worker, before the backend initialises.
 *
 * The threaded wasm build stays off, although the page is cross-origin isolated, because it is slower here; the
 * second core is used by a second worker instead (../replicas.ts).
 * Why it breaks when bundled: tfjs hands its pthread workers `new Blob(['var WasmBackendModuleThreadedSimd = ' +
 * factory.toString()])`, a function that reads its enclosing closure's `_scriptDir` behind
 * `typeof _scriptDir !== "undefined"`. The minifier (oxc, `build.minify`) mangles `_scriptDir` to `e` and, since the
 * binding is declared in its scope, folds the guard to `e !== void 0`, which throws in the pthread worker where the
 * closure does not exist: "Uncaught ReferenceError: e is not defined" (tensorflow/tfjs#4528 added that guard for
 * webworkers; #4107 and #4539 report the same class of failure). A worker bundle minified without compression
 * (vite.config `worker.rolldownOptions.output.minify: { compress: false, mangle: true, codegen: true }`, a slightly
 * larger bundle) keeps the `typeof` guard, and the threaded build then loads and trains in `vite preview`.
 * Why it stays off: training LeNet-5 on MNIST (production build, fast kernels, one worker, 2 cores), this
 * non-threaded minified build is the fastest; the threaded build is slower with tfjs's one thread and still slower
 * with two (the README has the figures). setThreadsCount(2) alone still gives 1 thread: tfjs caps the pool at half of
 * navigator.hardwareConcurrency. The threaded build's heap is a shared memory, where ./fast/simd.ts's SIMD kernels
 * (unshared memory import) do not bind and their slower fallbacks run instead; only XNNPACK ops use the second
 * thread; and the uncompressed worker bundle it needs is itself slower.
 */
export function configureBrowserWasm(tf: typeof tfjs, baseUrl: string, pageHref: string): void {
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  setWasmPaths(new URL(`${base}tfjs-wasm/`, pageHref).href);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  registerWasmGradients(tf);
}
