import { gaussian, mulberry32 } from '../random';
import type { Dataset, DatasetSplit } from './types';

/*
 * SYNTHETIC TOY PHYSICS, NOT SIMULATION. These two generators draw images with the qualitative features a physicist
 * would point at on a slide (shower depth and width, two-photon pi0s, prong counts, a displaced secondary core), so
 * the course's calorimeter and jet-image presets have something to learn from. No detector geometry, no particle
 * interactions, no cross sections: the numbers below were picked so the classes are separable but overlap, nothing
 * more. Do not quote results on them as physics.
 */

/** Calorimeter classes, in label order. */
export const CALORIMETER_CLASSES = ['electron', 'photon', 'pi0', 'jet'];
/** Jet-image classes, in label order. */
export const JET_CLASSES = ['light_quark', 'gluon', 'charm', 'bottom', 'top'];
export const CALO_SIZE = 32;
export const CALO_LAYERS = 3;
export const JET_SIZE = 40;

/**
 * Adds a 2D Gaussian of total `energy` and width `sigma` (pixels) at (r, c) to layer `layer` of one size×size×layers
 * image, over the rows and columns within 4σ (outside them it is below 0.04% of the peak).
 */
function addBlob(img: Float32Array, size: number, layers: number, layer: number, r: number, c: number, sigma: number, energy: number, gr: Float32Array, gc: Float32Array): void {
  const k = 1 / (2 * sigma * sigma);
  const lo = (m: number) => Math.max(0, Math.floor(m - 4 * sigma));
  const hi = (m: number) => Math.min(size - 1, Math.ceil(m + 4 * sigma));
  const [r1, r2, c1, c2] = [lo(r), hi(r), lo(c), hi(c)];
  if (r1 > r2 || c1 > c2) return;
  // Normalised over the unbounded plane, so a shower at the edge loses what falls outside the image.
  const a = (energy * k) / Math.PI;
  for (let i = r1; i <= r2; i++) gr[i] = Math.exp(-((i - r) ** 2) * k);
  for (let j = c1; j <= c2; j++) gc[j] = Math.exp(-((j - c) ** 2) * k);
  for (let i = r1; i <= r2; i++) {
    const row = a * gr[i];
    for (let j = c1; j <= c2; j++) img[(i * size + j) * layers + layer] += row * gc[j];
  }
}

/** Scales one image so its largest value is 1 (negatives clipped to 0); an empty image stays 0. */
function normalise(img: Float32Array): void {
  let max = 0;
  for (let i = 0; i < img.length; i++) {
    if (img[i] < 0) img[i] = 0;
    else if (img[i] > max) max = img[i];
  }
  if (max > 0) for (let i = 0; i < img.length; i++) img[i] /= max;
}

/**
 * Fills one 32×32×3 toy calorimeter image (rows η, columns φ, channels = depth layers 0 front, 1 middle, 2
 * hadronic) for class `label`, in arbitrary energy units before normalisation.
 */
