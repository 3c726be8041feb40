import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tinyModel } from '../graph/formats/testing/onnx-models';
import { main } from './main';
import type { SummaryJson } from './summary';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => join(root, 'src/graph/formats/fixtures/onnx', `${name}.onnx`);
const expected = (name: string) =>
  JSON.parse(readFileSync(join(root, 'src/graph/formats/fixtures/onnx', `${name}.json`), 'utf8')) as { params: { total: number; trainable: number; nonTrainable: number }; macs: number };
const scratch = mkdtempSync(join(tmpdir(), 'convas-onnx-'));

async function inProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function runBin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin/convas.mjs'), ...args], { cwd: scratch, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('convas summary model.onnx', () => {
  it.each(['lenet5', 'resnet_small', 'mobilenet_block'])('%s: the totals PyTorch counts, exit 0', async (name) => {
    const exp = expected(name);
    const json = await inProcess(['summary', fixture(name), '--json']);
    expect(json.err).toBe('');
    expect(json.code).toBe(0);
    const s = JSON.parse(json.out) as SummaryJson;
    expect(s.totals).toEqual({ params: exp.params.total, trainableParams: exp.params.trainable, nonTrainableParams: exp.params.nonTrainable, macs: exp.macs, flops: 2 * exp.macs });
    expect(s.errors).toEqual([]);

    const table = await inProcess(['summary', fixture(name)]);
    expect(table.code).toBe(0);
    expect(table.out).toContain(`Model: "${name}"`);
    expect(table.out).toContain(`Total params: ${exp.params.total.toLocaleString('en-US')}`);
  });

  it('an unsupported op: exit 2 and one line naming the op and the node, no stack trace (the real bin)', async () => {
    const file = join(scratch, 'hardswish.onnx');
    writeFileSync(file, tinyModel([1, 4], [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { name: '/act/HardSwish', op: 'HardSwish', inputs: ['r'], outputs: ['y'] }]));
    const r = await runBin(['summary', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^convas: .*hardswish\.onnx: node "\/act\/HardSwish" \(HardSwish\): operator HardSwish is not supported/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('corrupt bytes and a missing file: exit 2 with one line', async () => {
    const file = join(scratch, 'corrupt.onnx');
    writeFileSync(file, readFileSync(fixture('lenet5')).subarray(0, 3000));
    const bad = await inProcess(['summary', file]);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe('');
    expect(bad.err.trimEnd().split('\n')).toHaveLength(1);
    expect(bad.err).toMatch(/^convas: .*corrupt\.onnx: /);
    const missing = await inProcess(['summary', join(scratch, 'nope.onnx')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read the file (no such file)');
  });

  it('diff reads ONNX too: a model against itself is equal', async () => {
    const same = await inProcess(['diff', fixture('resnet_small'), fixture('resnet_small')]);
    expect(same.err).toBe('');
    expect(same.code).toBe(0);
    const other = await inProcess(['diff', fixture('resnet_small'), fixture('mobilenet_block')]);
    expect(other.code).toBe(1);
  });
});
