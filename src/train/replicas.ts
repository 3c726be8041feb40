import type * as tfjs from '@tensorflow/tfjs';

/**
 * Data-parallel training across workers ("replicas"), the way PyTorch's DistributedDataParallel splits a batch: every
 * replica holds the same model and optimizer; each step the leader (the training worker) hands each follower a slice
 * of the batch, every replica computes the gradients of its slice, and all of them apply the same weighted average —
 * the gradient of the mean loss over the whole batch — so the weights stay identical without ever being sent again.
 *
 * Why: tfjs's wasm backend runs a step on one core (its threaded build uses a second thread only inside XNNPACK ops,
 * and measured slower here, see worker.ts), so on a 2-core machine half the CPU sat idle. A second worker with its own
 * tfjs instance uses it for the whole step: the convolutions, our kernels and tfjs's per-op JS alike.
 *
 * Everything crosses one SharedArrayBuffer (so the page must be cross-origin isolated) and replicas meet with
 * Atomics.wait/notify, a few microseconds, instead of postMessage round trips through event loops. Followers block in
 * their loop for the whole run; the leader blocks only while it waits for the slowest slice of a step.
 *
 * Differences from one worker, the same as DDP's: BatchNormalization normalises with the statistics of each replica's
 * slice, and its moving averages are the leader's (the followers' are not merged); Dropout masks come from each
 * replica's own random stream.
 */

/**
 * How many replicas a run gets: on wasm with the fast kernels, where shared memory works (a cross-origin isolated
 * page), the `workers` asked for or else one per core up to 4; never more than the batch has rows. 1 otherwise.
 */
export function replicaCount(o: { backend: string; fastKernels?: boolean; sharedMemory: boolean; cores: number; workers?: number; batchSize: number }): number {
  if (o.backend !== 'wasm' || o.fastKernels === false || !o.sharedMemory) return 1;
  const wanted = o.workers ?? Math.min(4, Math.max(1, o.cores || 1));
  return Math.max(1, Math.min(wanted, o.batchSize));
}

/** The sizes a run's shared buffer is laid out for. */
export interface ReplicaPlan {
  /** Replicas including the leader (≥ 2). */
  replicas: number;
  /** Element count of every trainable variable, in the model's `trainableWeights` order. */
  varSizes: number[];
  /** Floats per sample (input) and per label row. */
  sampleSize: number;
  labelSize: number;
  /** Most rows a follower gets in one step. */
  maxRows: number;
}

const SEQ = 0;
const QUIT = 1;
const CTL_HEAD = 4;
/**
 * Per replica r: rows of an even and of an odd step, done (the step number whose gradients are in place), error flag,
 * error length. Rows and gradients are double-buffered by the step's parity: the leader may write step n + 1's while
 * a follower still averages step n's (it cannot get to n + 2 before every follower has finished n).
 */
const ROWS = 0;
const DONE = 2;
const ERROR = 3;
const ERROR_LEN = 4;
const PER_REPLICA = 5;
const METRICS = 6;
const ERROR_BYTES = 2048;

/** Offsets (in elements of their views) of each region of the shared buffer. */
export interface ReplicaLayout {
  plan: ReplicaPlan;
  params: number;
  ctl: Int32Array;
  /** Gradients of replica r for steps of parity p: `grads[p][r]` (all variables, concatenated). */
  grads: [Float32Array[], Float32Array[]];
  /**
   * loss, correct, raw loss of replica r's slice, the ms it took to compute, and (followers) the ms it spent averaging
   * and applying the previous step's update and then until it started this slice (waiting for the step, waking up).
   */
  metrics: Float32Array[];
  /** Follower f's slice of the batch (index f ≥ 1; index 0 unused). */
  xs: Float32Array[];
  ys: Float32Array[];
  errors: Uint8Array[];
}

/** Bytes of shared memory a plan needs. */
export function replicaBufferBytes(plan: ReplicaPlan): number {
  const params = plan.varSizes.reduce((a, b) => a + b, 0);
  const R = plan.replicas;
  const ints = CTL_HEAD + PER_REPLICA * R;
  const floats = R * (2 * params + METRICS) + R * plan.maxRows * (plan.sampleSize + plan.labelSize);
  return 4 * ints + 4 * floats + R * ERROR_BYTES;
}

