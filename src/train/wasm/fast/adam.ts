import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../../../../nodes/lib/define';
import type { TensorInfo, WasmBackend } from '../backend-types';

/** The fused Adam update kernel (wasm only): one pass per variable instead of 14 kernels and 6 uploaded scalars. */
export const FUSED_ADAM_KERNEL = 'ConvasFusedAdam';

interface AdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − beta1^t and 1 − beta2^t for this step t (1-based): Adam's bias corrections. */
  correction1: number;
  correction2: number;
}

/**
 * Inputs `value`, `gradient`, `m`, `v`; outputs [value', m', v'] with tfjs's AdamOptimizer formula, elementwise:
 * m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g², value' = value − lr · (m'/c1) / (√(v'/c2) + ε).
 */
export const fusedAdamKernel: tfjs.KernelFunc = ({ inputs, backend, attrs }) => {
  const be = backend as unknown as WasmBackend;
  const { value, gradient, m, v } = inputs as { value: TensorInfo; gradient: TensorInfo; m: TensorInfo; v: TensorInfo };
  const a = attrs as unknown as AdamAttrs;
  for (const [name, t] of [['value', value], ['gradient', gradient], ['m', m], ['v', v]] as const) {
    if (t.dtype !== 'float32') throw new Error(`${FUSED_ADAM_KERNEL}: ${name} must be float32, got ${t.dtype}`);
    if (t.shape.length !== value.shape.length || t.shape.some((d, i) => d !== value.shape[i])) {
      throw new Error(`${FUSED_ADAM_KERNEL}: ${name} has shape [${t.shape}], the variable [${value.shape}]`);
    }
  }
  const outValue = be.makeOutput(value.shape, 'float32');
  const outM = be.makeOutput(value.shape, 'float32');
  const outV = be.makeOutput(value.shape, 'float32');
  // Views only after the last allocation: a heap growth detaches earlier ones.
  const xs = be.typedArrayFromHeap(value);
  const gs = be.typedArrayFromHeap(gradient);
  const ms = be.typedArrayFromHeap(m);
  const vs = be.typedArrayFromHeap(v);
  const ox = be.typedArrayFromHeap(outValue);
  const om = be.typedArrayFromHeap(outM);
  const ov = be.typedArrayFromHeap(outV);
  const { beta1: b1, beta2: b2, epsilon: eps, correction1: c1, correction2: c2 } = a;
  const g1 = 1 - b1;
  const g2 = 1 - b2;
  // value − lr·(m'/c1)/(√(v'/c2) + ε) = value − (lr/c1)·m'/(√v'·(1/√c2) + ε): one division and one root per element.
  const step = -a.learningRate / c1;
  const rc2 = 1 / Math.sqrt(c2);
  for (let i = 0; i < xs.length; i++) {
    const g = gs[i];
    const m1 = ms[i] * b1 + g * g1;
    const v1 = vs[i] * b2 + g * g * g2;
    om[i] = m1;
    ov[i] = v1;
    ox[i] = (step * m1) / (Math.sqrt(v1) * rc2 + eps) + xs[i];
  }
  return [outValue, outM, outV];
};

interface AdamState {
  accumulatedFirstMoment: ({ originalName: string; variable: tfjs.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tfjs.Variable } | undefined)[];
  accBeta1: tfjs.Variable;
  accBeta2: tfjs.Variable;
}

/**
 * An Adam optimizer whose update is one fused kernel per variable on the wasm backend (with the fast kernels
 * registered); elsewhere it is tfjs's own AdamOptimizer. Same class name ('Adam'), config, weights and results.
 */
export function fastAdam(tf: Tf, learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tfjs.AdamOptimizer {
  class FastAdamOptimizer extends tf.AdamOptimizer {
    /** accBeta1/2 (used by the stock path) lag behind after fused steps; resynchronised before a stock step. */
    private fusedSteps = 0;

    override applyGradients(variableGradients: Parameters<tfjs.AdamOptimizer['applyGradients']>[0]): void {
      const self = this as unknown as AdamState;
      if (tf.getBackend() !== 'wasm' || !tf.getKernel(FUSED_ADAM_KERNEL, 'wasm')) {
        if (this.fusedSteps > 0) {
          const t = this.iterations + 1;
          tf.tidy(() => {
            self.accBeta1.assign(tf.scalar(this.beta1 ** t));
            self.accBeta2.assign(tf.scalar(this.beta2 ** t));
          });
          this.fusedSteps = 0;
        }
        super.applyGradients(variableGradients);
        return;
      }
      const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
      const t = this.iterations + 1;
      const attrs: AdamAttrs = {
        learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon,
        correction1: 1 - this.beta1 ** t, correction2: 1 - this.beta2 ** t,
      };
      tf.tidy(() => {
        names.forEach((name, i) => {
          const value = tf.engine().registeredVariables[name];
          if (self.accumulatedFirstMoment[i] == null) {
            self.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          }
          if (self.accumulatedSecondMoment[i] == null) {
            self.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
          }
          const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
          if (gradient == null) return;
          const m = self.accumulatedFirstMoment[i]!.variable;
          const v = self.accumulatedSecondMoment[i]!.variable;
          const [nValue, nM, nV] = tf.engine().runKernel(FUSED_ADAM_KERNEL, { value, gradient, m, v }, attrs as unknown as tfjs.NamedAttrMap) as tfjs.Tensor[];
          m.assign(nM);
          v.assign(nV);
          value.assign(nValue);
        });
      });
      this.fusedSteps++;
      this.incrementIterations();
    }
  }
  return new FastAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