function caloImage(img: Float32Array, label: number, rnd: () => number, gr: Float32Array, gc: Float32Array): void {
  const S = CALO_SIZE;
  const L = CALO_LAYERS;
  const blob = (layer: number, r: number, c: number, sigma: number, e: number) => addBlob(img, S, L, layer, r, c, sigma, e, gr, gc);
  const r0 = (S - 1) / 2 + (rnd() * 2 - 1) * 4;
  const c0 = (S - 1) / 2 + (rnd() * 2 - 1) * 4;
  const energy = 20 * 10 ** rnd(); // 20–200, log-uniform
  const w = 0.8 + rnd() * 0.4; // shower width scale
  /** An electromagnetic shower: narrow, mostly in layers 0–1; `front` is the share deposited in layer 0. */
  const em = (r: number, c: number, e: number, front: number) => {
    const back = 0.03 + rnd() * 0.04;
    blob(0, r, c, 0.6 * w, e * front);
    blob(1, r, c, 1.0 * w, e * (1 - front - back));
    blob(2, r, c, 1.6 * w, e * back);
  };
  if (label === 0) {
    // Electron: showers at once (large front share) and leaves a faint track-like trail in layer 0 along φ
    // (a toy of the track and of bremsstrahlung bent by the magnetic field).
    em(r0, c0, energy, 0.2 + rnd() * 0.15);
    const dir = rnd() < 0.5 ? -1 : 1;
    const len = 3 + Math.floor(rnd() * 5);
    const e = energy * (0.02 + rnd() * 0.03);
    for (let k = 1; k <= len; k++) blob(0, r0 + (rnd() - 0.5) * 0.6, c0 + dir * k, 0.5, e / len);
  } else if (label === 1) {
    // Photon: same shower, but it starts later (small front share); about one in five converts early.
    const converted = rnd() < 0.2;
    em(r0, c0, energy, converted ? 0.15 + rnd() * 0.15 : 0.03 + rnd() * 0.08);
  } else if (label === 2) {
    // pi0 → γγ: two photon showers whose separation shrinks as the energy grows (∝ 1/E), uneven energy split.
    const z = 0.2 + rnd() * 0.6;
    const d = Math.min(6, 1.2 + 120 / energy) * (0.8 + rnd() * 0.4);
    const a = rnd() * 2 * Math.PI;
    const dr = d * Math.sin(a);
    const dc = d * Math.cos(a);
    em(r0 + (1 - z) * dr, c0 + (1 - z) * dc, energy * z, 0.03 + rnd() * 0.08);
    em(r0 - z * dr, c0 - z * dc, energy * (1 - z), 0.03 + rnd() * 0.08);
  } else {
    // Hadronic jet: broad, deep (mostly layer 2), with a few scattered sub-clusters (its π0s) in layer 1.
    const hadFrac = 0.55 + rnd() * 0.25;
    blob(2, r0, c0, 2.5 + rnd() * 1.5, energy * hadFrac);
    const n = 2 + Math.floor(rnd() * 4);
    for (let k = 0; k < n; k++) {
      const rr = r0 + gaussian(rnd) * 2.5;
      const cc = c0 + gaussian(rnd) * 2.5;
      const e = (energy * (1 - hadFrac)) / n;
      blob(1, rr, cc, 1.2 + rnd(), e * 0.85);
      blob(0, rr, cc, 0.8 + rnd(), e * 0.15);
    }
  }
  // Electronic noise, the same in every cell whatever the energy (so low-energy showers are harder to read), then
  // zero suppression: cells below twice the noise read 0. Box–Muller gives two normal samples per pair of draws.
  const sigma = 0.15;
  for (let i = 0; i < img.length; i += 2) {
    const m = sigma * Math.sqrt(-2 * Math.log(1 - rnd()));
    const t = 2 * Math.PI * rnd();
    img[i] += m * Math.cos(t);
    if (i + 1 < img.length) img[i + 1] += m * Math.sin(t);
  }
  for (let i = 0; i < img.length; i++) if (img[i] < 2 * sigma) img[i] = 0;
  normalise(img);
}

/**
 * SYNTHETIC TOY calorimeter images (not a simulation): 32×32×3 (η × φ × depth layers 0, 1, 2), labels electron,
 * photon, pi0, jet, each image scaled to a maximum of 1. Electromagnetic showers are narrow and stop in layers 0–1;
 * the electron starts earlier than the photon and leaves a faint φ-trail in layer 0; the pi0 is two close photon
 * showers (merging at high energy); jets are broad and deposit most in layer 2 with scattered sub-clusters.
 * Impact point jittered ±4 px, energy 20–200 log-uniform against a fixed noise level with zero suppression. Deterministic in `seed`;
 * classes cycle so any prefix is balanced (and generating n samples gives the first n of a larger set).
 */