/** Views of `buffer` laid out for `plan` (the leader and every follower build the same views). */
export function replicaLayout(buffer: SharedArrayBuffer | ArrayBuffer, plan: ReplicaPlan): ReplicaLayout {
  if (plan.replicas < 2) throw new Error(`data-parallel training needs at least 2 replicas, got ${plan.replicas}`);
  if (buffer.byteLength < replicaBufferBytes(plan)) throw new Error('the shared training buffer is smaller than its plan');
  const params = plan.varSizes.reduce((a, b) => a + b, 0);
  const R = plan.replicas;
  const ctl = new Int32Array(buffer, 0, CTL_HEAD + PER_REPLICA * R);
  let at = ctl.byteLength;
  const floats = (n: number) => {
    const v = new Float32Array(buffer, at, n);
    at += 4 * n;
    return v;
  };
  const grads: [Float32Array[], Float32Array[]] = [[], []];
  const metrics: Float32Array[] = [];
  const xs: Float32Array[] = [];
  const ys: Float32Array[] = [];
  const errors: Uint8Array[] = [];
  for (let r = 0; r < R; r++) {
    grads[0].push(floats(params));
    grads[1].push(floats(params));
    metrics.push(floats(METRICS));
    xs.push(floats(plan.maxRows * plan.sampleSize));
    ys.push(floats(plan.maxRows * plan.labelSize));
  }
  for (let r = 0; r < R; r++) {
    errors.push(new Uint8Array(buffer, at, ERROR_BYTES));
    at += ERROR_BYTES;
  }
  return { plan, params, ctl, grads, metrics, xs, ys, errors };
}

/** Rows of a batch of `b` per replica: as even as possible, the leader (which also assembles batches) gets the fewest. */
export function splitRows(b: number, replicas: number): number[] {
  const base = Math.floor(b / replicas);
  const extra = b - base * replicas;
  return Array.from({ length: replicas }, (_, r) => base + (r >= replicas - extra ? 1 : 0));
}

/**
 * Rows of a batch of `b` in proportion to each replica's speed (rows per ms; 0 or NaN counts as the mean), summing to
 * `b`, none above `maxRows` (the leader, index 0, takes what the others cannot), by largest remainder.
 */
export function balanceRows(b: number, speeds: number[], maxRows: number): number[] {
  const R = speeds.length;
  const valid = speeds.filter((v) => Number.isFinite(v) && v > 0);
  if (valid.length === 0) return splitRows(b, R);
  const mean = valid.reduce((a, v) => a + v, 0) / valid.length;
  const w = speeds.map((v) => (Number.isFinite(v) && v > 0 ? v : mean));
  const total = w.reduce((a, v) => a + v, 0);
  const exact = w.map((v) => (b * v) / total);
  const rows = exact.map((x, r) => Math.min(Math.floor(x), r === 0 ? b : maxRows));
  let left = b - rows.reduce((a, v) => a + v, 0);
  const order = exact.map((x, r) => [x - Math.floor(x), r] as const).sort((p, q) => q[0] - p[0]);
  for (const [, r] of order) {
    if (left === 0) break;
    if (r !== 0 && rows[r] >= maxRows) continue;
    rows[r]++;
    left--;
  }
  rows[0] += left;
  return rows;
}

/**
 * Whether splitting batches across workers pays, decided by measuring. On an idle machine it does (each worker has a
 * core); when other programs keep the cores busy, a step waits for whichever worker the scheduler preempted, and the
 * leader computing every row alone ("solo": followers only apply the update) is faster. So the run starts with a short
 * stretch of each mode (split first, so the followers' speeds are learnt) and keeps the faster (rows per ms, each
 * stretch's first steps skipped as warm-up); after that, a short trial of the other mode ends every period — `period`
 * steps, or `periodMs` of training for a model whose steps are slow — and the decision is taken again. A trial (and
 * the first comparison's stretches) is at most `trial` steps (the first ones at most warm-up + 3) and, for slow steps,
 * about 5% of `periodMs` (never fewer than warm-up + 2 steps; for steps of a second or more, one warm-up step and one
 * measured, except in the run's first stretch). When split wins the first comparison narrowly (by less than
 * `narrowWin`), the next comparison comes after `trial` steps instead of a period.
 *
 * A split step also tells what a solo step would cost: the leader's own slice gives its rows per ms, and a solo step
 * is the whole batch at that rate plus the same update. That estimate is cautious (a smaller slice runs no faster per
 * row, and in a split step the leader shares the cores with the followers), so when the first split stretch is
 * already clearly slower than it (by `estimateMargin`), solo is certain to win: the chooser settles on solo after
 * warm-up + 2 steps (warm-up + 1 when steps are slow) instead of trying both modes. On a loaded machine that keeps a
 * short run close to one worker.
 */
