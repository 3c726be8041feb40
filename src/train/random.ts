/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). Same algorithm as scripts/datasets/convert.mjs. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller) from a uniform source. */
export function gaussian(rnd: () => number): number {
  const u = 1 - rnd();
  const v = rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Fisher–Yates shuffle of 0..n-1 in place into a new Uint32Array. */
export function permutation(n: number, rnd: () => number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * Runs `fn` with Math.random seeded from `seed`, then restores it: tfjs initialisers draw their seeds from
 * Math.random, so a model compiled inside gets the same initial weights for the same seed.
 */
export function withSeededMathRandom<T>(seed: number, fn: () => T): T {
  const native = Math.random;
  Math.random = mulberry32(seed * 7919 + 17);
  try {
    return fn();
  } finally {
    Math.random = native;
  }
}

/** {@link withSeededMathRandom} for an async `fn` (a whole training run): Math.random stays seeded until it settles. */
export async function withSeededMathRandomAsync<T>(seed: number, fn: () => Promise<T>): Promise<T> {
  const native = Math.random;
  Math.random = mulberry32(seed * 7919 + 17);
  try {
    return await fn();
  } finally {
    Math.random = native;
  }
}

/** The seed of a training run's Math.random in replica `me` (0: the leader or a single worker), distinct per replica. */
export function replicaSeed(seed: number, me: number): number {
  return (seed + 1 + me * 1_000_003) >>> 0;
}
