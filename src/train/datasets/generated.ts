import { gaussian, mulberry32 } from '../random';
import type { Dataset, DatasetSplit } from './types';

/** Class names of the generated sets, in label order. */
export const XO_CLASSES = ['X', 'O'];
export const TIMESERIES_CLASSES = ['sine', 'square', 'sawtooth', 'noise'];
export const XO_SIZE = 9;
export const TIMESERIES_LENGTH = 128;

/** Ink of an X or an O at continuous coordinates (u, v) relative to the image centre, in pixel units. */
function ink(label: number, u: number, v: number, scale: number): number {
  const r = 3.2 * scale;
  const w = 0.75;
  if (label === 0) {
    if (Math.abs(u) > r || Math.abs(v) > r) return 0;
    const d = Math.min(Math.abs(u - v), Math.abs(u + v)) / Math.SQRT2;
    return d < w ? 1 : 0;
  }
  return Math.abs(Math.hypot(u, v) - r) < w ? 1 : 0;
}

/**
 * The X-versus-O images of the classic CNN slides: 9×9×1, label 0 = X, 1 = O, in [0, 1].
 * Each sample draws the letter, then shifts it by up to ±1 pixel, rotates it by up to ±20°, scales it by 0.85–1.1
 * and adds Gaussian noise (σ up to 0.25), so a model has to learn shapes rather than pixels. Deterministic in `seed`;
 * classes alternate so any prefix is balanced.
 */
export function generateXO(n: number, seed: number): DatasetSplit<Float32Array> {
  const rnd = mulberry32(seed);
  const s = XO_SIZE;
  const x = new Float32Array(n * s * s);
  const y = new Uint8Array(n);
  const c = (s - 1) / 2;
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    y[i] = label;
    const dx = Math.round(rnd() * 2 - 1);
    const dy = Math.round(rnd() * 2 - 1);
    const angle = ((rnd() * 2 - 1) * 20 * Math.PI) / 180;
    const scale = 0.85 + rnd() * 0.25;
    const sigma = rnd() * 0.25;
    const cos = Math.cos(-angle);
    const sin = Math.sin(-angle);
    for (let r = 0; r < s; r++) {
      for (let col = 0; col < s; col++) {
        const pu = col - c - dx;
        const pv = r - c - dy;
        const u = cos * pu - sin * pv;
        const v = sin * pu + cos * pv;
        const val = ink(label, u, v, scale) + sigma * gaussian(rnd);
        x[i * s * s + r * s + col] = Math.min(1, Math.max(0, val));
      }
    }
  }
  return { x, y, n };
}

/**
 * A 1D waveform set for Conv1D models: 128×1 series, labels sine / square / sawtooth / noise.
 * Periodic classes get 2–8 cycles per window, random phase, amplitude 0.5–1 and Gaussian noise σ 0.1–0.3; the noise
 * class is Gaussian with σ 0.3–0.8. Deterministic in `seed`; classes cycle so any prefix is balanced.
 */
export function generateTimeseries(n: number, seed: number): DatasetSplit<Float32Array> {
  const rnd = mulberry32(seed);
  const L = TIMESERIES_LENGTH;
  const x = new Float32Array(n * L);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 4;
    y[i] = label;
    const cycles = 2 + rnd() * 6;
    const phase = rnd();
    const amp = 0.5 + rnd() * 0.5;
    const sigma = label === 3 ? 0.3 + rnd() * 0.5 : 0.1 + rnd() * 0.2;
    for (let t = 0; t < L; t++) {
      const p = (t / L) * cycles + phase;
      const frac = p - Math.floor(p);
      let v = 0;
      if (label === 0) v = amp * Math.sin(2 * Math.PI * p);
      else if (label === 1) v = frac < 0.5 ? amp : -amp;
      else if (label === 2) v = amp * (2 * frac - 1);
      x[i * L + t] = v + sigma * gaussian(rnd);
    }
  }
  return { x, y, n };
}

/** The X/O dataset: 2,000 training and 400 test images by default (train and test from different seeds). */
export function xoDataset(seed = 1, trainN = 2000, testN = 400): Dataset {
  return {
    id: 'xo', inputShape: [XO_SIZE, XO_SIZE, 1], numClasses: 2, classNames: XO_CLASSES,
    train: generateXO(trainN, seed * 2), test: generateXO(testN, seed * 2 + 1),
  };
}

/** The waveform dataset: 4,000 training and 800 test series by default. */
export function timeseriesDataset(seed = 1, trainN = 4000, testN = 800): Dataset {
  return {
    id: 'timeseries', inputShape: [TIMESERIES_LENGTH, 1], numClasses: 4, classNames: TIMESERIES_CLASSES,
    train: generateTimeseries(trainN, seed * 2), test: generateTimeseries(testN, seed * 2 + 1),
  };
}
