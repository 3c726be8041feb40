import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from './define';

/**
 * Batch normalisation in training as one operation with its own gradient, instead of the ops tfjs-layers composes it
 * of (moments: Mean, Sub, Square, Mean; then FusedBatchNorm; and their gradients: Tile, Multiply, Sum, Sub, RealDiv …,
 * about twenty kernels per layer per step, several of them over the whole activation).
 *
 * Forward, per channel c over the M = size / C positions: mean = Σx / M, variance = Σ(x − mean)² / M (biased, as
 * tf.moments), y = γ · (x − mean) / √(variance + ε) + β. Backward, with x̂ = (x − mean) / √(variance + ε):
 * dβ = Σdy, dγ = Σdy · x̂, dx = γ / √(variance + ε) · (dy − dβ / M − x̂ · dγ / M) — the gradient of the composed ops,
 * mean and variance included (they depend on x).
 *
 * A backend may register the two kernels named here (the wasm backend does: src/train/wasm/fast/batchnorm.ts);
 * elsewhere the same maths runs as tfjs ops.
 */
export const BATCH_NORM_TRAIN_KERNEL = 'ConvasBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD_KERNEL = 'ConvasBatchNormTrainGrad';

/** Inputs x [..., C], gamma [C], beta [C]; attrs { epsilon }; outputs [y, mean [C], variance [C]]. */
export interface BatchNormTrainAttrs { epsilon: number }

/**
 * Normalises over every axis but the last with the batch's statistics. Mean and variance come back too, kept out of
 * any enclosing tidy: the caller disposes them.
 */
export function batchNormTraining(tf: Tf, x: tfjs.Tensor, gamma: tfjs.Tensor1D, beta: tfjs.Tensor1D, epsilon: number):
  { y: tfjs.Tensor; mean: tfjs.Tensor1D; variance: tfjs.Tensor1D } {
  const backend = tf.getBackend();
  const fast = !!tf.getKernel(BATCH_NORM_TRAIN_KERNEL, backend) && !!tf.getKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, backend);
  const C = x.shape[x.rank - 1];
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  let stats: [tfjs.Tensor1D, tfjs.Tensor1D] | null = null;
  const op = tf.customGrad((...args: unknown[]) => {
    const [xs, g, b, save] = args as [tfjs.Tensor, tfjs.Tensor1D, tfjs.Tensor1D, tfjs.GradSaveFunc];
    let y: tfjs.Tensor;
    let mean: tfjs.Tensor1D;
    let variance: tfjs.Tensor1D;
    if (fast) {
      [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN_KERNEL, { x: xs, gamma: g, beta: b }, { epsilon } as unknown as tfjs.NamedAttrMap) as [tfjs.Tensor, tfjs.Tensor1D, tfjs.Tensor1D];
    } else {
      const m = tf.moments(xs, axes);
      mean = m.mean as tfjs.Tensor1D;
      variance = m.variance as tfjs.Tensor1D;
      y = tf.batchNorm(xs, mean, variance, b, g, epsilon);
    }
    save([xs, mean, variance, g]);
    // The forward runs inside a tidy: keep the statistics for the caller (who disposes them).
    stats = [tf.keep(mean), tf.keep(variance)];
    return {
      value: y,
      gradFunc: (dy: tfjs.Tensor, saved: tfjs.Tensor[]) => {
        const [sx, sm, sv, sg] = saved;
        if (fast) {
          return tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, { dy, x: sx, mean: sm, variance: sv, gamma: sg }, { epsilon } as unknown as tfjs.NamedAttrMap) as tfjs.Tensor[];
        }
        return tf.tidy(() => {
          const M = sx.size / C;
          const invStd = tf.rsqrt(tf.add(sv, epsilon));
          const xHat = tf.mul(tf.sub(sx, sm), invStd);
          const dBeta = tf.sum(dy, axes);
          const dGamma = tf.sum(tf.mul(dy, xHat), axes);
          const dx = tf.mul(tf.mul(sg, invStd), tf.sub(tf.sub(dy, tf.div(dBeta, M)), tf.mul(xHat, tf.div(dGamma, M))));
          return [dx, dGamma, dBeta];
        });
      },
    };
  });
  const y = op(x, gamma, beta) as tfjs.Tensor;
  const [mean, variance] = stats!;
  return { y, mean, variance };
}

