import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { getLayerKind } from '../../nodes/index';
import { presetList } from '../../presets/index';
import type { ProjectFileV1 } from '../graph/types';
import { writeInvalidProject, writeUnfedBlockProject } from './fixtures/invalid-project';
import { main } from './main';
import type { SummaryJson } from './summary';
import { fixtureModels, savedModelJson } from './fixtures/tfjs-models';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/convas.mjs');
const fixture = (name: string) => join(root, 'src/cli/fixtures', `${name}.model.json`);
const scratch = mkdtempSync(join(tmpdir(), 'convas-cli-'));

/** Runs the real bin with node, from `cwd` (default: a directory outside the repo). */
function run(args: string[], cwd = scratch): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs main() in this process, capturing what it prints. */
async function inProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** Kinds a document needs that the registry lacks (while nodes/ is still growing). */
const missingKinds = (kinds: string[]) => [...new Set(kinds)].filter((k) => !getLayerKind(k));
const presetFile = (id: string) => JSON.parse(readFileSync(join(root, 'presets', `${id}.json`), 'utf8')) as ProjectFileV1;
/** The layer kinds a preset uses, inside its blocks too (a block instance is not a layer kind). */
const presetKinds = (id: string) => {
  const p = presetFile(id);
  return [...p.graph.nodes, ...(p.blocks ?? []).flatMap((b) => b.graph.nodes)].map((n) => n.kind).filter((k) => k !== 'Block');
};

