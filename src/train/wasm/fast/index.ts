import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../../../../nodes/lib/define';
import { wasmGradientKernels } from '../missing-gradients';
import { FUSED_ADAM_KERNEL, fusedAdamKernel } from './adam';
import { biasAddKernel } from './bias';
import { batchNormKernelConfigs } from './batchnorm';
import { BATCH_NORM_TRAIN_GRAD_KERNEL, BATCH_NORM_TRAIN_KERNEL } from '../../../../nodes/lib/batchnorm';
import { conv2DBackpropFilterKernel, conv2DBackpropInputKernel } from './conv';
import { conv2DSingleChannelKernel, fusedConv2DKernel } from './conv1';
import { batchMatMulKernel } from './matmul';
import { avgPoolGradKernel, maxPoolGradKernel } from './pool';
import { depthwiseFilterKernel, depthwiseInputKernel } from './depthwise';
import { meanKernel, sumKernel } from './reduce';
import { castKernel, identityKernel } from './share';
import { tileKernel } from './tile';

export { fastAdam, FUSED_ADAM_KERNEL } from './adam';

/** Names of the wasm kernels {@link registerFastKernels} replaces (it also adds {@link FUSED_ADAM_KERNEL}). */
export const FAST_KERNEL_NAMES = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'MaxPoolGrad', 'Sum', 'Identity', 'Cast', 'Add', 'Tile', 'Mean', 'AvgPoolGrad', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'] as const;

/**
 * The fast wasm training kernels. `stock(name)` is the kernel each one replaces (read before replacing: the
 * BatchMatMul override delegates to it, Conv2D and the conv gradients fall back to it for shapes they do not handle).
 */
export function fastKernels(tf: Tf, stock: (name: string) => tfjs.KernelConfig | undefined): tfjs.KernelConfig[] {
  const ours = wasmGradientKernels(tf);
  const h5Filter = ours.find((k) => k.kernelName === 'Conv2DBackpropFilter');
  const dwFilter = stock('DepthwiseConv2dNativeBackpropFilter') ?? ours.find((k) => k.kernelName === 'DepthwiseConv2dNativeBackpropFilter')!;
  const dwInput = stock('DepthwiseConv2dNativeBackpropInput') ?? ours.find((k) => k.kernelName === 'DepthwiseConv2dNativeBackpropInput')!;
  const matMul = stock('BatchMatMul');
  const sum = stock('Sum');
  const cast = stock('Cast');
  const add = stock('Add');
  const conv2D = stock('Conv2D');
  const fusedConv2D = stock('FusedConv2D');
  const tile = stock('Tile');
  const mean = stock('Mean');
  if (!matMul || !sum || !cast || !add || !conv2D || !tile || !mean) throw new Error('registerFastKernels: the wasm backend lacks Conv2D, BatchMatMul, Sum, Cast, Add, Tile or Mean (import @tensorflow/tfjs-backend-wasm first)');
  const fastSum = sumKernel(tf, sum);
  const withSetup = (name: string, kernelFunc: tfjs.KernelFunc): tfjs.KernelConfig => {
    // Keeps the replaced kernel's setupFunc: the backend runs the setups of the kernels registered when it
    // initialises, and the stock kernels called from ours need theirs.
    const old = stock(name);
    return { kernelName: name, backendName: 'wasm', kernelFunc, ...(old?.setupFunc ? { setupFunc: old.setupFunc } : {}) };
  };
  return [
    withSetup('Conv2D', conv2DSingleChannelKernel(tf, conv2D)),
    ...(fusedConv2D ? [withSetup('FusedConv2D', fusedConv2DKernel(tf, fusedConv2D))] : []),
    withSetup('Conv2DBackpropFilter', conv2DBackpropFilterKernel(tf, stock('Conv2DBackpropFilter') ?? h5Filter)),
    withSetup('Conv2DBackpropInput', conv2DBackpropInputKernel(tf, stock('Conv2DBackpropInput'), matMul)),
    withSetup('BatchMatMul', batchMatMulKernel(matMul)),
    withSetup('MaxPoolGrad', maxPoolGradKernel(tf)),
    withSetup('AvgPoolGrad', avgPoolGradKernel(tf)),
    withSetup('DepthwiseConv2dNativeBackpropFilter', depthwiseFilterKernel(tf, dwFilter)),
    withSetup('DepthwiseConv2dNativeBackpropInput', depthwiseInputKernel(tf, dwInput)),
    withSetup('Sum', fastSum),
    withSetup('Mean', meanKernel(tf, mean, fastSum)),
    withSetup('Identity', identityKernel),
    withSetup('Cast', castKernel(cast)),
    withSetup('Add', biasAddKernel(add)),
    withSetup('Tile', tileKernel(tile)),
    { kernelName: FUSED_ADAM_KERNEL, backendName: 'wasm', kernelFunc: fusedAdamKernel },
    ...batchNormKernelConfigs(),
  ];
}

let active: (() => void) | null = null;

/**
 * Registers the fast training kernels on tfjs's 'wasm' backend, replacing the kernels of the same names (tfjs's own,
 * or the gradient kernels of src/train/wasm/missing-gradients.ts). Import `@tensorflow/tfjs-backend-wasm` first; calling it
 * before or after `tf.setBackend('wasm')` both work. Also adds the fused Adam update kernel that {@link fastAdam}
 * uses and the training batch-norm kernels of nodes/lib/batchnorm.ts. Idempotent: a second call returns the first call's undo. Returns a function that restores the replaced
 * kernels. Other backends are untouched.
 */
export function registerFastKernels(tf: Tf): () => void {
  if (active) return active;
  const previous = new Map<string, tfjs.KernelConfig>();
  for (const name of [...FAST_KERNEL_NAMES, FUSED_ADAM_KERNEL, BATCH_NORM_TRAIN_KERNEL, BATCH_NORM_TRAIN_GRAD_KERNEL]) {
    const k = tf.getKernel(name, 'wasm');
    if (k) previous.set(name, k);
  }
  const configs = fastKernels(tf, (name) => previous.get(name));
  for (const k of configs) {
    if (previous.has(k.kernelName)) tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
  const undo = () => {
    if (active !== undo) return;
    for (const k of configs) if (tf.getKernel(k.kernelName, 'wasm')) tf.unregisterKernel(k.kernelName, 'wasm');
    for (const k of previous.values()) tf.registerKernel(k);
    active = null;
  };
  active = undo;
  return undo;
}
