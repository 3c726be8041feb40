import type * as tfjs from '@tensorflow/tfjs';
import type { TensorInfo, WasmBackend } from '../backend-types';

/**
 * `Tile` as block copies. The output is built in place, innermost axis first: x's row is copied once, and each
 * axis' block (one repetition of everything inside it) is then repeated by doubling `copyWithin`s, so every output
 * element is written once by a memmove instead of by a per-element index computation. BatchNorm's gradient tiles
 * the [1, 1, 1, C] inverse deviation to the activation's full [N, H, W, C] shape once per layer and step; the stock
 * kernel spends most of a VGG step's non-convolution time there. Strings go to the stock kernel.
 */
export function tileKernel(stock: tfjs.KernelConfig): tfjs.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { reps } = args.attrs as unknown as { reps: number[] };
    if (x.dtype === 'string' || reps.length !== x.shape.length) return stock.kernelFunc(args);
    const be = args.backend as unknown as WasmBackend;
    const shape = x.shape;
    const outShape = shape.map((s, i) => s * reps[i]);
    const out = be.makeOutput(outShape, x.dtype);
    if (outShape.some((s) => s === 0)) return out;
    const src = be.typedArrayFromHeap(x);
    const dst = be.typedArrayFromHeap(out);
    const r = shape.length;
    if (r === 0) {
      dst[0] = src[0];
      return out;
    }
    // Strides of x and of the output, in elements.
    const xStride = new Array<number>(r);
    const oStride = new Array<number>(r);
    xStride[r - 1] = 1;
    oStride[r - 1] = 1;
    for (let d = r - 2; d >= 0; d--) {
      xStride[d] = xStride[d + 1] * shape[d + 1];
      oStride[d] = oStride[d + 1] * outShape[d + 1];
    }
    /** Repeats dst[at, at + block) until `total` elements from `at` are filled. */
    const repeat = (at: number, block: number, total: number) => {
      for (let filled = block; filled < total; ) {
        const n = Math.min(filled, total - filled);
        dst.copyWithin(at + filled, at, at + n);
        filled += n;
      }
    };
    const fill = (d: number, xOff: number, oOff: number) => {
      if (d === r - 1) {
        dst.set(src.subarray(xOff, xOff + shape[d]), oOff);
      } else {
        for (let i = 0; i < shape[d]; i++) fill(d + 1, xOff + i * xStride[d], oOff + i * oStride[d]);
      }
      repeat(oOff, shape[d] * oStride[d], outShape[d] * oStride[d]);
    };
    fill(0, 0, 0);
    return out;
  };
}
