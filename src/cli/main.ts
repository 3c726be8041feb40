import { readFile, stat } from 'node:fs/promises';
import { flattenProjectChecked } from '../graph/blocks';
import { importText, IMPORT_LIMITS } from '../graph/import';
import { importOnnx, isOnnxFileName, ONNX_LIMITS } from '../graph/formats/onnx-import';
import { diffGraphs } from '../graph/diff';
import { inferGraph } from '../graph/infer';
import type { ProjectFileV1 } from '../graph/types';
import { formatDiff } from './diff';
import { formatSummary, summaryJson } from './summary';

/** Exit codes of `convas`. */
export const EXIT = { ok: 0, invalidGraph: 1, different: 1, unreadable: 2, internal: 3 } as const;

export const USAGE = `Usage: convas summary <file> [--json]
       convas diff <a> <b> [--json]
       convas export <file> --to onnx|tfjs|keras-json|keras-py|pytorch -o OUT  (convas export --help)

summary  prints a table like Keras' model.summary() for a Convas project
         (*.convas.json), a Keras/tfjs model.json or an ONNX model (*.onnx,
         the operators Convas has layers for): output shape, params and
         MACs per layer, then totals (trainable / non-trainable params, MACs,
         FLOPs = 2 × MACs, memory).
diff     compares two designs (either kind of file): layers added, removed and
         changed (params old → new, renames, inputs), shapes, params and MACs
         that changed, and the totals' delta. Layers are matched by their place
         in the network, so renamed layers still pair up.
export   converts a design to another format without a browser: exit 0 written,
         1 invalid graph or a layer the format cannot hold, 2 unreadable input or
         wrong arguments, 3 a bug, 4 OUT cannot be written (convas export --help).

Options:
  --json       print {"layers":[…],"totals":{…},"errors":[…]} instead of the table
  -h, --help   show this help

Exit codes (summary):
  0  the graph is valid
  1  the graph is invalid; every bad layer is named below the table (or in "errors" with --json)
  2  the file cannot be read (missing, too big, not JSON, not a model, an ONNX
     operator Convas has no layer for) or the arguments are wrong
Exit codes (diff):
  0  the designs are the same
  1  they differ
  2  a file cannot be read, or the arguments are wrong (one line saying why)
  3  a bug in convas (please report it with the file)
`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

