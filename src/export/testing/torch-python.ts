import { spawnSync } from 'node:child_process';

/** A Python that can import PyTorch (and numpy), or why there is none. */
export type TorchPython = { ok: true; python: string; version: string; pythonMinor: number } | { ok: false; reason: string };

/**
 * Finds a Python with PyTorch: $CONVAS_PYTHON, Debian's /usr/bin/python3 (where `apt-get install python3-torch`
 * puts it; a pyenv `python3` earlier on PATH usually lacks it), then `python3`. The test command installs
 * python3-torch when it is missing (scripts/test.sh); tests skip with this reason when there is still none.
 */
export function findTorchPython(modules = 'torch, numpy'): TorchPython {
  const candidates = [process.env.CONVAS_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  const tried: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', `import ${modules}; import sys, torch; print(torch.__version__, sys.version_info[1])`], { encoding: 'utf8', env: torchEnv() });
    if (r.status === 0) {
      const [version, minor] = r.stdout.trim().split(' ');
      return { ok: true, python, version, pythonMinor: Number(minor) };
    }
    tried.push(`${python}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  return { ok: false, reason: `no Python with ${modules} (install Debian's python3-torch: apt-get install -y python3-torch); tried ${tried.join('; ')}` };
}

/** The environment for PyTorch commands: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE slow a current OpenBLAS, so unset. */
export function torchEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}