export function generateCalorimeter(n: number, seed: number): DatasetSplit<Float32Array> {
  const rnd = mulberry32(seed);
  const size = CALO_SIZE * CALO_SIZE * CALO_LAYERS;
  const x = new Float32Array(n * size);
  const y = new Uint8Array(n);
  const gr = new Float32Array(CALO_SIZE);
  const gc = new Float32Array(CALO_SIZE);
  for (let i = 0; i < n; i++) {
    y[i] = i % CALORIMETER_CLASSES.length;
    caloImage(x.subarray(i * size, (i + 1) * size), y[i], rnd, gr, gc);
  }
  return { x, y, n };
}

/** Adds `pt` at continuous pixel (r, c) of a S×S image, split bilinearly over the four nearest pixels. */
function splat(img: Float32Array, S: number, r: number, c: number, pt: number): void {
  const r0 = Math.floor(r);
  const c0 = Math.floor(c);
  const fr = r - r0;
  const fc = c - c0;
  const put = (rr: number, cc: number, v: number) => {
    if (rr >= 0 && rr < S && cc >= 0 && cc < S) img[rr * S + cc] += v;
  };
  put(r0, c0, pt * (1 - fr) * (1 - fc));
  put(r0, c0 + 1, pt * (1 - fr) * fc);
  put(r0 + 1, c0, pt * fr * (1 - fc));
  put(r0 + 1, c0 + 1, pt * fr * fc);
}

/** A Poisson count (Knuth; fine for the small means used here). */
function poisson(mean: number, rnd: () => number): number {
  const l = Math.exp(-mean);
  let k = 0;
  let p = rnd();
  while (p > l) {
    k++;
    p *= rnd();
  }
  return k;
}

/** Fills one 40×40 toy jet image (rows η, columns φ, pixel = summed pT) for class `label`, before normalisation. */
function jetImage(img: Float32Array, label: number, rnd: () => number): void {
  const S = JET_SIZE;
  const r0 = (S - 1) / 2 + (rnd() * 2 - 1) * 2;
  const c0 = (S - 1) / 2 + (rnd() * 2 - 1) * 2;
  const angle = rnd() * 2 * Math.PI;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  /** Puts `pt` at (u, v) pixels from the jet axis, in the jet's own frame (rotated by a random angle). */
  const at = (u: number, v: number, pt: number) => splat(img, S, r0 + cos * u - sin * v, c0 + sin * u + cos * v, pt);
  /**
   * A prong: a hard core plus `mean` (Poisson) softer constituents around it, their distance exponential with scale
   * `width` pixels and their pT falling with distance (collinear radiation dominates); `core` is the hard core's share.
   */
  const prong = (u: number, v: number, pt: number, mean: number, width: number, core = 0.5 + rnd() * 0.3) => {
    const n = poisson(mean, rnd);
    at(u, v, pt * core);
    const weights: number[] = [];
    const pos: number[] = [];
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const d = -Math.log(1 - rnd()) * width;
      const a = rnd() * 2 * Math.PI;
      const wgt = -Math.log(1 - rnd()) / (1 + d);
      weights.push(wgt);
      pos.push(u + d * Math.cos(a), v + d * Math.sin(a));
      sum += wgt;
    }
    for (let k = 0; k < n; k++) at(pos[2 * k], pos[2 * k + 1], (pt * (1 - core) * weights[k]) / Math.max(1e-9, sum));
  };
  if (label === 0) {
    // Light quark: one narrow prong, few emissions (colour factor C_F).
    prong(0, 0, 1, 6, 1.5, 0.55 + rnd() * 0.25);
  } else if (label === 1) {
    // Gluon: one prong with about C_A/C_F ≈ 2.25× the emissions, spread wider, and a softer core.
    prong(0, 0, 1, 14, 3, 0.3 + rnd() * 0.3);
  } else if (label === 2 || label === 3) {
    // Heavy flavour: a quark-like jet plus a compact secondary core displaced along the jet axis (the toy of a
    // displaced decay vertex); bottom's is further out, harder and has more decay products than charm's.
    const bottom = label === 3;
    const share = bottom ? 0.3 + rnd() * 0.2 : 0.15 + rnd() * 0.15;
    const disp = bottom ? 2.5 + rnd() * 2.5 : 1.2 + rnd() * 1.8;
    prong(0, 0, 1 - share, bottom ? 6 : 5, bottom ? 1.9 : 1.7);
    prong(disp, 0, share, bottom ? 4 : 2, 0.6);
  } else {
    // Top → bW → b q q̄: three prongs roughly 2m/pT apart; the b prong takes the largest share.
    const scale = 5 + rnd() * 5;
    const zb = 0.35 + rnd() * 0.15;
    const zq = (1 - zb) * (0.3 + rnd() * 0.4);
    const a1 = (0.55 + rnd() * 0.3) * Math.PI;
    const a2 = -(0.55 + rnd() * 0.3) * Math.PI;
    prong(0, 0, zb, 3, 1.3);
    prong(scale * Math.cos(a1), scale * Math.sin(a1), zq, 3, 1.3);
    prong(scale * 0.9 * Math.cos(a2), scale * 0.9 * Math.sin(a2), 1 - zb - zq, 3, 1.3);
  }
  // Pile-up and underlying event: a few soft deposits anywhere in the image.
  const soft = poisson(8, rnd);
  for (let k = 0; k < soft; k++) splat(img, S, rnd() * (S - 1), rnd() * (S - 1), 0.01 + rnd() * 0.02);
  normalise(img);
}