async function readSource(file: string, binary = false): Promise<{ text: string; bytes?: Uint8Array } | { error: string }> {
  try {
    const s = await stat(file);
    if (s.isDirectory()) return { error: `${file}: is a directory, not a file` };
    const limit = binary ? ONNX_LIMITS.maxBytes : IMPORT_LIMITS.maxChars;
    if (s.size > limit) {
      return { error: `${file}: the file is ${(s.size / 1024 / 1024).toFixed(1)} MB; the limit is ${limit / 1024 / 1024} MB` };
    }
    if (binary) return { text: '', bytes: new Uint8Array(await readFile(file)) };
    return { text: await readFile(file, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { error: `${file}: cannot read the file (${reason})` };
  }
}

async function summary(args: string[], io: Io): Promise<number> {
  const json = args.includes('--json');
  const unknown = args.filter((a) => a.startsWith('-') && a !== '--json');
  const files = args.filter((a) => !a.startsWith('-'));
  if (unknown.length || files.length !== 1) {
    io.err(`${unknown.length ? `unknown option ${unknown.join(', ')}` : files.length ? 'summary reads one file at a time' : 'summary needs a file'}\n\n${USAGE}`);
    return EXIT.unreadable;
  }
  const file = files[0];
  const src = await readSource(file, isOnnxFileName(file));
  if ('error' in src) {
    io.err(`convas: ${src.error}\n`);
    return EXIT.unreadable;
  }
  if (src.bytes) {
    // One line naming the node and op (the importer stops at the first one it cannot represent).
    const o = importOnnx(src.bytes, file);
    if (!o.ok) {
      io.err(`convas: ${o.errors.join('; ')}\n`);
      return EXIT.unreadable;
    }
    return printSummary(file, { project: o.value.project, warnings: o.value.warnings }, json, io);
  }
  const r = importText(src.text, file);
  if (!r.ok) {
    io.err(`convas: cannot read ${file}:\n${r.errors.map((e) => `  - ${e}`).join('\n')}\n`);
    return EXIT.unreadable;
  }
  return printSummary(file, r.value, json, io);
}

function printSummary(file: string, r: { project: ProjectFileV1; warnings: string[] }, json: boolean, io: Io): number {
  for (const w of r.warnings) io.err(`convas: warning: ${w}\n`);
  // Blocks expanded: the summary lists every layer as `instance/layer`.
  const { project, problems } = flattenProjectChecked(r.project);
  const inf = inferGraph(project.graph);
  if (json) {
    io.out(`${JSON.stringify(summaryJson(project.graph, inf, problems), null, 2)}\n`);
  } else {
    io.out(formatSummary(project.graph, inf, project.name, problems));
  }
  if (!inf.valid || problems.length) {
    if (!json) io.err(`convas: ${file}: the graph is invalid\n`);
    return EXIT.invalidGraph;
  }
  return EXIT.ok;
}

/** Reads a project or model.json for `diff`; on failure one line saying which file and why. */
async function readDesign(file: string): Promise<{ project: ProjectFileV1; warnings: string[] } | { error: string }> {
  const src = await readSource(file, isOnnxFileName(file));
  if ('error' in src) return src;
  if (src.bytes) {
    const o = importOnnx(src.bytes, file);
    return o.ok ? { project: o.value.project, warnings: o.value.warnings } : { error: o.errors[0] };
  }
  const r = importText(src.text, file);
  if (!r.ok) {
    const more = r.errors.length > 1 ? ` (and ${r.errors.length - 1} more problem${r.errors.length > 2 ? 's' : ''})` : '';
    const first = r.errors[0].startsWith(`${file}: `) ? r.errors[0] : `${file}: ${r.errors[0]}`;
    return { error: `${first}${more}` };
  }
  return r.value;
}

async function diff(args: string[], io: Io): Promise<number> {
  const json = args.includes('--json');
  const unknown = args.filter((a) => a.startsWith('-') && a !== '--json');
  const files = args.filter((a) => !a.startsWith('-'));
  if (unknown.length || files.length !== 2) {
    io.err(`convas: ${unknown.length ? `unknown option ${unknown.join(', ')}` : `diff needs two files, got ${files.length}`} (see convas --help)\n`);
    return EXIT.unreadable;
  }
  const sides = [];
  for (const file of files) {
    const r = await readDesign(file);
    if ('error' in r) {
      io.err(`convas: ${r.error.replace(/\s*\n\s*/g, ' ')}\n`);
      return EXIT.unreadable;
    }
    for (const w of r.warnings) io.err(`convas: warning: ${file}: ${w}\n`);
    sides.push(r.project);
  }
  const [a, b] = sides;
  const d = diffGraphs(a.graph, b.graph);
  if (json) io.out(`${JSON.stringify(d, null, 2)}\n`);
  else io.out(formatDiff(d, { a: `${files[0]} (${a.name})`, b: `${files[1]} (${b.name})` }, { a: a.graph.nodes.length, b: b.graph.nodes.length }));
  return d.equal ? EXIT.ok : EXIT.different;
}

/** A subcommand's usage text and entry point; undefined for an unknown name. */
async function loadCommand(name: string): Promise<{ usage: string; run: (args: string[], io: Io) => Promise<number> } | undefined> {
  if (name === 'summary') return { usage: USAGE, run: summary };
  if (name === 'diff') return { usage: USAGE, run: diff };
  if (name === 'export') {
    // Loaded on demand: the exporters (and tfjs behind them) would slow every summary down.
    const { EXPORT_USAGE, exportCommand } = await import('./export');
    return { usage: EXPORT_USAGE, run: exportCommand };
  }
  return undefined;
}

/**
 * The `convas` command line. Returns the exit code instead of exiting, so tests can call it in-process.
 *
 * @example
 * process.exitCode = await main(['summary', 'presets/lenet5.json']);
 */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '-h' || cmd === '--help' || cmd === 'help') {
    io.out(USAGE);
    return EXIT.ok;
  }
  const command = cmd === undefined ? undefined : await loadCommand(cmd);
  if (command) {
    if (rest.includes('-h') || rest.includes('--help')) {
      io.out(command.usage);
      return EXIT.ok;
    }
    try {
      return await command.run(rest, io);
    } catch (e) {
      // Exit 1 and 2 mean something about the file; a crash must not look like either.
      io.err(`convas: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      return EXIT.internal;
    }
  }
  io.err(`${cmd === undefined ? 'convas needs a command' : `unknown command "${cmd}"`}\n\n${USAGE}`);
  return EXIT.unreadable;
}