describe('convas summary (the real bin, run from outside the repo)', () => {
  for (const p of presetList) {
    it.skipIf(missingKinds(presetKinds(p.id)).length > 0)(`prints preset ${p.id} with its pinned totals, exit 0`, async () => {
      const file = join(root, 'presets', `${p.id}.json`);
      const json = await run(['summary', file, '--json']);
      expect(json.stderr).toBe('');
      expect(json.code).toBe(0);
      const s = JSON.parse(json.stdout) as SummaryJson;
      expect(s.totals).toEqual({ ...p.expected, flops: 2 * p.expected.macs });
      expect(s.errors).toEqual([]);
      // Blocks are listed expanded, each layer named after its instance.
      if (presetFile(p.id).blocks) expect(s.layers.filter((l) => l.name.includes('/')).length).toBeGreaterThan(s.layers.length / 2);
      // The table, in-process (same code path after argument parsing).
      const table = await inProcess(['summary', file]);
      expect(table.code).toBe(0);
      expect(table.out).toContain(`Total params: ${p.expected.params.toLocaleString('en-US')} (`);
      expect(table.out.split('\n').filter((l) => / \(None, [\d, ]+\) /.test(l))).toHaveLength(s.layers.length);
    });
  }

  for (const name of Object.keys(fixtureModels)) {
    const kinds = ['InputLayer', 'Conv2D', 'Dense', 'Add', 'MaxPooling2D', 'Flatten'];
    const json = JSON.parse(readFileSync(fixture(name), 'utf8')) as { modelTopology: { config: { layers: Array<{ class_name: string }> } } };
    const classes = json.modelTopology.config.layers.map((l) => l.class_name).filter((c) => kinds.includes(c));
    const missing = missingKinds(classes.map((c) => (c === 'InputLayer' ? 'Input' : c)));
    it.skipIf(missing.length > 0)(`reads the tfjs-saved ${name}.model.json with tfjs' own parameter count`, async () => {
      const model = fixtureModels[name](tf);
      const r = await run(['summary', fixture(name), '--json']);
      expect(r.code).toBe(0);
      const s = JSON.parse(r.stdout) as SummaryJson;
      expect(s.totals.params).toBe(model.countParams());
      const out = s.layers[s.layers.length - 1];
      expect(out.outputShape).toEqual(model.outputs[0].shape.slice(1));
      expect(r.stderr).toContain('warning: the weights manifest was ignored');
      model.dispose();
    });
  }

  it('exits 1 on an invalid graph, naming every bad layer', async () => {
    const file = writeInvalidProject(scratch);
    const table = await run(['summary', file]);
    expect(table.code).toBe(1);
    expect(table.stdout).toContain('The graph is invalid (2 problems):');
    expect(table.stdout).toContain('  - too_big (Conv2D): kernel 7×7 is larger than the 4×4 input (padding valid) [kernelSize]');
    expect(table.stdout).toContain('  - zero_units (Dense): Units must be a whole number ≥ 1; 0 is below 1 [units]');
    expect(table.stdout).toContain('Total params: ≥ 0 (0 B)');
    expect(table.stdout).toContain('Partial totals: 3 layers left out.');
    expect(table.stderr).toContain('the graph is invalid');
    const json = await run(['summary', file, '--json']);
    expect(json.code).toBe(1);
    const s = JSON.parse(json.stdout) as SummaryJson;
    expect(s.errors).toHaveLength(2);
    expect(s.layers.find((l) => l.name === 'after')?.error).toBe('blocked by an error upstream (too_big)');
  });

  it('exits 1 on a block instance with an input port nothing feeds, listing it as export does', async () => {
    const file = writeUnfedBlockProject(scratch);
    const table = await inProcess(['summary', file]);
    expect(table.code).toBe(1);
    expect(table.out).toContain('The graph is invalid (1 problem):\n  - input “in2” of first is not connected\n');
    expect(table.err).toBe(`convas: ${file}: the graph is invalid\n`);
    const json = await inProcess(['summary', file, '--json']);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.out) as SummaryJson).errors).toEqual(['input “in2” of first is not connected']);
  });

  it('exits 2 with the reason on a missing file, garbage, a directory and a refused model', async () => {
    const missing = await run(['summary', 'nope.json']);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toBe('convas: nope.json: cannot read the file (no such file)\n');

    const junk = join(scratch, 'junk.json');
    writeFileSync(junk, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x00, 0xff]));
    const garbage = await run(['summary', junk]);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/^convas: cannot read .*junk\.json:\n {2}- .*junk\.json: not valid JSON/);

    const huge = join(scratch, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, 50 * 1024 * 1024);
    const big = await inProcess(['summary', huge]);
    expect(big.code).toBe(2);
    expect(big.err).toBe(`convas: ${huge}: the file is 50.0 MB; the limit is 20 MB\n`);

    const dir = await inProcess(['summary', scratch]);
    expect(dir.code).toBe(2);
    expect(dir.err).toContain('is a directory');

    const unknown = join(scratch, 'lambda.json');
    writeFileSync(unknown, JSON.stringify({ class_name: 'Sequential', config: { layers: [{ class_name: 'Lambda', config: { name: 'l', batch_input_shape: [null, 3] } }] } }));
    const refused = await inProcess(['summary', unknown, '--json']);
    expect(refused.code).toBe(2);
    expect(refused.out).toBe('');
    expect(refused.err).toContain('unknown layer class "Lambda"');
  });

  it('prints usage: exit 0 for --help, 2 for wrong arguments', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: convas summary <file> \[--json\]/);
    const wrong = await run(['sumary', 'x.json']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^unknown command "sumary"\n\nUsage: convas summary/);
    for (const args of [[], ['summary'], ['summary', 'a.json', '--yaml'], ['summary', 'a.json', 'b.json']]) {
      const r = await inProcess(args);
      expect(r.code).toBe(2);
      expect(r.err).toContain('Usage: convas summary');
    }
  });
});

describe('fixtures', () => {
  it('the committed model.json fixtures are what tfjs saves today (regenerate with make-fixtures.ts)', async () => {
    await tf.setBackend('cpu');
    for (const [name, make] of Object.entries(fixtureModels)) {
      const model = make(tf);
      expect(JSON.parse(readFileSync(fixture(name), 'utf8'))).toEqual(await savedModelJson(tf, model));
      model.dispose();
    }
  });

  it('a crash exits 3, never 1 or 2', async () => {
    let err = '';
    const code = await main(['summary', fixture('tfjs-sequential')], {
      out: () => {
        throw new Error('stdout closed');
      },
      err: (t) => (err += t),
    });
    expect(code).toBe(3);
    expect(err).toContain('convas: internal error: Error: stdout closed');
  });

  it('the sequential fixture gets a synthetic Input named after its first layer', async () => {
    const r = await inProcess(['summary', fixture('tfjs-sequential'), '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as SummaryJson).layers.map((l) => l.name)).toEqual(['conv_a_input', 'conv_a', 'conv_b', 'head']);
  });
});