export class ModeChooser {
  private preferred: 'split' | 'solo' = 'split';
  private readonly rate = { split: 0, solo: 0 };
  /** In the trial stretch of the mode not preferred. */
  private trying = false;
  /** The first comparison (a short stretch of the preferred mode, then one of the other). */
  private first = true;
  private count = 0;
  private elapsed = 0;
  private length: number;
  private lastMs = 0;
  private acc = { rows: 0, ms: 0 };
  private fixedMode: 'split' | 'solo' | null = null;
  /** Consecutive comparisons won by solo. */
  private soloWins = 0;
  /** Estimated solo time (ms) of the measured steps of the first split stretch; see the class comment. */
  private soloEstimateMs = 0;
  /** Whether solo was chosen from that estimate, without a solo trial. */
  private decidedByEstimate = false;
  /**
   * How much slower than the solo estimate the first split stretch must be to settle on solo at once; and how much
   * slower than solo's last rate the last `recentSteps` split steps must be to bring the next solo trial forward.
   */
  static readonly estimateMargin = 1.15;
  static readonly slowStepMs = 1_000;
  static readonly recentSteps = 5;
  /** [rows, ms] of the last split steps of a preferred-split stretch. */
  private recent: Array<[number, number]> = [];
  /**
   * Set when split won the first comparison by less than `narrowWin`: the next comparison comes after `trial` steps
   * rather than a period. Three measured steps a mode tell idle cores (split well ahead) from busy ones, but a narrow
   * win can be a wrong call under load, and a short run would otherwise keep it to its end.
   */
  private recheck = false;
  static readonly narrowWin = 1.25;

  constructor(readonly period = 200, readonly trial = 10, readonly warmup = 2, readonly periodMs = 60_000) {
    this.length = trial;
  }

  /** A chooser that always answers `mode` (tests); with `retire`, it asks to retire the followers from the start. */
  static fixed(mode: 'split' | 'solo', retire = false): ModeChooser {
    const c = new ModeChooser();
    c.fixedMode = mode;
    if (retire) c.soloWins = 2;
    return c;
  }

  /** The mode of the next step. */
  next(): 'split' | 'solo' {
    if (this.fixedMode) return this.fixedMode;
    return this.trying ? (this.preferred === 'split' ? 'solo' : 'split') : this.preferred;
  }

  /**
   * Whether the last step took a second or more (a large model). Such a step is a long enough sample to measure a mode
   * by, and one warm-up step is enough for a stretch that does not start the run: a stretch of the mode that loses is
   * then two steps, not four. Its steps are many seconds of a short run (vgg-small's 512-sample bench run is 8 steps).
   */
  private slow(): boolean {
    return this.lastMs >= ModeChooser.slowStepMs;
  }

  /** Warm-up steps of the current stretch: the run's first stretch has `warmup`, a stretch of slow steps one. */
  private stretchWarmup(): number {
    return this.first && !this.trying ? this.warmup : this.slow() ? Math.min(1, this.warmup) : this.warmup;
  }

  /** The fewest measured steps a stretch has: two, one when steps are slow. */
  private minMeasured(): number {
    return this.slow() ? 1 : 2;
  }

  /** Steps of a trial stretch: `trial`, fewer when steps are slow (about 5% of periodMs). */
  private trialLength(): number {
    const byTime = this.lastMs > 0 ? Math.round((0.05 * this.periodMs) / this.lastMs) : this.trial;
    return Math.max(Math.min(this.trial, byTime), Math.min(this.trial, this.stretchWarmup() + this.minMeasured()));
  }

