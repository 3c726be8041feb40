import type * as tfjs from '@tensorflow/tfjs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { flattenProjectChecked } from '../graph/blocks';
import { importOnnx, isOnnxFileName, ONNX_LIMITS } from '../graph/formats/onnx-import';
import { importText, IMPORT_LIMITS } from '../graph/import';
import { inferGraph } from '../graph/infer';
import { graphToKerasModelJson } from '../graph/keras';
import type { ProjectFileV1 } from '../graph/types';
import { CompileError } from '../compile/compile';
import { snapshotWeights, type WeightSnapshot } from '../compile/weights';
import { artifactBaseName, buildModel, importArtifacts, modelToArtifacts } from '../export/artifacts';
import { kerasScript } from '../export/keras-script';
import { pytorchScript } from '../export/pytorch-script';
import { exportOnnx, ONNX_OPSET } from '../export/onnx';
import { npzBytes, pytorchStateDict } from '../export/pytorch-weights';
import { withSeededMathRandom } from '../train/random';
import type { Io } from './main';
import { summaryErrors } from './summary';

type Tf = typeof tfjs;

export const EXPORT_FORMATS = ['onnx', 'tfjs', 'keras-json', 'keras-py', 'pytorch'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Exit codes of `convas export` (0–3 mean what they mean for `summary`; 4 is the output side). */
export const EXPORT_EXIT = { ok: 0, invalidGraph: 1, unreadable: 2, internal: 3, unwritable: 4 } as const;

/** The seed of the initial weights when the input brings none and `--seed` is not given: the same command writes the same bytes. */
export const DEFAULT_SEED = 1;

export const EXPORT_USAGE = `Usage: convas export <project.convas.json | model.json | model.onnx> --to FORMAT -o OUT
                     [--seed N] [--weights] [--fresh-weights]

Converts a design without a browser. FORMAT is one of:
  tfjs        model.json + <name>.weights.bin, what the app's "tfjs model" export writes.
              OUT is a directory (created when missing), or the path of the .json with the .bin next to it.
  onnx        <name>.onnx (opset ${ONNX_OPSET}) with the weights; channels-last inputs and outputs, NCHW inside
  keras-json  the Keras/tfjs model topology (model.json without weights); convas summary and Keras read it
  keras-py    the Keras script (tf.keras functional model, layer table, training settings)
  pytorch     the PyTorch script; with --weights also <name>.weights.npz next to it, the state dict the
              script loads with --weights (as the app's "PyTorch weights" export)

Weights: an .onnx file, or a tfjs model.json whose weights files lie next to it, brings its weights
(tfjs, onnx and pytorch --weights carry them over). Otherwise the initial weights are drawn with --seed N (default ${DEFAULT_SEED}),
so the same command writes the same files. --fresh-weights ignores the input's weights.
A one-file format (all but tfjs) writes OUT, or <OUT>/<name>.<ext> when OUT is a directory (one that
exists, or written with a trailing /); -o - writes a text format to stdout. Existing files are replaced.

Exit codes (export):
  0  written; each file is listed on stdout
  1  the graph is invalid, or a layer has no equivalent in FORMAT; every bad layer is named
  2  the input cannot be read (missing, too big, not a model, weights file missing, an ONNX operator
     Convas has no layer for) or the arguments are wrong
  3  a bug in convas (please report it with the file)
  4  OUT cannot be written (the reason is given)
`;

export interface ExportArgs {
  input: string;
  to: ExportFormat;
  out: string;
  seed: number | null;
  weights: boolean;
  freshWeights: boolean;
}

/** Reads the command line of `convas export`; one line saying what is wrong otherwise. */
export function parseExportArgs(args: readonly string[]): ExportArgs | { error: string } {
  const files: string[] = [];
  let to: string | undefined;
  let out: string | undefined;
  let seed: number | null = null;
  let weights = false;
  let freshWeights = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = /^(--[a-z-]+)=(.*)$/.exec(a);
    const flag = eq ? eq[1] : a;
    const value = (): string | undefined => (eq ? eq[2] : args[++i]);
    if (flag === '--to' || flag === '-t') to = value();
    else if (flag === '-o' || flag === '--out') out = value();
    else if (flag === '--seed') {
      const v = value();
      if (v === undefined || !/^\d+$/.test(v) || Number(v) > 0xffffffff) return { error: `--seed needs a whole number from 0 to 4294967295, got ${v === undefined ? 'nothing' : `"${v}"`}` };
      seed = Number(v);
    } else if (flag === '--weights' && !eq) weights = true;
    else if (flag === '--fresh-weights' && !eq) freshWeights = true;
    else if (a.startsWith('-') && a !== '-') return { error: `unknown option ${a}` };
    else files.push(a);
    if ((flag === '--to' || flag === '-t') && to === undefined) return { error: `--to needs a format: ${EXPORT_FORMATS.join(', ')}` };
    if ((flag === '-o' || flag === '--out') && !out) return { error: `${flag} needs a path` };
  }
  if (files.length !== 1) return { error: files.length ? `export reads one file at a time, got ${files.length}: ${files.join(', ')}` : 'export needs an input file' };
  if (to === undefined) return { error: `export needs --to FORMAT (${EXPORT_FORMATS.join(', ')})` };
  if (!(EXPORT_FORMATS as readonly string[]).includes(to)) return { error: `unknown format "${to}"; --to takes ${EXPORT_FORMATS.join(', ')}` };
  if (out === undefined) return { error: `export needs -o OUT (a ${to === 'tfjs' ? 'directory' : 'file or directory'})` };
  const format = to as ExportFormat;
  if (weights && format !== 'pytorch') return { error: `--weights goes with --to pytorch (${format} ${format === 'tfjs' || format === 'onnx' ? 'always carries the weights' : 'holds no weights'})` };
  if (out === '-' && (format === 'tfjs' || format === 'onnx' || weights)) return { error: `-o - (stdout) takes one text file; ${weights ? 'pytorch --weights writes two files' : `${format} is ${format === 'tfjs' ? 'two files' : 'binary'}`}` };
  return { input: files[0], to: format, out, seed, weights, freshWeights };
}

