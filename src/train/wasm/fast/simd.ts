/**
 * A few hand-assembled WebAssembly SIMD loops that work directly on the tfjs wasm backend's heap (they import its
 * `memory`), for the shapes XNNPACK handles poorly. No toolchain: the module's bytes are written out here, from a
 * handful of opcodes. Used only when the heap is a plain (unshared) memory and the engine validates SIMD; otherwise
 * {@link simdKernels} returns null and callers keep their XNNPACK path.
 */

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/** One function of a generated module: its type, function, export and code entries all come from here. */
export interface WasmFunction {
  name: string;
  /** Parameter types; no results (every loop here writes to the heap). */
  params: number[];
  /** Locals and instructions, as {@link fnCode} lays them out. */
  code: number[];
  /** In the export section under `name`; otherwise reachable only by `call` from the module's own functions. */
  exported: boolean;
}

/** `n` i32 parameters: heap addresses, counts and byte strides. */
const i32s = (n: number): number[] => new Array(n).fill(I32);

/** A function's code: runs of locals (`[count, type]`) declared in order, then the body (which ends with `end`). */
function fnCode(locals: [number, number][], body: number[]): number[] {
  return [...vec(locals.map(([n, type]) => [...uleb(n), type])), ...body];
}

/**
 * The module of `fns`, function i at index i, importing the heap as `env.memory` (min 1 page, no max). Each distinct
 * signature is one type, in order of first use.
 */
function moduleBytes(fns: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const types: number[][] = [];
  const typeIndex = fns.map((f) => {
    const type = [0x60, ...vec(f.params.map((p) => [p])), ...vec([])];
    const i = types.findIndex((t) => t.length === type.length && t.every((b, j) => b === type[j]));
    return i >= 0 ? i : types.push(type) - 1;
  });
  const exported = fns.flatMap((f, i) => (f.exported ? [[...name(f.name), 0x00, ...uleb(i)]] : []));
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec(typeIndex.map((i) => uleb(i)))),
    ...section(7, vec(exported)),
    ...section(10, vec(fns.map((f) => [...uleb(f.code.length), ...f.code]))),
  ]);
}

/** Instruction helpers (the subset the loops need). */
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const add = [0x6a];
const sub = [0x6b];
const eqz = [0x45];
const brIf = (d: number) => [0x0d, ...uleb(d)];
const br = (d: number) => [0x0c, ...uleb(d)];
const block = [0x02, 0x40];
const loop = [0x03, 0x40];
const end = [0x0b];
const f32Load = [0x2a, 0x02, 0x00];
const f32Store = [0x38, 0x02, 0x00];
const f32Add = [0x92];
const f32Gt = [0x5e];
const f32NegInf = [0x43, 0x00, 0x00, 0x80, 0xff];
const i32Mul = [0x6c];
const i32GtS = [0x4a];
const i32LtS = [0x48];
const i32GeS = [0x4e];
const select = [0x1b];
const ifThen = (body: number[]) => [0x04, 0x40, ...body, ...end];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const v128Zero = simd(0x0c, ...new Array(16).fill(0));
const f32x4Splat = simd(0x13);
const f32x4Add = simd(0xe4);
const f32x4Mul = simd(0xe6);
/** f32x4.relaxed_madd (a · b + c, fused where the CPU has FMA): relaxed SIMD, on by default in Chrome ≥ 114. */
const f32x4RelaxedMadd = simd(0x105);

/** acc + a · b, leaving the result on the stack: one relaxed_madd when `fused`, else f32x4.mul and f32x4.add. */
function mulAdd(fused: boolean, acc: number[], a: number[], b: number[]): number[] {
  return fused ? [...a, ...b, ...acc, ...f32x4RelaxedMadd] : [...acc, ...a, ...b, ...f32x4Mul, ...f32x4Add];
}

let relaxed: boolean | undefined;

/** Whether this engine compiles relaxed SIMD's f32x4.relaxed_madd (Chrome ≥ 114; Node 20 only with a flag). */
export function relaxedSimdSupported(): boolean {
  if (relaxed === undefined) {
    const code = fnCode([], [...v128Zero, ...v128Zero, ...v128Zero, ...f32x4RelaxedMadd, 0x1a /* drop */, ...end]);
    const bytes = moduleBytes([{ name: 'probe', params: [], code, exported: false }]);
    try {
      relaxed = WebAssembly.validate(bytes);
    } catch {
      relaxed = false;
    }
  }
  return relaxed;
}