  /**
   * Steps of each stretch of the first comparison: warm-up + 3 at most. Its losing stretch is paid at the start of every
   * run, and on a loaded machine that is what makes a short run slower than one worker; three measured steps a mode
   * are enough to tell 1.6× (idle cores) from a loss.
   */
  private firstLength(): number {
    return Math.min(this.trialLength(), this.stretchWarmup() + 3);
  }

  /**
   * Records the step just run with the mode `next()` gave: its rows and time (ms: a split step's wall time; for a solo
   * step, what one worker alone would take); for a split step, also the leader's own slice (rows, ms) and its
   * averaging + update time (ms).
   */
  record(rows: number, ms: number, own?: { rows: number; ms: number; updateMs: number }): void {
    if (this.fixedMode) return;
    const mode = this.next();
    const measured = this.count >= this.stretchWarmup();
    if (measured) {
      this.acc.rows += rows;
      this.acc.ms += ms;
    }
    this.count++;
    this.elapsed += ms;
    this.lastMs = ms;
    if (this.first && !this.trying && mode === 'split' && measured) {
      if (own && own.rows > 0 && own.ms > 0) this.soloEstimateMs += (rows * own.ms) / own.rows + own.updateMs;
      else this.soloEstimateMs = Number.NaN; // no estimate for this stretch: compare by trial as usual
      // Only this way round: the leader's slice is timed beside the followers, so on shared cores it overstates what
      // one worker alone would take. Settling on split when it beats the estimate (tried) kept two workers beside a
      // busy loop at 0.56–0.71× of one worker's rate.
      if (this.count >= this.warmup + this.minMeasured() && this.soloEstimateMs > 0 && this.acc.ms > ModeChooser.estimateMargin * this.soloEstimateMs) {
        this.rate.split = this.acc.rows / this.acc.ms;
        this.rate.solo = this.acc.rows / this.soloEstimateMs;
        this.preferred = 'solo';
        this.soloWins = 2;
        this.decidedByEstimate = true;
        this.first = false;
        this.acc = { rows: 0, ms: 0 };
        this.count = 0;
        this.elapsed = 0;
        this.length = this.trial;
        return;
      }
    }
    // Load that comes after the first comparison: when the last few split steps are clearly slower than solo was, the
    // solo trial comes now rather than at the end of the period.
    if (!this.first && !this.trying && mode === 'split') {
      this.recent.push([rows, ms]);
      if (this.recent.length > ModeChooser.recentSteps) this.recent.shift();
      const r = this.recent.reduce((a, [n, t]) => [a[0] + n, a[1] + t], [0, 0]);
      if (this.recent.length === ModeChooser.recentSteps && this.rate.solo > ModeChooser.estimateMargin * (r[0] / r[1])) {
        this.rate.split = r[0] / r[1];
        this.recent = [];
        this.acc = { rows: 0, ms: 0 };
        this.count = 0;
        this.elapsed = 0;
        this.trying = true;
        this.length = this.trialLength();
        return;
      }
    } else this.recent = [];
    // The first stretch is as short as a trial: a run of slow steps should not wait long for its first decision.
    if (this.first && !this.trying && this.count === 1) this.length = this.firstLength();
    const long = !this.trying && !this.first && this.count >= this.length && this.elapsed >= this.periodMs;
    const stretch = this.trying || this.first || this.recheck ? this.length : this.period - this.length;
    if (this.count < stretch && !long) return;
    if (this.acc.ms > 0) this.rate[mode] = this.acc.rows / this.acc.ms;
    this.acc = { rows: 0, ms: 0 };
    this.count = 0;
    this.elapsed = 0;
    if (this.trying) {
      if (this.rate.split > 0 && this.rate.solo > 0) this.preferred = this.rate.solo > this.rate.split ? 'solo' : 'split';
      // A clear solo win (≥ 10%) counts twice: solo steps still wake the followers, so one worker alone is faster again.
      // So does any win of the first comparison: a run that starts on busy cores would otherwise pay those wake-ups
      // until the next comparison, a whole period later.
      // The same goes for the check of a narrow first call (`recheck`): it finishes the first comparison.
      const clear = this.rate.solo > 1.1 * this.rate.split || this.first || this.recheck;
      this.soloWins = this.preferred === 'solo' ? this.soloWins + (clear ? 2 : 1) : 0;
      this.recheck = this.first && this.preferred === 'split' && this.rate.split < ModeChooser.narrowWin * this.rate.solo;
      this.first = false;
      this.trying = false;
      this.length = this.trial;
    } else {
      this.trying = true;
      this.length = this.first ? this.firstLength() : this.trialLength();
    }
  }

