import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../../../nodes/lib/define';
import type { ConvAttrs, TensorInfo } from '../wasm/backend-types';

/**
 * A faster `Conv2DBackpropFilter` for tfjs's pure-JS cpu backend. The stock kernel (tfjs-backend-cpu 4.22) reads x and
 * dy through `TensorBuffer.get(...)` per multiply-accumulate, and took most of a LeNet-5 training step's time, which
 * made the cpu backend far too slow to train convolutions. This one runs the same sum over typed arrays, innermost over
 * the output channels: dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·s + kh − top, ow·s + kw − left, ci] · dy[n, oh, ow, co].
 * Channels-last only; anything else goes to the stock kernel.
 */

/** The parts of tfjs-backend-cpu's MathBackendCPU the kernel uses. */
interface CpuBackend {
  data: { get(dataId: unknown): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tfjs.DataType, values: Float32Array): TensorInfo;
}

export function conv2DBackpropFilterCpu(tf: Tf, stock: tfjs.KernelConfig | undefined): tfjs.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const a = attrs as unknown as ConvAttrs;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const be = backend as unknown as CpuBackend;
    const xs = be.data.get(x.dataId).values;
    const ds = be.data.get(dy.dataId).values;
    if ((a.dataFormat !== undefined && a.dataFormat !== 'NHWC') || !(xs instanceof Float32Array) || !(ds instanceof Float32Array)) {
      if (!stock) throw new Error('Conv2DBackpropFilter on cpu: only float32 NHWC is supported');
      return stock.kernelFunc(args);
    }
    const c = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape!, a.strides, 1, a.pad as 'valid', a.dimRoundingMode);
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO,
      filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW } = c;
    const top = c.padInfo.top;
    const left = c.padInfo.left;
    const dw = new Float32Array(KH * KW * CI * CO);
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const d0 = ((n * OH + oh) * OW + ow) * CO;
          for (let kh = 0; kh < KH; kh++) {
            const ih = oh * SH + kh - top;
            if (ih < 0 || ih >= H) continue;
            for (let kw = 0; kw < KW; kw++) {
              const iw = ow * SW + kw - left;
              if (iw < 0 || iw >= W) continue;
              const x0 = ((n * H + ih) * W + iw) * CI;
              const w0 = (kh * KW + kw) * CI * CO;
              for (let ci = 0; ci < CI; ci++) {
                const xv = xs[x0 + ci];
                if (xv === 0) continue; // ReLU outputs: many zeros
                const o = w0 + ci * CO;
                for (let co = 0; co < CO; co++) dw[o + co] += xv * ds[d0 + co];
              }
            }
          }
        }
      }
    }
    return be.makeTensorInfo([KH, KW, CI, CO], 'float32', dw);
  };
}

let undo: (() => void) | null = null;

/** Registers the faster cpu `Conv2DBackpropFilter` (idempotent); returns a function that restores the stock kernel. */
export function registerCpuGradients(tf: Tf): () => void {
  if (undo) return undo;
  const stock = tf.getKernel('Conv2DBackpropFilter', 'cpu');
  if (stock) tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'cpu', kernelFunc: conv2DBackpropFilterCpu(tf, stock) });
  const u = () => {
    tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
    if (stock) tf.registerKernel(stock);
    undo = null;
  };
  undo = u;
  return u;
}