/** `while (local != 0) { body; local -= 1 }` */
function countdown(counter: number, body: number[]): number[] {
  return [...block, ...loop, ...get(counter), ...eqz, ...brIf(1), ...body, ...get(counter), ...i32(1), ...sub, ...set(counter), ...br(0), ...end, ...end];
}

/**
 * The filterGrad loops' shared parameters 0..11 (x, dy, out, n, rows, cols, xCol, xRow, xImg, dyCol, dyRow, dyImg)
 * and first i32 locals 12..17 (r, c, xr, dr, xp, dp).
 */
const [FG_X, FG_DY, FG_N, FG_ROWS, FG_COLS, FG_XCOL, FG_XROW, FG_XIMG, FG_DYCOL, FG_DYROW, FG_DYIMG] = [0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const [FG_R, FG_C, FG_XR, FG_DR, FG_XP, FG_DP] = [12, 13, 14, 15, 16, 17];

/**
 * The filterGrad loops' walk over images, rows and columns of the span: `inner` runs once per output position with
 * xp at its x element and dp at its dy row, and must leave both where they were (the walk steps them).
 */
function filterGradWalk(inner: number[]): number[] {
  const step = [...inner, ...get(FG_XP), ...get(FG_XCOL), ...add, ...set(FG_XP), ...get(FG_DP), ...get(FG_DYCOL), ...add, ...set(FG_DP)];
  const row = [...get(FG_XR), ...set(FG_XP), ...get(FG_DR), ...set(FG_DP), ...get(FG_COLS), ...set(FG_C), ...countdown(FG_C, step),
    ...get(FG_XR), ...get(FG_XROW), ...add, ...set(FG_XR), ...get(FG_DR), ...get(FG_DYROW), ...add, ...set(FG_DR)];
  const image = [...get(FG_X), ...set(FG_XR), ...get(FG_DY), ...set(FG_DR), ...get(FG_ROWS), ...set(FG_R), ...countdown(FG_R, row),
    ...get(FG_X), ...get(FG_XIMG), ...add, ...set(FG_X), ...get(FG_DY), ...get(FG_DYIMG), ...add, ...set(FG_DY)];
  return countdown(FG_N, image);
}

/**
 * filterGradB(x, dy, out, n, rows, cols, xCol, xRow, xImg, dyCol, dyRow, dyImg) for B = 1..4 accumulators:
 * for every image, row and column of the window's in-bounds output span, acc[b] += x[·] · dy[·][4b .. 4b+3];
 * stores the B vectors at `out`. Strides are in bytes; x and dy point at the span's first element.
 */
function filterGradFunction(B: number): number[] {
  // Locals after filterGradWalk's: 18 the splatted x (v128), 19.. acc[B] (v128).
  const [OUT, XP, DP] = [2, FG_XP, FG_DP];
  const XV = 18;
  const ACC = 19;
  const inner: number[] = [...get(XP), ...f32Load, ...f32x4Splat, ...set(XV)];
  // x value splatted once, multiplied into each accumulator's four dy channels (v128.load, align 1: dy rows are only
  // 4-byte aligned; memarg offset 16·b).
  for (let b = 0; b < B; b++) {
    inner.push(...get(ACC + b), ...get(XV), ...get(DP), ...simd(0x00, 0x00, 16 * b), ...f32x4Mul, ...f32x4Add, ...set(ACC + b));
  }
  const body: number[] = [];
  for (let b = 0; b < B; b++) body.push(...v128Zero, ...set(ACC + b));
  body.push(...filterGradWalk(inner));
  for (let b = 0; b < B; b++) body.push(...get(OUT), ...get(ACC + b), ...simd(0x0b, 0x00, 16 * b));
  body.push(...end);
  return fnCode([[6, I32], [B + 1, V128]], body);
}

/**
 * filterGradMulti[B − 1][T − 1](x, dy, out, n, rows, cols, xCol, xRow, xImg, dyCol, dyRow, dyImg): filterGrad for T
 * consecutive filter taps at once (T x floats at x, x + 4, …: consecutive (kw, ci) pairs of one kernel row), so each dy
 * load serves T taps and each x load B vectors: acc[t·B + b] += x[t] · dy[4b .. 4b+3]; stores the T·B vectors at `out`
 * (tap-major). Every tap must have the same in-bounds span (callers pad x).
 */
function filterGradMultiFunction(B: number, T: number, fused: boolean): number[] {
  const [OUT, XP, DP] = [2, FG_XP, FG_DP];
  const XV = 18;
  const DV = 19;
  const ACC = DV + B;
  const inner: number[] = [];
  for (let b = 0; b < B; b++) inner.push(...get(DP), ...simd(0x00, 0x00, ...uleb(16 * b)), ...set(DV + b));
  for (let t = 0; t < T; t++) {
    inner.push(...get(XP), ...simd(0x09, 0x02, ...uleb(4 * t)), ...set(XV)); // v128.load32_splat
    for (let b = 0; b < B; b++) inner.push(...mulAdd(fused, get(ACC + t * B + b), get(XV), get(DV + b)), ...set(ACC + t * B + b));
  }
  const body: number[] = [];
  for (let a = 0; a < T * B; a++) body.push(...v128Zero, ...set(ACC + a));
  body.push(...filterGradWalk(inner));
  for (let a = 0; a < T * B; a++) body.push(...get(OUT), ...get(ACC + a), ...simd(0x0b, 0x00, ...uleb(16 * a)));
  body.push(...end);
  return fnCode([[6, I32], [1 + B + T * B, V128]], body);
}

/**
 * gemmPairs(a, b, w, ca, cb, rows, K, KK, vblocks, lastOff): cols = dy · W for two rows at once (rows a + i and b + i of
 * dy, i < rows; K floats each) against w [K, KK]: per block of 16 output columns, 8 accumulators (2 rows × 4 vectors),
 * per k 4 weight loads and 2 splats. The last block starts at `lastOff` bytes (KK − 16 floats when 16 does not divide
 * KK: it overlaps the previous block and stores the same values again). Needs KK ≥ 16. With `accumulate`
 * (gemmPairsAcc), the products are added to what ca and cb hold (the accumulators start from them), so a long K can be
 * split into blocks whose W stays in cache; that needs KK a multiple of 16 (an overlapping last block would add twice).
 * a = b with ca = cb is allowed in both (an odd last row): both halves load before either stores.
 */
function gemmPairsFunction(fused: boolean, accumulate = false): number[] {
  const [A, B, W, CA, CB, ROWS, K, KK, VBLOCKS, LASTOFF] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [R, VB, KI, VOFF, WP, PA, PB, KKB] = [10, 11, 12, 13, 14, 15, 16, 17];
  const [SA, SB, W0] = [18, 19, 20];
  const ACC = W0 + 4;
  const kStep: number[] = [];
  for (let j = 0; j < 4; j++) kStep.push(...get(WP), ...simd(0x00, 0x00, ...uleb(16 * j)), ...set(W0 + j));
  kStep.push(...get(PA), ...simd(0x09, 0x02, 0x00), ...set(SA), ...get(PB), ...simd(0x09, 0x02, 0x00), ...set(SB));
  for (let r = 0; r < 2; r++) {
    for (let j = 0; j < 4; j++) kStep.push(...mulAdd(fused, get(ACC + r * 4 + j), get(r ? SB : SA), get(W0 + j)), ...set(ACC + r * 4 + j));
  }
  kStep.push(...get(WP), ...get(KKB), ...add, ...set(WP), ...get(PA), ...i32(4), ...add, ...set(PA), ...get(PB), ...i32(4), ...add, ...set(PB));
  const vblock: number[] = [
    // voff = min(vb · 64, lastOff)
    ...get(VB), ...i32(64), ...i32Mul, ...get(LASTOFF), ...get(VB), ...i32(64), ...i32Mul, ...get(LASTOFF), ...i32LtS, ...select, ...set(VOFF),
  ];
  for (let a = 0; a < 8; a++) {
    if (accumulate) vblock.push(...get(a < 4 ? CA : CB), ...get(VOFF), ...add, ...simd(0x00, 0x00, ...uleb(16 * (a % 4))), ...set(ACC + a));
    else vblock.push(...v128Zero, ...set(ACC + a));
  }
  vblock.push(...get(W), ...get(VOFF), ...add, ...set(WP), ...get(A), ...set(PA), ...get(B), ...set(PB), ...get(K), ...set(KI), ...countdown(KI, kStep));
  for (let j = 0; j < 4; j++) vblock.push(...get(CA), ...get(VOFF), ...add, ...get(ACC + j), ...simd(0x0b, 0x00, ...uleb(16 * j)));
  for (let j = 0; j < 4; j++) vblock.push(...get(CB), ...get(VOFF), ...add, ...get(ACC + 4 + j), ...simd(0x0b, 0x00, ...uleb(16 * j)));
  const row = [
    ...forUp(VB, get(VBLOCKS), vblock),
    ...get(A), ...get(K), ...i32(4), ...i32Mul, ...add, ...set(A), ...get(B), ...get(K), ...i32(4), ...i32Mul, ...add, ...set(B),
    ...get(CA), ...get(KKB), ...add, ...set(CA), ...get(CB), ...get(KKB), ...add, ...set(CB),
  ];
  const body = [...get(KK), ...i32(4), ...i32Mul, ...set(KKB), ...forUp(R, get(ROWS), row), ...end];
  return fnCode([[8, I32], [2 + 4 + 8, V128]], body);
}

/**
 * Most taps per filterGradMulti call for B = 1..4 accumulator groups (T·B accumulators, at most 8: on LeNet's filter
 * gradients 8 accumulators beat 12, where V8 spills, and beat 4).
 */
export const MULTI_TAPS = [8, 4, 2, 2] as const;

/** `for (counter = 0; counter < limit; counter++) body` (signed compare). */
function forUp(counter: number, limit: number[], body: number[]): number[] {
  return [...i32(0), ...set(counter), ...block, ...loop, ...get(counter), ...limit, ...i32GeS, ...brIf(1), ...body,
    ...get(counter), ...i32(1), ...add, ...set(counter), ...br(0), ...end, ...end];
}

/**
 * maxPoolGradRow(x, dxMinusX, dy, rows, OW, C, W, KW, SW, left, rowBytes): one row of pooling windows (one image, one
 * output row; `x` points at the window rows' first input row, `rows` of them). For every output column and channel,
 * finds the first strict maximum in row-major window order with `select` (no branches to mispredict) and adds that
 * window's dy to dx at the same position (dx = x + dxMinusX bytes).
 */
function maxPoolGradFunction(): number[] {
  const [X, D, DY, ROWS, OW, C, W, KW, SW, LEFT, ROWB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  // i32 locals 11..: ow, w0, wMin, wMax, k, h, w, a, rowA, bi, cond, cb (C·4); f32 locals: best, v.
  const [OWI, W0, WMIN, WMAX, K, H, WI, A, ROWA, BI, COND, CB] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
  const [BEST, V] = [23, 24];
  const scan = [
    ...get(A), ...f32Load, ...set(V),
    ...get(V), ...get(BEST), ...f32Gt, ...set(COND),
    ...get(V), ...get(BEST), ...get(COND), ...select, ...set(BEST),
    ...get(A), ...get(BI), ...get(COND), ...select, ...set(BI),
    ...get(A), ...get(CB), ...add, ...set(A),
  ];
  // w runs from wMin to wMax: count the span down instead.
  const row = [
    ...get(ROWA), ...set(A),
    ...get(WMAX), ...get(WMIN), ...sub, ...set(WI),
    ...block, ...loop, ...get(WI), ...i32(0), ...[0x4c] /* i32.le_s */, ...brIf(1), ...scan,
    ...get(WI), ...i32(1), ...sub, ...set(WI), ...br(0), ...end, ...end,
    ...get(ROWA), ...get(ROWB), ...add, ...set(ROWA),
  ];
  const channel = [
    ...f32NegInf, ...set(BEST), ...i32(-1), ...set(BI),
    ...get(X), ...get(WMIN), ...get(CB), ...i32Mul, ...add, ...get(K), ...i32(4), ...i32Mul, ...add, ...set(ROWA),
    ...forUp(H, get(ROWS), row),
    ...get(BI), ...i32(0), ...i32GeS, ...ifThen([
      ...get(BI), ...get(D), ...add, // dx address
      ...get(BI), ...get(D), ...add, ...f32Load,
      ...get(DY), ...get(OWI), ...get(CB), ...i32Mul, ...add, ...get(K), ...i32(4), ...i32Mul, ...add, ...f32Load,
      ...f32Add, ...f32Store,
    ]),
  ];
  const column = [
    ...get(OWI), ...get(SW), ...i32Mul, ...get(LEFT), ...sub, ...set(W0),
    // wMin = max(0, w0), wMax = min(W, w0 + KW)
    ...get(W0), ...i32(0), ...get(W0), ...i32(0), ...i32GtS, ...select, ...set(WMIN),
    ...get(W0), ...get(KW), ...add, ...get(W), ...get(W0), ...get(KW), ...add, ...get(W), ...i32LtS, ...select, ...set(WMAX),
    ...forUp(K, get(C), channel),
  ];
  const body = [...get(C), ...i32(4), ...i32Mul, ...set(CB), ...forUp(OWI, get(OW), column), ...end];
  return fnCode([[12, I32], [2, F32]], body);
}

/**
 * addPattern(x, pattern, out, chunks, vectors): out = x + pattern repeated, for `chunks` chunks of `vectors` × 4 floats
 * (a bias of C channels repeats every lcm(C, 4) floats, so the sum is whole vectors however small C is).
 */
function addPatternFunction(): number[] {
  const [X, PAT, OUT, CHUNKS, VECS] = [0, 1, 2, 3, 4];
  const [CI, J, PP] = [5, 6, 7];
  const vector = [
    ...get(OUT), ...get(X), ...simd(0x00, 0x00, 0x00), ...get(PP), ...simd(0x00, 0x00, 0x00), ...f32x4Add, ...simd(0x0b, 0x00, 0x00),
    ...get(X), ...i32(16), ...add, ...set(X), ...get(OUT), ...i32(16), ...add, ...set(OUT), ...get(PP), ...i32(16), ...add, ...set(PP),
  ];
  const chunk = [...get(PAT), ...set(PP), ...forUp(J, get(VECS), vector)];
  const body = [...forUp(CI, get(CHUNKS), chunk), ...end];
  return fnCode([[3, I32]], body);
}

/** `while (cond) body` where `cond` leaves an i32 on the stack. */
function whileDo(cond: number[], body: number[]): number[] {
  return [...block, ...loop, ...cond, ...eqz, ...brIf(1), ...body, ...br(0), ...end, ...end];
}

/**
 * col2im(col, buf, n, oh, ow, kh, spanBytes, imgBytes, rowBytes, pixBytes, khBytes): the scatter-add of a convolution's
 * input gradient. `col` is read linearly as [n, oh, ow, kh, span] (span = KW·CI floats, contiguous in both `col` and
 * `buf`); for each (image, output row, output column, kernel row) its span is added into `buf` at
 * img·imgBytes + oh·rowBytes + ow·pixBytes + kh·khBytes, four floats at a time, then the tail one float at a time.
 * Windows are processed in order, so overlapping spans accumulate correctly.
 */
function col2imFunction(im2col = false): number[] {
  const [COL, BUF, N, OH, OW, KH, SPAN, IMG, ROWB, PIXB, KHB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [NI, OHI, OWI, KHI, REM, D, IMGP, ROWP, PIXP] = [11, 12, 13, 14, 15, 16, 17, 18, 19];
  // im2col: the same walk, copying each span from buf into col instead.
  const vectorOp = im2col
    ? [...get(COL), ...get(D), ...simd(0x00, 0x00, 0x00), ...simd(0x0b, 0x00, 0x00)]
    : [...get(D), ...get(D), ...simd(0x00, 0x00, 0x00), ...get(COL), ...simd(0x00, 0x00, 0x00), ...f32x4Add, ...simd(0x0b, 0x00, 0x00)];
  const scalarOp = im2col
    ? [...get(COL), ...get(D), ...f32Load, ...f32Store]
    : [...get(D), ...get(D), ...f32Load, ...get(COL), ...f32Load, ...f32Add, ...f32Store];
  const vector = [
    ...vectorOp,
    ...get(D), ...i32(16), ...add, ...set(D), ...get(COL), ...i32(16), ...add, ...set(COL), ...get(REM), ...i32(16), ...sub, ...set(REM),
  ];
  const scalar = [
    ...scalarOp,
    ...get(D), ...i32(4), ...add, ...set(D), ...get(COL), ...i32(4), ...add, ...set(COL), ...get(REM), ...i32(4), ...sub, ...set(REM),
  ];
  const span = [
    ...get(SPAN), ...set(REM),
    ...whileDo([...get(REM), ...i32(16), ...i32GeS], vector),
    ...whileDo([...get(REM), ...i32(0), ...i32GtS], scalar),
    ...get(D), ...get(KHB), ...add, ...get(SPAN), ...sub, ...set(D),
  ];
  const pixel = [...get(PIXP), ...set(D), ...get(KH), ...set(KHI), ...countdown(KHI, span), ...get(PIXP), ...get(PIXB), ...add, ...set(PIXP)];
  const row = [...get(ROWP), ...set(PIXP), ...get(OW), ...set(OWI), ...countdown(OWI, pixel), ...get(ROWP), ...get(ROWB), ...add, ...set(ROWP)];
  const image = [...get(IMGP), ...set(ROWP), ...get(OH), ...set(OHI), ...countdown(OHI, row), ...get(IMGP), ...get(IMG), ...add, ...set(IMGP)];
  const body = [...get(BUF), ...set(IMGP), ...get(N), ...set(NI), ...countdown(NI, image), ...end];
  return fnCode([[9, I32]], body);
}

/**
 * sumPattern(x, acc, chunks, vectors): acc[j] += x[chunk·vectors + j] (four floats per j) over `chunks` chunks of
 * `vectors` vectors: the sum over rows of a [rows, C] tensor, folded into a pattern of lcm(C, 4) floats.
 */
function sumPatternFunction(): number[] {
  const [X, ACC, CHUNKS, VECS] = [0, 1, 2, 3];
  const [CI, J, A] = [4, 5, 6];
  const vector = [
    ...get(A), ...get(A), ...simd(0x00, 0x00, 0x00), ...get(X), ...simd(0x00, 0x00, 0x00), ...f32x4Add, ...simd(0x0b, 0x00, 0x00),
    ...get(X), ...i32(16), ...add, ...set(X), ...get(A), ...i32(16), ...add, ...set(A),
  ];
  const chunk = [...get(ACC), ...set(A), ...forUp(J, get(VECS), vector)];
  const body = [...forUp(CI, get(CHUNKS), chunk), ...end];
  return fnCode([[3, I32]], body);
}

/**
 * maxPoolGradRowSimd(x, dxMinusX, dy, rows, OW, C, W, KW, SW, left, rowBytes): maxPoolGradRow's contract for windows
 * that do not overlap (stride ≥ window) and C ≥ 4, four channels at a time (the last group of four overlaps the one
 * before when C is not a multiple of 4: it recomputes the same values). Per window and group, pass 1 finds the
 * maximum (strict `>` from −∞, so NaN never wins and an all −∞ window has none); pass 2 stores dy at the first
 * position equal to it and 0 at the others: a store, not an add, which is why the windows must not overlap.
 */
function maxPoolGradSimdFunction(): number[] {
  const [X, D, DY, ROWS, OW, C, W, KW, SW, LEFT, ROWB] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [OWI, W0, WMIN, WMAX, G, GOFF, LASTG, H, WI, A, ROWA, CB] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
  const [BEST, V, FOUND, VALID, DYV, NEGINF, M] = [23, 24, 25, 26, 27, 28, 29];
  const f32x4Eq = simd(0x41);
  const f32x4Gt = simd(0x44);
  const v128And = simd(0x4e);
  const v128AndNot = simd(0x4f);
  const v128Or = simd(0x50);
  const bitselect = simd(0x52);
  const load = simd(0x00, 0x00, 0x00);
  const store = simd(0x0b, 0x00, 0x00);
  // Visits the window's positions: A walks the in-bounds columns of each of the `rows` rows.
  const window = (body: number[]) => [
    ...get(X), ...get(WMIN), ...get(CB), ...i32Mul, ...add, ...get(GOFF), ...add, ...set(ROWA),
    ...forUp(H, get(ROWS), [
      ...get(ROWA), ...set(A),
      ...forUp(WI, [...get(WMAX), ...get(WMIN), ...sub], [...body, ...get(A), ...get(CB), ...add, ...set(A)]),
      ...get(ROWA), ...get(ROWB), ...add, ...set(ROWA),
    ]),
  ];
  const findMax = [...get(A), ...load, ...set(V), ...get(V), ...get(BEST), ...get(V), ...get(BEST), ...f32x4Gt, ...bitselect, ...set(BEST)];
  const write = [
    ...get(A), ...load, ...get(BEST), ...f32x4Eq, ...get(VALID), ...v128And, ...get(FOUND), ...v128AndNot, ...set(M),
    ...get(A), ...get(D), ...add, ...get(DYV), ...get(M), ...v128And, ...store,
    ...get(FOUND), ...get(M), ...v128Or, ...set(FOUND),
  ];
  const group = [
    // goff = min(g, lastG)
    ...get(G), ...get(LASTG), ...get(G), ...get(LASTG), ...i32LtS, ...select, ...set(GOFF),
    ...get(NEGINF), ...set(BEST),
    ...window(findMax),
    ...get(BEST), ...get(NEGINF), ...f32x4Gt, ...set(VALID),
    ...v128Zero, ...set(FOUND),
    ...get(DY), ...get(OWI), ...get(CB), ...i32Mul, ...add, ...get(GOFF), ...add, ...load, ...set(DYV),
    ...window(write),
    ...get(G), ...i32(16), ...add, ...set(G),
  ];
  const column = [
    ...get(OWI), ...get(SW), ...i32Mul, ...get(LEFT), ...sub, ...set(W0),
    ...get(W0), ...i32(0), ...get(W0), ...i32(0), ...i32GtS, ...select, ...set(WMIN),
    ...get(W0), ...get(KW), ...add, ...get(W), ...get(W0), ...get(KW), ...add, ...get(W), ...i32LtS, ...select, ...set(WMAX),
    // groups at g = 0, 16, …, while the previous group ended before the last one (goff < lastG)
    ...i32(0), ...set(G), ...i32(-1), ...set(GOFF),
    ...whileDo([...get(GOFF), ...get(LASTG), ...i32LtS], group),
  ];
  const body = [
    ...get(C), ...i32(4), ...i32Mul, ...set(CB),
    ...get(C), ...i32(4), ...sub, ...i32(4), ...i32Mul, ...set(LASTG),
    ...f32NegInf, ...f32x4Splat, ...set(NEGINF),
    ...forUp(OWI, get(OW), column), ...end,
  ];
  return fnCode([[12, I32], [7, V128]], body);
}

/** The kernels' module, one entry per function: adding a kernel is adding a row here (and its field in SimdKernels). */
function kernelTable(fused: boolean): WasmFunction[] {
  const kernel = (name: string, params: number, code: number[]): WasmFunction => ({ name, params: i32s(params), code, exported: true });
  return [
    ...[1, 2, 3, 4].map((b) => kernel(`filterGrad${b}`, 12, filterGradFunction(b))),
    kernel('maxPoolGradRow', 11, maxPoolGradFunction()),
    kernel('addPattern', 5, addPatternFunction()),
    kernel('col2im', 11, col2imFunction()),
    kernel('sumPattern', 4, sumPatternFunction()),
    kernel('maxPoolGradRowSimd', 11, maxPoolGradSimdFunction()),
    ...MULTI_TAPS.flatMap((tMax, i) => Array.from({ length: tMax }, (_, t) =>
      kernel(`filterGradMulti${i + 1}_${t + 1}`, 12, filterGradMultiFunction(i + 1, t + 1, fused)))),
    kernel('gemmPairs', 10, gemmPairsFunction(fused)),
    kernel('gemmPairsAcc', 10, gemmPairsFunction(fused, true)),
    kernel('im2col', 11, col2imFunction(true)),
  ];
}

/** The kernels' module bytes, relaxed SIMD's fused multiply-add in the loops that have one when `fused`. */
export function buildModule(fused: boolean): Uint8Array<ArrayBuffer> {
  return moduleBytes(kernelTable(fused));
}

type FilterGrad = (x: number, dy: number, out: number, n: number, rows: number, cols: number, xCol: number, xRow: number,
  xImg: number, dyCol: number, dyRow: number, dyImg: number) => void;

type MaxPoolGradRow = (x: number, dxMinusX: number, dy: number, rows: number, ow: number, c: number, w: number, kw: number,
  sw: number, left: number, rowBytes: number) => void;

type AddPattern = (x: number, pattern: number, out: number, chunks: number, vectors: number) => void;

type Col2Im = (col: number, buf: number, n: number, oh: number, ow: number, kh: number, spanBytes: number, imgBytes: number,
  rowBytes: number, pixBytes: number, khBytes: number) => void;

type SumPattern = (x: number, acc: number, chunks: number, vectors: number) => void;

type GemmPairs = (a: number, b: number, w: number, ca: number, cb: number, rows: number, k: number, kk: number, vblocks: number,
  lastOff: number) => void;

export interface SimdKernels {
  /** filterGrad[B − 1] accumulates B groups of four output channels. */
  filterGrad: FilterGrad[];
  maxPoolGradRow: MaxPoolGradRow;
  addPattern: AddPattern;
  /** The scatter-add of a convolution's input gradient (see col2imFunction). */
  col2im: Col2Im;
  /** Row sums of a [rows, C] tensor into a pattern of lcm(C, 4) floats (see sumPatternFunction). */
  sumPattern: SumPattern;
  /** maxPoolGradRow for non-overlapping windows and C ≥ 4, four channels per vector (see maxPoolGradSimdFunction). */
  maxPoolGradRowSimd: MaxPoolGradRow;
  /** filterGradMulti[B − 1][T − 1]: B accumulator groups, T consecutive taps, T ≤ MULTI_TAPS[B − 1]. */
  filterGradMulti: FilterGrad[][];
  /** Two rows of dy · W at once (see gemmPairsFunction). */
  gemmPairs: GemmPairs;
  /** gemmPairs adding to the output rows instead of overwriting them. */
  gemmPairsAcc: GemmPairs;
  /** col2im's walk copying each window's spans out of buf into col (im2col). */
  im2col: Col2Im;
}

/**
 * A generated module instantiated against `memory` (the heap it imports), once per heap and `cache`: null when there is
 * no heap, the heap is shared (the threaded build) or the engine refuses the module (no SIMD); callers then keep their
 * other path.
 */
export function onHeap<T>(cache: WeakMap<WebAssembly.Memory, T | null>, memory: WebAssembly.Memory | undefined,
  bytes: () => Uint8Array<ArrayBuffer>, bind: (exports: WebAssembly.Exports) => T): T | null {
  if (!memory) return null;
  const known = cache.get(memory);
  if (known !== undefined) return known;
  let bound: T | null = null;
  try {
    if (typeof SharedArrayBuffer === 'undefined' || !(memory.buffer instanceof SharedArrayBuffer)) {
      bound = bind(new WebAssembly.Instance(new WebAssembly.Module(bytes()), { env: { memory } }).exports);
    }
  } catch {
    bound = null;
  }
  cache.set(memory, bound);
  return bound;
}

const cache = new WeakMap<WebAssembly.Memory, SimdKernels | null>();

/** The SIMD loops bound to this heap, or null when the heap is shared (threaded build) or SIMD is unavailable. */
export function simdKernels(memory: WebAssembly.Memory | undefined): SimdKernels | null {
  return onHeap(cache, memory, () => buildModule(relaxedSimdSupported()), (exports) => {
    const e = exports as Record<string, FilterGrad> & { maxPoolGradRow: MaxPoolGradRow; addPattern: AddPattern; col2im: Col2Im;
      sumPattern: SumPattern; maxPoolGradRowSimd: MaxPoolGradRow; gemmPairs: GemmPairs; gemmPairsAcc: GemmPairs; im2col: Col2Im };
    return { filterGrad: [e.filterGrad1, e.filterGrad2, e.filterGrad3, e.filterGrad4], maxPoolGradRow: e.maxPoolGradRow, addPattern: e.addPattern,
      col2im: e.col2im, sumPattern: e.sumPattern, maxPoolGradRowSimd: e.maxPoolGradRowSimd,
      filterGradMulti: MULTI_TAPS.map((tMax, i) => Array.from({ length: tMax }, (_, t) => e[`filterGradMulti${i + 1}_${t + 1}`])),
      gemmPairs: e.gemmPairs, gemmPairsAcc: e.gemmPairsAcc, im2col: e.im2col };
  });
}

/** The assembler helpers, for modules generated elsewhere (./conv1.ts specialises its loops to one shape). */
export const asm = {
  I32, V128, uleb, get, set, i32, add, sub, i32Mul, block, loop, end, br, brIf, eqz, i32GeS, f32Load,
  simd, v128Zero, f32x4Splat, f32x4Add, f32x4Mul, forUp, countdown, mulAdd, i32s, fnCode, moduleBytes,
};