  /**
   * Whether the run should go on in the leader alone, the followers stopped: solo won the first comparison, two later
   * ones in a row, or one by at least 10%. Even
   * solo steps wake every follower to apply the update, which costs the leader time when the cores are busy; a run
   * that has settled on solo is then as fast as one worker. (It stays on one worker to its end.)
   */
  retire(): boolean {
    return this.soloWins >= 2;
  }

  /** Rows per ms last measured in each mode (0 before the first measurement); `estimated` when solo's is the estimate. */
  rates(): { split: number; solo: number; estimated: boolean } {
    return { ...this.rate, estimated: this.decidedByEstimate };
  }
}

const slot = (r: number, field: number) => CTL_HEAD + PER_REPLICA * r + field;

/**
 * The weighted mean of every replica's gradients, weights = rows / batch, summed in replica order. Every replica runs
 * this same code on the same inputs, so all of them get bit-identical results.
 */
export function averageGradients(l: ReplicaLayout, seq: number, out: Float32Array): void {
  const R = l.plan.replicas;
  const p = seq & 1;
  let total = 0;
  for (let r = 0; r < R; r++) total += Atomics.load(l.ctl, slot(r, ROWS + p));
  out.fill(0);
  for (let r = 0; r < R; r++) {
    const rows = Atomics.load(l.ctl, slot(r, ROWS + p));
    if (rows === 0) continue;
    const w = rows / total;
    const g = l.grads[p][r];
    for (let i = 0; i < out.length; i++) out[i] += w * g[i];
  }
}

export class ReplicaError extends Error {}

function readError(l: ReplicaLayout, r: number): string {
  const n = Math.min(ERROR_BYTES, Atomics.load(l.ctl, slot(r, ERROR_LEN)));
  return new TextDecoder().decode(l.errors[r].slice(0, n));
}

/** Records an error of replica `r` for the others to report, and wakes them. */
export function postReplicaError(l: ReplicaLayout, r: number, message: string): void {
  const bytes = new TextEncoder().encode(message).slice(0, ERROR_BYTES);
  l.errors[r].set(bytes);
  Atomics.store(l.ctl, slot(r, ERROR_LEN), bytes.length);
  Atomics.store(l.ctl, slot(r, ERROR), 1);
  Atomics.notify(l.ctl, slot(r, DONE));
}

/**
 * Blocks until every replica but `me` has its step-`seq` gradients in place (or is already one step further). Throws {@link ReplicaError} when one of
 * them failed; returns false when the run was ended (QUIT) meanwhile.
 */
function waitForOthers(l: ReplicaLayout, me: number, seq: number): boolean {
  for (let r = 0; r < l.plan.replicas; r++) {
    if (r === me) continue;
    for (;;) {
      if (Atomics.load(l.ctl, slot(r, ERROR))) throw new ReplicaError(`training worker ${r + 1} failed: ${readError(l, r)}`);
      // ≥, not ===: a follower that was descheduled after publishing may find the leader already done with its own
      // slice of the next step (it cannot get further: that step needs this follower's gradients). Checked before QUIT:
      // the leader may finish the last step and end the run before a follower has read that step's gradients.
      const done = Atomics.load(l.ctl, slot(r, DONE));
      if (done >= seq) break;
      if (Atomics.load(l.ctl, QUIT)) return false;
      if (!spinUntilChanged(l.ctl, slot(r, DONE), done)) Atomics.wait(l.ctl, slot(r, DONE), done, 1000);
    }
  }
  return true;
}