/** A problem the user can act on: printed as one line (plus the listed problems) with its exit code, never a stack. */
class ExportFailure extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

const fileReason = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'ENOTDIR' ? 'a part of the path is a file, not a directory'
    : code === 'EISDIR' ? 'is a directory'
    : code === 'EROFS' ? 'read-only file system'
    : code === 'ENOSPC' ? 'no space left on the device'
    : (e as Error).message;
};

/** What an input file holds once read: the design (blocks expanded) and, lazily, its weights when it carries any. */
interface LoadedInput {
  project: ProjectFileV1;
  warnings: string[];
  /** What expanding its blocks found wrong (an input port nothing feeds…): the export is refused, as for a bad layer. */
  problems: string[];
  /** The input's own weights, or null when it has none (a Convas project, a bare topology). */
  weights(tf: Tf): Promise<WeightSnapshot | null>;
}

async function readInputBytes(file: string, limit: number): Promise<Buffer> {
  let size: number;
  try {
    const s = await stat(file);
    if (s.isDirectory()) throw new ExportFailure(`${file}: is a directory, not a file`, EXPORT_EXIT.unreadable);
    size = s.size;
  } catch (e) {
    if (e instanceof ExportFailure) throw e;
    throw new ExportFailure(`${file}: cannot read the file (${fileReason(e)})`, EXPORT_EXIT.unreadable);
  }
  if (size > limit) {
    throw new ExportFailure(`${file}: the file is ${(size / 1024 / 1024).toFixed(1)} MB; the limit is ${limit / 1024 / 1024} MB`, EXPORT_EXIT.unreadable);
  }
  try {
    return await readFile(file);
  } catch (e) {
    throw new ExportFailure(`${file}: cannot read the file (${fileReason(e)})`, EXPORT_EXIT.unreadable);
  }
}

/** The base names of the weights files a tfjs model.json lists, or [] when it lists none. */
function manifestFiles(text: string): string[] {
  const json = JSON.parse(text) as { weightsManifest?: unknown };
  if (!Array.isArray(json.weightsManifest)) return [];
  return json.weightsManifest.flatMap((g: unknown) =>
    g && typeof g === 'object' && Array.isArray((g as { paths?: unknown }).paths) ? (g as { paths: unknown[] }).paths.filter((p): p is string => typeof p === 'string') : [],
  ).map((p) => basename(p));
}

