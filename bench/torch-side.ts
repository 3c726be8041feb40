/**
 * The PyTorch side of bench:train's comparison: the preset exported by Convas' own PyTorch exporter (so both sides train
 * the same network), timed by ../shared/bench/torch_speed.py (Adam, random data of the input shape, 2 threads) with
 * Debian's python3-torch. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for that command alone (they slow a current
 * OpenBLAS). Returns null, with the reason, when PyTorch or the script is not here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getPreset } from '../presets/index';
import { benchGraph } from './preset-graph';
import { pytorchScript } from '../src/export/pytorch-script';

const PYTHON = process.env.CONVAS_TORCH_PYTHON ?? '/usr/bin/python3';

export function torchUnavailable(root: string): string | null {
  const script = torchSpeedScript(root);
  if (!existsSync(script)) return `${script} is missing`;
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
    return null;
  } catch {
    return `${PYTHON} cannot import torch (apt-get install -y python3-torch)`;
  }
}

function torchSpeedScript(root: string): string {
  return process.env.CONVAS_TORCH_BENCH ?? join(root, '../shared/bench/torch_speed.py');
}

/**
 * PyTorch CPU samples/s per batch size for the preset: LeNet-5 by torch_lenet5.py (batch 64 and 256), any other preset
 * exported and timed by torch_speed.py (batch 64 only).
 */
export function torchSamplesPerSec(root: string, presetId: string, input?: number[]): Map<number, number> {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const rates = new Map<number, number>();
  const read = (out: string) => {
    for (const m of out.matchAll(/batch (\d+): ([\d,]+) samples\/s/g)) rates.set(Number(m[1]), Number(m[2].replace(/,/g, '')));
    if (rates.size === 0) throw new Error(`the PyTorch script printed no rate: ${out}`);
    return rates;
  };
  if (presetId === 'lenet5' && !input) return read(execFileSync(PYTHON, [join(dirname(torchSpeedScript(root)), 'torch_lenet5.py')], { env, encoding: 'utf8' }));
  const preset = getPreset(presetId)!;
  const graph = benchGraph(presetId, input);
  const dir = join(root, 'node_modules/.cache/convas-bench-torch');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${presetId.replace(/[^A-Za-z0-9]/g, '_')}.py`);
  writeFileSync(file, pytorchScript({ format: 'convas-project', version: 1, name: preset.name, graph }));
  return read(execFileSync(PYTHON, [torchSpeedScript(root), file], { env, encoding: 'utf8' }));
}