/**
 * Busy-waits up to {@link SPIN_MS} for `ctl[i]` to change from `value`. Replicas meet every few milliseconds; a
 * thread asleep in Atomics.wait on a busy machine waits for the scheduler to run it again (measured: ~2–3 ms per step
 * on 2 loaded cores), a spinning one sees the change at once. After that it sleeps, so a paused run costs nothing.
 */
const SPIN_MS = 4;
function spinUntilChanged(ctl: Int32Array, i: number, value: number): boolean {
  const until = performance.now() + SPIN_MS;
  for (;;) {
    for (let k = 0; k < 256; k++) if (Atomics.load(ctl, i) !== value) return true;
    if (performance.now() > until) return false;
  }
}

function publish(l: ReplicaLayout, me: number, seq: number): void {
  Atomics.store(l.ctl, slot(me, DONE), seq);
  Atomics.notify(l.ctl, slot(me, DONE));
}

/** What one replica computed for its slice. */
export interface SliceResult {
  loss: number;
  correct: number;
  raw: number;
}

/**
 * Computes the gradients of the mean loss over a slice, writes them into `into` (variables concatenated in `vars`
 * order, zeros for a variable the loss does not reach) and returns the slice's loss, correct count and raw loss.
 * `lossOf` builds the [loss, correct, raw] scalars from a prediction (the trainer's lossAndCorrect).
 */
export function sliceGradients(
  tf: typeof tfjs,
  model: tfjs.LayersModel,
  optimizer: tfjs.Optimizer,
  vars: tfjs.Variable[],
  lossOf: (pred: tfjs.Tensor, y: tfjs.Tensor) => [tfjs.Scalar, tfjs.Scalar, tfjs.Scalar],
  x: tfjs.Tensor,
  y: tfjs.Tensor,
  into: Float32Array,
): SliceResult {
  let pair: tfjs.Tensor | undefined;
  const { value, grads } = optimizer.computeGradients(() => {
    const pred = model.apply(x, { training: true }) as tfjs.Tensor;
    const [l, c, raw] = lossOf(pred, y);
    pair = tf.keep(tf.stack([l, c, raw]));
    return l;
  }, vars);
  value.dispose();
  let at = 0;
  for (const v of vars) {
    const g = grads[v.name];
    if (g) into.set(g.dataSync() as Float32Array, at);
    else into.fill(0, at, at + v.size);
    at += v.size;
  }
  tf.dispose(grads);
  const m = pair!.dataSync();
  pair!.dispose();
  return { loss: m[0], correct: m[1], raw: m[2] };
}

/** Applies an averaged gradient (variables concatenated in `vars` order) with the optimizer. */
export function applyAveraged(tf: typeof tfjs, optimizer: tfjs.Optimizer, vars: tfjs.Variable[], avg: Float32Array): void {
  let at = 0;
  const named = vars.map((v) => {
    const t = tf.tensor(avg.subarray(at, at + v.size), v.shape, 'float32');
    at += v.size;
    return { name: v.name, tensor: t };
  });
  try {
    optimizer.applyGradients(named);
  } finally {
    for (const n of named) n.tensor.dispose();
  }
}

/** The leader's side of a run: posts slices, computes its own, waits, averages, applies. */
export class ReplicaLeader {
  private seq = 0;
  private readonly avg: Float32Array;
  /**
   * Where the leader's step time went (ms, summed): its own slice, waiting for the slowest follower, averaging + update;
   * the followers' mean slice time (split steps only); steps run solo.
   */
  readonly timing = { own: 0, wait: 0, update: 0, steps: 0, followers: 0, followerApply: 0, followerIdle: 0, soloSteps: 0, retiredAfter: 0 };

  /**
   * Rows per ms of each replica, smoothed: batches are split in proportion, so that all finish together. Replicas are
   * not equally fast even on equal cores (the leader's core also runs the event loop; a follower's shares the page).
   */
  private readonly speed: number[];

  /**
   * `balance`: split batches by the replicas' measured speed (default); false splits them evenly, so that a seeded run
   * computes the same numbers every time (with {@link ModeChooser.fixed} 'split').
   */
  constructor(readonly layout: ReplicaLayout, readonly modes = new ModeChooser(), readonly balance = true) {
    this.avg = new Float32Array(layout.params);
    this.speed = new Array<number>(layout.plan.replicas).fill(0);
    Atomics.store(layout.ctl, QUIT, 0);
    Atomics.store(layout.ctl, SEQ, 0);
  }