async function loadInput(file: string, useWeights: boolean): Promise<LoadedInput> {
  if (isOnnxFileName(file)) {
    const bytes = await readInputBytes(file, ONNX_LIMITS.maxBytes);
    const o = importOnnx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
    // One line naming the node and op, as `convas summary model.onnx` says it.
    if (!o.ok) throw new ExportFailure(o.errors.join('; '), EXPORT_EXIT.unreadable);
    const weights = o.value.weights.length ? o.value.weights : null;
    return { ...flattenProjectChecked(o.value.project), warnings: o.value.warnings, weights: async () => weights };
  }
  const text = (await readInputBytes(file, IMPORT_LIMITS.maxChars)).toString('utf8');
  const r = importText(text, file);
  if (!r.ok) throw new ExportFailure(`cannot read ${file}:\n${r.errors.map((e) => `  - ${e}`).join('\n')}`, EXPORT_EXIT.unreadable);
  const { project, problems } = flattenProjectChecked(r.value.project);
  const bins = r.value.source === 'keras' && useWeights ? manifestFiles(text) : [];
  // The weights replace the topology-only import's note that they were ignored.
  const warnings = bins.length ? r.value.warnings.filter((w) => !w.includes('weights manifest was ignored')) : r.value.warnings;
  return {
    project,
    warnings,
    problems,
    async weights(tf) {
      if (!bins.length) return null;
      const dir = dirname(file);
      const buffers = new Map<string, ArrayBuffer>();
      for (const name of new Set(bins)) {
        // By base name in the model.json's own folder: a manifest cannot send us elsewhere on the disk.
        const path = join(dir, name);
        try {
          const b = await readFile(path);
          buffers.set(name, b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
        } catch (e) {
          throw new ExportFailure(
            `${file}: its weights file ${path} cannot be read (${fileReason(e)}); put it next to the model.json, or pass --fresh-weights to export initial weights instead`,
            EXPORT_EXIT.unreadable,
          );
        }
      }
      try {
        return (await importArtifacts(tf, text, buffers, file)).weights;
      } catch (e) {
        throw new ExportFailure(`${file}: its weights cannot be loaded: ${oneLine((e as Error).message)}`, EXPORT_EXIT.unreadable);
      }
    },
  };
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');

let tfLoaded: Promise<Tf> | undefined;

/** tfjs on its plain CPU backend, loaded only for the formats that carry weights; quiet about tfjs-node. */
function loadTf(): Promise<Tf> {
  tfLoaded ??= import('@tensorflow/tfjs').then(async (tf) => {
    // PROD silences the "install tfjs-node" banner, which would otherwise land on stderr of every export.
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
    return tf;
  });
  return tfLoaded;
}

interface OutFile {
  path: string;
  bytes: Uint8Array | string;
  what: string;
}

/** The weights an export saves, and the line saying where they came from. */
async function exportWeights(tf: Tf, input: LoadedInput, args: ExportArgs): Promise<{ model: tfjs.LayersModel; origin: string }> {
  const own = args.freshWeights ? null : await input.weights(tf);
  const graph = input.project.graph;
  if (own) return { model: buildModel(tf, graph, own), origin: `weights: from ${isOnnxFileName(args.input) ? args.input : `${args.input}'s weights files`}` };
  const seed = args.seed ?? DEFAULT_SEED;
  // tfjs initialisers draw their seeds from Math.random (as the training worker relies on too).
  const model = withSeededMathRandom(seed, () => buildModel(tf, graph, null));
  return { model, origin: `weights: initial, drawn with seed ${seed}${args.seed === null ? ' (the default; --seed N picks another)' : ''}` };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** OUT for a one-file format: the path itself, or `<OUT>/<default>` when OUT is a directory (or ends with a slash). */
async function filePath(out: string, defaultName: string): Promise<string> {
  return /[\\/]$/.test(out) || (await isDirectory(out)) ? join(out, defaultName) : out;
}

/** The .npz the PyTorch script's header names for a script path: `x_pytorch.py` → `x.weights.npz`. */
export function npzPathFor(script: string): string {
  const dir = dirname(script);
  const base = basename(script).replace(/(_pytorch)?\.py$/i, '');
  return join(dir, `${base || 'model'}.weights.npz`);
}

/** The files of one export, built in memory: nothing is written until all of them exist. */
async function build(input: LoadedInput, args: ExportArgs): Promise<{ files: OutFile[]; notes: string[] }> {
  const project = input.project;
  const base = artifactBaseName(project.name);
  switch (args.to) {
    case 'keras-json': {
      const json = graphToKerasModelJson(project.graph, project.name);
      return { files: [{ path: await filePath(args.out, `${base}.model.json`), bytes: `${JSON.stringify(json, null, 2)}\n`, what: 'Keras topology' }], notes: [] };
    }
    case 'keras-py':
      return { files: [{ path: await filePath(args.out, `${base}_keras.py`), bytes: kerasScript(project), what: 'Keras script' }], notes: [] };
    case 'pytorch': {
      const script = pytorchScript(project);
      const path = await filePath(args.out, `${base}_pytorch.py`);
      const files: OutFile[] = [{ path, bytes: script, what: 'PyTorch script' }];
      if (!args.weights) return { files, notes: [] };
      const tf = await loadTf();
      const { model, origin } = await exportWeights(tf, input, args);
      try {
        const npz = npzBytes(pytorchStateDict(project, snapshotWeights(model)));
        files.push({ path: npzPathFor(path), bytes: npz, what: `PyTorch state dict (python3 ${basename(path)} --weights ${basename(npzPathFor(path))})` });
      } finally {
        model.dispose();
      }
      return { files, notes: [origin] };
    }
    case 'tfjs': {
      const tf = await loadTf();
      const { model, origin } = await exportWeights(tf, input, args);
      let art;
      try {
        art = await modelToArtifacts(model, tf, project.name);
      } finally {
        model.dispose();
      }
      // tfjs names the model "model1", "model2", …; the project's name reads back as the design's name.
      const topology = art.modelJson.modelTopology as { config?: { name?: string } } | null;
      if (topology?.config) topology.config.name = project.name;
      const asJson = /\.json$/i.test(args.out) && !(await isDirectory(args.out));
      const jsonPath = asJson ? args.out : join(args.out, 'model.json');
      return {
        files: [
          { path: jsonPath, bytes: `${JSON.stringify(art.modelJson)}\n`, what: 'tfjs model (tf.loadLayersModel reads it)' },
          { path: join(dirname(jsonPath), art.weightsFileName), bytes: new Uint8Array(art.weightsBin), what: 'tfjs weights' },
        ],
        notes: [origin],
      };
    }
    case 'onnx': {
      const tf = await loadTf();
      const { model, origin } = await exportWeights(tf, input, args);
      let bytes: Uint8Array;
      try {
        bytes = exportOnnx(project.graph, snapshotWeights(model), { name: project.name });
      } finally {
        model.dispose();
      }
      return { files: [{ path: await filePath(args.out, `${base}.onnx`), bytes, what: `ONNX model, opset ${ONNX_OPSET}` }], notes: [origin] };
    }
  }
}

const size = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);
const byteLength = (b: Uint8Array | string) => (typeof b === 'string' ? Buffer.byteLength(b) : b.byteLength);

async function writeAll(files: OutFile[], io: Io): Promise<void> {
  for (const f of files) {
    try {
      if (await isDirectory(f.path)) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      await mkdir(dirname(f.path), { recursive: true });
      await writeFile(f.path, f.bytes);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a part of the path is a file, not a directory' : fileReason(e);
      throw new ExportFailure(`cannot write ${f.path} (${why})`, EXPORT_EXIT.unwritable);
    }
    io.out(`wrote ${f.path} (${size(byteLength(f.bytes))}): ${f.what}\n`);
  }
}

/**
 * `convas export`: reads a Convas project or a Keras/tfjs model.json (with its weights when they lie next to it),
 * checks the graph as `summary` does, builds every output file in memory with the app's own exporters, then writes
 * them. Returns the exit code ({@link EXPORT_EXIT}); user errors are one line (plus listed problems), never a stack.
 */
export async function exportCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseExportArgs(argv);
  if ('error' in args) {
    io.err(`convas: ${args.error} (see convas export --help)\n`);
    return EXPORT_EXIT.unreadable;
  }
  try {
    const input = await loadInput(args.input, args.to === 'tfjs' || args.to === 'onnx' || args.weights);
    for (const w of input.warnings) io.err(`convas: warning: ${w}\n`);
    if (args.seed !== null && (args.to === 'keras-json' || args.to === 'keras-py' || (args.to === 'pytorch' && !args.weights))) {
      io.err(`convas: warning: --seed has no effect: ${args.to}${args.to === 'pytorch' ? ' without --weights' : ''} holds no weights\n`);
    }
    const inf = inferGraph(input.project.graph);
    const errors = [...input.problems, ...(inf.valid ? [] : summaryErrors(input.project.graph, inf))];
    if (errors.length) {
      throw new ExportFailure(
        `cannot export ${args.input}: the graph is invalid (${errors.length} problem${errors.length === 1 ? '' : 's'}):\n${errors.map((e) => `  - ${e}`).join('\n')}`,
        EXPORT_EXIT.invalidGraph,
      );
    }
    let built: Awaited<ReturnType<typeof build>>;
    try {
      built = await build(input, args);
    } catch (e) {
      // A layer the format cannot express (the exporters throw plain Errors naming it) is the design's problem;
      // a TypeError and the like is ours.
      if (e instanceof ExportFailure || !(e instanceof Error) || (e.constructor !== Error && !(e instanceof CompileError))) throw e;
      throw new ExportFailure(`cannot export ${args.input} to ${args.to}: ${oneLine(e.message)}`, EXPORT_EXIT.invalidGraph);
    }
    if (args.out === '-') {
      io.out(typeof built.files[0].bytes === 'string' ? built.files[0].bytes : Buffer.from(built.files[0].bytes).toString('utf8'));
      return EXPORT_EXIT.ok;
    }
    await writeAll(built.files, io);
    for (const n of built.notes) io.out(`${n}\n`);
    return EXPORT_EXIT.ok;
  } catch (e) {
    if (e instanceof ExportFailure) {
      io.err(`convas: ${e.message}\n`);
      return e.code;
    }
    throw e;
  }
}
