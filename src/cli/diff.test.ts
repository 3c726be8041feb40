import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getPreset } from '../../presets/index';
import type { GraphDiff } from '../graph/diff';
import { graphToKerasModelJson } from '../graph/keras';
import { serializeProject } from '../graph/project';
import type { ProjectFileV1 } from '../graph/types';
import { main } from './main';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/convas.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'convas-diff-'));
const lenetFile = join(root, 'presets/lenet5.json');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: scratch, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

async function inProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function write(name: string, content: string | ProjectFileV1): string {
  const file = join(scratch, name);
  writeFileSync(file, typeof content === 'string' ? content : serializeProject(content));
  return file;
}

/** LeNet-5 with 16 filters in its first conv, saved as another project. */
function wideLenet(): string {
  const p = structuredClone(getPreset('lenet5')!);
  p.name = 'LeNet-5 wide';
  p.graph.nodes.find((n) => n.name === 'conv2d')!.params.filters = 16;
  return write('lenet5-wide.convas.json', p);
}

describe('convas diff', () => {
  it('exits 1 and prints the change, old → new, with the figures it moves and the totals delta (the real bin)', async () => {
    const r = await run(['diff', lenetFile, wideLenet()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`--- ${lenetFile} (LeNet-5): 9 layers, 61,706 params, 416,520 MACs (416.52 K)`);
    expect(lines[1]).toMatch(/^\+\+\+ .*lenet5-wide\.convas\.json \(LeNet-5 wide\): 9 layers, 65,966 params/);
    const changed = r.stdout.slice(r.stdout.indexOf('Changed (1):'), r.stdout.indexOf('Knock-on'));
    expect(changed).toBe(
      [
        'Changed (1):',
        '  ~ conv2d (Conv2D)',
        '      filters: 6 → 16',
        '      output: 28×28×6 → 28×28×16',
        '      params: 156 → 416 (+260)',
        '      MACs: 117,600 → 313,600 (+196,000)',
        '',
      ].join('\n'),
    );
    expect(r.stdout).toContain('  · conv2d_1 (Conv2D): params: 2,416 → 6,416 (+4,000); MACs: 240,000 → 640,000 (+400,000)');
    expect(r.stdout).toMatch(/\n {2}params +61,706 → +65,966 {2}\(\+4,260\)\n/);
    expect(r.stdout).not.toContain('Added');
    expect(r.stdout).not.toContain('Removed');
  });

  it('exits 0 for the same design, also when one side is the Keras model.json of the other', async () => {
    const same = await inProcess(['diff', lenetFile, lenetFile]);
    expect(same.code).toBe(0);
    expect(same.out).toContain('The designs are the same: all 9 layers match');
    const keras = write('lenet5.model.json', JSON.stringify(graphToKerasModelJson(getPreset('lenet5')!.graph, 'lenet5')));
    const across = await inProcess(['diff', lenetFile, keras]);
    expect(across.err).toBe('');
    expect(across.out).toContain('The designs are the same');
    expect(across.code).toBe(0);
  });

  it('reports renames and reordered Concatenate inputs', async () => {
    const a = structuredClone(getPreset('basic-cnn')!);
    const b = structuredClone(a);
    b.graph.nodes[b.graph.nodes.length - 1].name = 'logits';
    const r = await inProcess(['diff', write('a.convas.json', a), write('b.convas.json', b)]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`renamed: ${a.graph.nodes[a.graph.nodes.length - 1].name} → logits`);

    const node = (id: string, kind: string, params: Record<string, unknown> = {}) => ({ id, kind, name: id, params, position: { x: 0, y: 0 } });
    const cat = (first: string, second: string): ProjectFileV1 => ({
      format: 'convas-project',
      version: 1,
      name: 'cat',
      graph: {
        nodes: [node('in', 'Input', { shape: [4, 4, 2] }), node('p', 'Conv2D', { filters: 2, kernelSize: 1 }), node('q', 'Conv2D', { filters: 3, kernelSize: 1 }), node('cat', 'Concatenate')],
        edges: [
          { id: 'a', source: 'in', target: 'p', targetIndex: 0 },
          { id: 'b', source: 'in', target: 'q', targetIndex: 0 },
          { id: 'c', source: first, target: 'cat', targetIndex: 0 },
          { id: 'd', source: second, target: 'cat', targetIndex: 1 },
        ],
      },
    });
    const swapped = await inProcess(['diff', write('pq.convas.json', cat('p', 'q')), write('qp.convas.json', cat('q', 'p'))]);
    expect(swapped.code).toBe(1);
    expect(swapped.out).toContain('  ~ cat (Concatenate)\n      inputs: p, q → q, p (reordered)\n');
  });

  it('--json prints the whole diff', async () => {
    const r = await inProcess(['diff', lenetFile, wideLenet(), '--json']);
    expect(r.code).toBe(1);
    const d = JSON.parse(r.out) as GraphDiff;
    expect(d.changed.map((c) => [c.b.name, c.params])).toEqual([['conv2d', [{ key: 'filters', before: 6, after: 16 }]]]);
    expect(d.totals.delta.params).toBe(4260);
  });

  it('exits 2 with one line naming the file and the reason, never a stack trace', async () => {
    const missing = await run(['diff', lenetFile, 'nope.json']);
    expect(missing).toEqual({ code: 2, stdout: '', stderr: 'convas: nope.json: cannot read the file (no such file)\n' });

    const cut = write('cut.json', readFileSync(lenetFile, 'utf8').slice(0, 200));
    const bad = await inProcess(['diff', cut, lenetFile]);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe('');
    expect(bad.err).toMatch(/^convas: .*cut\.json: not valid JSON \(.*\)\n$/);

    const broken = structuredClone(getPreset('lenet5')!) as unknown as { graph: { nodes: Array<Record<string, unknown>> } };
    delete broken.graph.nodes[1].kind;
    delete broken.graph.nodes[2].name;
    const invalid = await inProcess(['diff', lenetFile, write('broken.json', JSON.stringify(broken))]);
    expect(invalid.code).toBe(2);
    expect(invalid.err.split('\n')).toHaveLength(2);
    expect(invalid.err).toMatch(/^convas: .*broken\.json: .*\(and \d+ more problems?\)\n$/);

    const notModel = await inProcess(['diff', write('other.json', '{"hello": 1}'), lenetFile]);
    expect(notModel.code).toBe(2);
    expect(notModel.err).toMatch(/^convas: .*other\.json: not a Convas project .*\n$/);

    for (const args of [['diff'], ['diff', lenetFile], ['diff', lenetFile, lenetFile, lenetFile], ['diff', lenetFile, lenetFile, '--yaml']]) {
      const r = await inProcess(args);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});
