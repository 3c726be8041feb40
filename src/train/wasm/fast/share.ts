import type * as tfjs from '@tensorflow/tfjs';
import type { TensorInfo, WasmBackend } from '../backend-types';

/**
 * `Identity` without a copy: the output shares the input's buffer, reference-counted, as the cpu backend's Identity
 * and every backend's Reshape do (tensors are immutable; a Variable assigned this output keeps the buffer alive).
 * The stock wasm kernel copies the whole tensor; a training step makes about fifty such copies (autodiff clones).
 */
export const identityKernel: tfjs.KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  (backend as unknown as WasmBackend).incRef(x.dataId); // as tfjs's own Reshape kernels do
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
};

/** `Cast` to the tensor's own dtype shares the buffer (ReLU's gradient casts a float32 activation to float32). */
export function castKernel(stock: tfjs.KernelConfig): tfjs.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: tfjs.DataType };
    if (dtype !== x.dtype || dtype === 'string') return stock.kernelFunc(args);
    return identityKernel(args);
  };
}