/**
 * SYNTHETIC TOY jet images (not a simulation): 40×40×1 pT in η–φ pixels, labels light_quark, gluon, charm, bottom,
 * top, each image scaled to a maximum of 1. Quark jets are one narrow prong, gluon jets one prong with more and wider
 * radiation, charm and bottom add a displaced secondary core (bottom's further out and harder), top jets have three
 * prongs. Jet axis jittered ±2 px and rotated at random; soft pile-up deposits everywhere. Deterministic in `seed`;
 * classes cycle so any prefix is balanced (and generating n samples gives the first n of a larger set).
 */
export function generateJetImages(n: number, seed: number): DatasetSplit<Float32Array> {
  const rnd = mulberry32(seed);
  const size = JET_SIZE * JET_SIZE;
  const x = new Float32Array(n * size);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % JET_CLASSES.length;
    jetImage(x.subarray(i * size, (i + 1) * size), y[i], rnd);
  }
  return { x, y, n };
}

/** `limit` samples when given (at most `n`), else `n`. */
const cap = (n: number, limit?: number) => (limit === undefined ? n : Math.max(0, Math.min(n, Math.floor(limit))));

/** The toy calorimeter dataset: 10,000 training and 2,000 test images (fewer when limited; only those are generated). */
export function calorimeterDataset(seed = 1, trainLimit?: number, testLimit?: number): Dataset {
  return {
    id: 'calorimeter', inputShape: [CALO_SIZE, CALO_SIZE, CALO_LAYERS], numClasses: 4, classNames: CALORIMETER_CLASSES,
    train: generateCalorimeter(cap(10000, trainLimit), seed * 2), test: generateCalorimeter(cap(2000, testLimit), seed * 2 + 1),
  };
}

/** The toy jet-image dataset: 10,000 training and 2,000 test images (fewer when limited; only those are generated). */
export function jetImagesDataset(seed = 1, trainLimit?: number, testLimit?: number): Dataset {
  return {
    id: 'jet-images', inputShape: [JET_SIZE, JET_SIZE, 1], numClasses: 5, classNames: JET_CLASSES,
    train: generateJetImages(cap(10000, trainLimit), seed * 2), test: generateJetImages(cap(2000, testLimit), seed * 2 + 1),
  };
}