interface BatchNormInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: tfjs.LayerVariable | null;
  beta: tfjs.LayerVariable | null;
  movingMean: tfjs.LayerVariable;
  movingVariance: tfjs.LayerVariable;
}

type LayerClass = new (args: object) => tfjs.layers.Layer;
const classes = new WeakMap<object, LayerClass>();

/**
 * tfjs-layers' BatchNormalization whose training pass (over any one axis) is {@link batchNormTraining}; everything else —
 * weights, inference, moving averages (updated exactly as tfjs-layers does), its class name and config, so saving and
 * Keras export — is the original layer's.
 */
export function batchNormalizationLayer(tf: Tf, args: Parameters<Tf['layers']['batchNormalization']>[0]): tfjs.layers.Layer {
  let Fused = classes.get(tf);
  if (!Fused) {
    const Base = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as LayerClass & { className: string };
    class BatchNormalization extends Base {
      static override className = Base.className;
      override call(inputs: tfjs.Tensor | tfjs.Tensor[], kwargs: { training?: boolean }): tfjs.Tensor | tfjs.Tensor[] {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        const self = this as unknown as BatchNormInternals;
        const axis = self.axis >= 0 ? self.axis : self.axis + x.rank;
        if (!kwargs?.training && axis !== x.rank - 1) {
          // tfjs 4.22's batchNorm kernels (cpu, wasm) index γ, β and the statistics by flat position modulo their
          // length, i.e. always along the last axis: on any other axis its inference output is wrong. Broadcast here.
          return tf.tidy(() => {
            const shape = x.shape.map((d, i) => (i === axis ? d : 1));
            const at = (v: tfjs.LayerVariable | null) => (v ? tf.reshape(v.read(), shape) : null);
            const inv = tf.rsqrt(tf.add(at(self.movingVariance)!, self.epsilon));
            const scale = self.gamma ? tf.mul(inv, at(self.gamma)!) : inv;
            const y = tf.mul(tf.sub(x, at(self.movingMean)!), scale);
            return self.beta ? tf.add(y, at(self.beta)!) : y;
          });
        }
        if (!kwargs?.training || x.dtype !== 'float32') return super.call(inputs, kwargs);
        return tf.tidy(() => {
          // Another axis than the last: normalise a transposed view with that axis last (tfjs-layers' own training
          // pass gives wrong statistics there, and fails without γ or β), then transpose back.
          const last = axis === x.rank - 1;
          const perm = [...Array.from({ length: x.rank }, (_, i) => i).filter((i) => i !== axis), axis];
          const back = perm.map((_, i) => perm.indexOf(i));
          const xl = last ? x : tf.transpose(x, perm);
          const C = x.shape[axis];
          const gamma = (self.gamma?.read() ?? tf.ones([C])) as tfjs.Tensor1D;
          const beta = (self.beta?.read() ?? tf.zeros([C])) as tfjs.Tensor1D;
          const { y: yl, mean, variance } = batchNormTraining(tf, xl, gamma, beta, self.epsilon);
          const y = last ? yl : tf.transpose(yl, back);
          for (const [variable, value] of [[self.movingMean, mean], [self.movingVariance, variance]] as const) {
            tf.tidy(() => {
              const orig = variable.read();
              variable.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - self.momentum)));
            });
          }
          tf.dispose([mean, variance]);
          return y;
        });
      }
    }
    Fused = BatchNormalization;
    classes.set(tf, Fused);
  }
  return new Fused(args ?? {});
}
