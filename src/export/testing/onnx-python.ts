import { spawnSync } from 'node:child_process';

/** A Python that can import the `onnx` package, or why there is none. */
export type OnnxPython = { ok: true; python: string; version: string } | { ok: false; reason: string };

/**
 * Finds a Python with ONNX's own checker: $CONVAS_PYTHON, Debian's /usr/bin/python3 (where `apt-get install
 * python3-onnx` puts it; a pyenv `python3` earlier on PATH usually lacks it), then `python3`. scripts/python-deps.sh
 * installs python3-onnx in the test command; tests skip with this reason when there is still none.
 */
export function findOnnxPython(): OnnxPython {
  const candidates = [process.env.CONVAS_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  const tried: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import onnx; print(onnx.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { ok: true, python, version: r.stdout.trim() };
    tried.push(`${python}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  return { ok: false, reason: `no Python with onnx (install Debian's python3-onnx: apt-get install -y python3-onnx); tried ${tried.join('; ')}` };
}

/** Runs `onnx.checker.check_model(path, full_check=True)` on each file, in one process; returns `ok <file>` / `FAIL <file>: why` lines by file. */
export function checkOnnxFiles(python: string, files: string[]): Map<string, string> {
  const script = [
    'import sys, onnx',
    'for path in sys.argv[1:]:',
    '    try:',
    '        onnx.checker.check_model(path, full_check=True)',
    '        print("ok", path, flush=True)',
    '    except Exception as e:',
    '        print("FAIL", path + ":", str(e).replace("\\n", " ")[:500], flush=True)',
  ].join('\n');
  const r = spawnSync(python, ['-c', script, ...files], { encoding: 'utf8', maxBuffer: 16 << 20, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`the ONNX checker did not run: ${r.error?.message ?? r.stderr}`);
  return new Map(r.stdout.trim().split('\n').map((line) => [line.replace(/^(ok|FAIL) (.*?)(:.*)?$/, '$2'), line]));
}