  get replicas(): number {
    return this.layout.plan.replicas;
  }

  /**
   * One training step on a batch of `b` rows (`xs`, `ys` hold them, row-major): followers get the last rows, the leader
   * keeps the first; `computeOwn(rows, into)` computes the leader's slice. Returns the metrics of the whole batch
   * (loss and raw loss as batch means, correct as a count).
   */
  step(
    xs: Float32Array,
    ys: Float32Array,
    b: number,
    computeOwn: (rows: number, into: Float32Array) => SliceResult,
    apply: (avg: Float32Array) => void,
  ): SliceResult {
    const l = this.layout;
    const { sampleSize: S, labelSize: K } = l.plan;
    const start = performance.now();
    const solo = this.modes.next() === 'solo';
    const rows = solo ? [b, ...new Array<number>(this.replicas - 1).fill(0)] : balanceRows(b, this.balance ? this.speed : this.speed.map(() => 0), l.plan.maxRows);
    if (rows.some((r, i) => i > 0 && r > l.plan.maxRows)) throw new Error(`a batch of ${b} does not fit the shared training buffer`);
    const seq = ++this.seq;
    let from = rows[0];
    const p = seq & 1;
    for (let r = 0; r < this.replicas; r++) Atomics.store(l.ctl, slot(r, ROWS + p), rows[r]);
    for (let r = 1; r < this.replicas; r++) {
      l.xs[r].set(xs.subarray(from * S, (from + rows[r]) * S));
      l.ys[r].set(ys.subarray(from * K, (from + rows[r]) * K));
      from += rows[r];
    }
    Atomics.store(l.ctl, SEQ, seq);
    Atomics.notify(l.ctl, SEQ);
    const t0 = performance.now();
    const own = rows[0] > 0 ? computeOwn(rows[0], l.grads[p][0]) : { loss: 0, correct: 0, raw: 0 };
    l.metrics[0].set([own.loss, own.correct, own.raw]);
    publish(l, 0, seq);
    const t1 = performance.now();
    if (!waitForOthers(l, 0, seq)) throw new ReplicaError('the run was ended while a step was in flight');
    const t2 = performance.now();
    averageGradients(l, seq, this.avg);
    apply(this.avg);
    const t3 = performance.now();
    this.timing.own += t1 - t0;
    this.timing.wait += t2 - t1;
    this.timing.update += t3 - t2;
    this.timing.steps++;
    if (solo) this.timing.soloSteps++;
    else {
      for (let r = 1; r < this.replicas; r++) {
        this.timing.followers += l.metrics[r][3] / (this.replicas - 1);
        this.timing.followerApply += l.metrics[r][4] / (this.replicas - 1);
        this.timing.followerIdle += l.metrics[r][5] / (this.replicas - 1);
      }
      this.learnSpeeds(rows, t1 - t0, t2 - t1);
    }
    // A solo step is timed as one worker alone would run it: without the wait for the followers to wake up and apply
    // the update, which a retired run does not have. On a loaded machine that wait is long (a follower's core is
    // taken), and counting it made solo look slower than one worker really is, so two starved workers were kept.
    this.modes.record(b, solo ? t1 - t0 + (t3 - t2) : t3 - start, solo ? undefined : { rows: rows[0], ms: t1 - t0, updateMs: t3 - t2 });
    let loss = 0;
    let correct = 0;
    let raw = 0;
    for (let r = 0; r < this.replicas; r++) {
      if (rows[r] === 0) continue;
      const m = l.metrics[r];
      loss += (rows[r] / b) * m[0];
      correct += m[1];
      raw += (rows[r] / b) * m[2];
    }
    return { loss, correct, raw };
  }

  /**
   * Updates the speed estimates from a step: the leader's own time; each follower's reported compute time, except that
   * the slowest one took at least as long as the leader waited for it (which also counts its wake-up).
   */
  private learnSpeeds(rows: number[], ownMs: number, waitMs: number): void {
    const l = this.layout;
    const ms = rows.map((_, r) => (r === 0 ? ownMs : l.metrics[r][3]));
    let slowest = 1;
    for (let r = 2; r < this.replicas; r++) if (ms[r] > ms[slowest]) slowest = r;
    if (waitMs > 0.05) ms[slowest] = Math.max(ms[slowest], ownMs + waitMs);
    for (let r = 0; r < this.replicas; r++) {
      if (rows[r] === 0 || !(ms[r] > 0)) continue;
      const v = rows[r] / ms[r];
      this.speed[r] = this.speed[r] > 0 ? 0.8 * this.speed[r] + 0.2 * v : v;
    }
  }

  /**
   * After a step: when the chooser settled on solo ({@link ModeChooser.retire}), stops the followers and returns true;
   * the caller then trains on in this worker alone (its weights and optimizer are the run's).
   */
  retireIfSolo(): boolean {
    if (!this.modes.retire()) return false;
    this.timing.retiredAfter = this.timing.steps;
    this.quit();
    return true;
  }

  /** Ends the run for every follower (also wakes any of them waiting). */
  quit(): void {
    const l = this.layout;
    Atomics.store(l.ctl, QUIT, 1);
    Atomics.notify(l.ctl, SEQ);
    for (let r = 0; r < this.replicas; r++) Atomics.notify(l.ctl, slot(r, DONE));
  }
}

/**
 * A follower's first gradients, on a slice of zeros, before it says ready: the first gradients in a fresh worker are
 * slow (kernels set up, wasm memory grows), and in the run the leader would wait for them in its first steps, where
 * the split/solo comparison is measured. Only gradients are computed (nothing is applied); a training pass moves
 * BatchNorm statistics, so the caller sets its weights again afterwards.
 */
export function warmUpSlice(plan: ReplicaPlan, computeSlice: (xs: Float32Array, ys: Float32Array, rows: number, into: Float32Array) => SliceResult): void {
  const rows = Math.max(1, Math.ceil(plan.maxRows / plan.replicas));
  computeSlice(new Float32Array(rows * plan.sampleSize), new Float32Array(rows * plan.labelSize), rows, new Float32Array(plan.varSizes.reduce((a, b) => a + b, 0)));
}

/**
 * A follower's loop, blocking until the leader quits: waits for a step, computes the gradients of its slice, waits
 * for everybody's, applies the average. `computeSlice(x, y, rows, into)` computes its slice's gradients. On an
 * exception the error is posted to the shared buffer (the leader throws it) and rethrown here.
 */
export function runFollower(
  layout: ReplicaLayout,
  me: number,
  computeSlice: (xs: Float32Array, ys: Float32Array, rows: number, into: Float32Array) => SliceResult,
  apply: (avg: Float32Array) => void,
): number {
  const l = layout;
  const avg = new Float32Array(l.params);
  const { sampleSize: S, labelSize: K } = l.plan;
  let seq = 0;
  let applyMs = 0;
  let appliedAt = performance.now();
  try {
    for (;;) {
      for (;;) {
        if (Atomics.load(l.ctl, QUIT)) return seq;
        const s = Atomics.load(l.ctl, SEQ);
        if (s !== seq) break;
        if (!spinUntilChanged(l.ctl, SEQ, s)) Atomics.wait(l.ctl, SEQ, s, 1000);
      }
      seq = Atomics.load(l.ctl, SEQ);
      const rows = Atomics.load(l.ctl, slot(me, ROWS + (seq & 1)));
      if (rows > 0) {
        const t0 = performance.now();
        const m = computeSlice(l.xs[me].subarray(0, rows * S), l.ys[me].subarray(0, rows * K), rows, l.grads[seq & 1][me]);
        l.metrics[me].set([m.loss, m.correct, m.raw, performance.now() - t0, applyMs, t0 - appliedAt]);
      }
      publish(l, me, seq);
      if (!waitForOthers(l, me, seq)) return seq;
      const a0 = performance.now();
      averageGradients(l, seq, avg);
      apply(avg);
      appliedAt = performance.now();
      applyMs = appliedAt - a0;
    }
  } catch (e) {
    if (!(e instanceof ReplicaError)) postReplicaError(l, me, e instanceof Error ? e.message || e.name : String(e));
    throw e;
  }
}
