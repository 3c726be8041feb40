import { describe, expect, it } from 'vitest';
import { sequentialGraph } from './build';
import { inferGraph } from './infer';
import { getLayerKind } from '../../nodes/index';
import { BLOCK_KIND, type BlockDef } from './blocks';
import {
  fileVersionOf,
  findForbiddenKeys,
  kindParamsStep,
  migrateProject,
  newProject,
  parseProject,
  projectMigrations,
  PROJECT_VERSION,
  serializeProject,
  type ProjectMigration,
} from './project';
import type { ProjectFileV1 } from './types';

const lenetish = (): ProjectFileV1 => ({
  ...newProject('LeNet-ish'),
  description: 'two convs and a dense',
  viewport: { x: 10, y: -20, zoom: 0.75 },
  graph: sequentialGraph([
    { kind: 'Input', params: { shape: [28, 28, 1] } },
    { kind: 'Conv2D', params: { filters: 6, kernelSize: 5, padding: 'same' } },
    { kind: 'Dense', params: { units: 10, activation: 'softmax' } },
  ]),
});

const errorsOf = (r: ReturnType<typeof parseProject>) => (r.ok ? [] : r.errors);

describe('project file', () => {
  it('round-trips through serialize and parse unchanged', () => {
    const p = lenetish();
    const r = parseProject(JSON.parse(serializeProject(p)));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual(p);
  });

  it('newProject is an empty, valid version-1 document', () => {
    const p = newProject();
    expect(p).toMatchObject({ format: 'convas-project', version: 1, name: 'Untitled' });
    expect(parseProject(JSON.parse(serializeProject(p))).ok).toBe(true);
  });

  it('keeps a bad param so the user can fix it, and inferGraph reports it on its node', () => {
    const p = lenetish();
    p.graph.nodes[1].params = { filters: -3, kernelSize: 5 };
    const r = parseProject(JSON.parse(serializeProject(p)));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.graph.nodes[1].params.filters).toBe(-3);
    expect(inferGraph(r.value.graph).nodes.n1.error?.param).toBe('filters');
  });

  it('names every schema problem with its path', () => {
    const p = JSON.parse(serializeProject(lenetish()));
    p.graph.nodes[0].position = { x: 'left', y: 0 };
    p.graph.edges[1].targetIndex = -1;
    delete p.name;
    const errors = errorsOf(parseProject(p));
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^graph\.nodes\[0\]\.position\.x: /),
        expect.stringMatching(/^graph\.edges\[1\]\.targetIndex: /),
        expect.stringMatching(/^name: /),
      ]),
    );
  });

  it('checks referential integrity: endpoints exist, ids unique, slots fed once', () => {
    const p = lenetish();
    p.graph.nodes[2].id = 'n1';
    p.graph.edges.push({ id: 'e0', source: 'ghost', target: 'n1', targetIndex: 0 });
    const errors = errorsOf(parseProject(JSON.parse(serializeProject(p))));
    expect(errors).toContain('graph.nodes[2].id: node id "n1" is used twice');
    expect(errors).toContain('graph.edges[2].id: edge id "e0" is used twice');
    expect(errors).toContain('graph.edges[2].source: edge "e0" starts at missing node "ghost"');
    expect(errors).toContain('graph.edges[2]: input slot 0 of node "n1" is fed twice');
  });

  it('refuses non-objects, other formats and forbidden keys', () => {
    expect(errorsOf(parseProject([]))).toEqual(['expected a project object, got an array']);
    expect(errorsOf(parseProject({ format: 'layers-model' }))[0]).toMatch(/^format: expected "convas-project"/);
    const p = JSON.parse(serializeProject(lenetish()).replace('"filters": 6', '"__proto__": {"polluted": 1}, "filters": 6'));
    expect(errorsOf(parseProject(p))).toEqual(['graph.nodes[1].params.__proto__: forbidden key "__proto__"']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('finds forbidden keys at any depth, in arrays too', () => {
    expect(findForbiddenKeys(JSON.parse('{"a":[{"b":{"constructor":1}},{"prototype":2}]}'))).toEqual([
      'a[0].b.constructor',
      'a[1].prototype',
    ]);
    expect(findForbiddenKeys({ a: [1, 2, { c: 'ok' }] })).toEqual([]);
  });
});

// One block (Conv2D → ReLU, filters exposed) used twice.
const unit: BlockDef = {
  id: 'unit',
  name: 'Conv unit',
  inputs: [{ name: 'in', targets: [{ node: 'c', index: 0 }] }],
  outputs: [{ name: 'out', node: 'r' }],
  params: [{ name: 'filters', default: 4, binds: [{ node: 'c', param: 'filters' }] }],
  graph: {
    nodes: [
      { id: 'c', kind: 'Conv2D', name: 'conv', params: { filters: 4, kernelSize: 3, padding: 'same' }, position: { x: 0, y: 0 } },
      { id: 'r', kind: 'Activation', name: 'relu', params: { activation: 'relu' }, position: { x: 0, y: 120 } },
    ],
    edges: [{ id: 'e', source: 'c', target: 'r', targetIndex: 0 }],
  },
};
const withBlocks = (): ProjectFileV1 => ({
  ...newProject('blocks'),
  version: 2,
  graph: {
    nodes: [
      { id: 'in', kind: 'Input', name: 'input', params: { shape: [8, 8, 3] }, position: { x: 0, y: 0 } },
      { id: 'a', kind: BLOCK_KIND, block: 'unit', name: 'unit_a', params: { filters: 8 }, position: { x: 0, y: 120 } },
      { id: 'b', kind: BLOCK_KIND, block: 'unit', name: 'unit_b', params: { filters: 16 }, position: { x: 0, y: 260 } },
    ],
    edges: [
      { id: 'e1', source: 'in', target: 'a', targetIndex: 0 },
      { id: 'e2', source: 'a', target: 'b', targetIndex: 0 },
    ],
  },
  blocks: [unit],
});

describe('file versions', () => {
  it('writes version 2 when the project has blocks and version 1 otherwise', () => {
    expect(JSON.parse(serializeProject(lenetish())).version).toBe(1);
    expect(JSON.parse(serializeProject(withBlocks())).version).toBe(2);
    // The in-memory number does not decide: the content does (a project that just got its first block).
    expect(JSON.parse(serializeProject({ ...withBlocks(), version: 1 })).version).toBe(2);
    expect(JSON.parse(serializeProject({ ...lenetish(), blocks: [] })).version).toBe(1);
    expect(fileVersionOf({})).toBe(1);
    expect(fileVersionOf({ blocks: [unit] })).toBe(2);
  });

  it('reads version 2 back with its blocks, as version 2', () => {
    const p = withBlocks();
    const r = parseProject(JSON.parse(serializeProject(p)));
    expect(r.ok ? r.value : r.errors).toEqual(p);
  });

  it('migrates a version-1 file that holds blocks (written before version 2) to version 2, blocks kept', () => {
    const v1 = { ...JSON.parse(serializeProject(withBlocks())), version: 1 };
    const r = parseProject(v1);
    expect(r.ok ? r.value : r.errors).toEqual(withBlocks());
    if (r.ok) expect(JSON.parse(serializeProject(r.value)).version).toBe(2);
  });

  it('keeps a version-1 file without blocks at version 1, so old builds can still open what this one saves', () => {
    const text = serializeProject(lenetish());
    const r = parseProject(JSON.parse(text));
    expect(r.ok && r.value.version).toBe(1);
    if (r.ok) expect(serializeProject(r.value)).toBe(text);
  });

  it('refuses a file from a newer Convas with the two versions, and a build that reads only version 1 refuses version 2', () => {
    const v3 = { ...JSON.parse(serializeProject(withBlocks())), version: PROJECT_VERSION + 1 };
    expect(errorsOf(parseProject(v3))).toEqual([`version: made by a newer Convas: version ${PROJECT_VERSION + 1}, this build reads up to ${PROJECT_VERSION}; open it in a newer Convas`]);
    // What a build from before blocks does with what this one writes: refuses it rather than dropping the blocks.
    expect(migrateProject(JSON.parse(serializeProject(withBlocks())), [], 1)).toEqual({
      ok: false,
      errors: ['version: made by a newer Convas: version 2, this build reads up to 1; open it in a newer Convas'],
    });
  });
});

describe('project migrations', () => {
  it('version 2 is current and every older version has a step', () => {
    expect(PROJECT_VERSION).toBe(2);
    expect(projectMigrations.every((m) => m.from < PROJECT_VERSION)).toBe(true);
    for (let v = 1; v < PROJECT_VERSION; v++) expect(projectMigrations.some((m) => m.from === v)).toBe(true);
  });

  // A made-up version 0 that stored layers as `layers` with `type` and `config`, to exercise the hook end to end.
  const v0to1: ProjectMigration = {
    from: 0,
    name: 'v0→v1: layers/links become graph.nodes/edges',
    up: (doc) => {
      const layers = doc.layers as Array<{ id: string; type: string; config: Record<string, unknown> }>;
      const links = doc.links as Array<[string, string]>;
      return {
        format: 'convas-project',
        name: doc.title,
        graph: {
          nodes: layers.map((l, i) => ({ id: l.id, kind: l.type, name: l.id, params: l.config, position: { x: 0, y: 100 * i } })),
          edges: links.map(([s, t], i) => ({ id: `e${i}`, source: s, target: t, targetIndex: 0 })),
        },
      };
    },
  };
  const v0 = {
    format: 'convas-project',
    version: 0,
    title: 'old',
    layers: [
      { id: 'in', type: 'Input', config: { shape: [8, 8, 1] } },
      { id: 'fc', type: 'Dense', config: { units: 3 } },
    ],
    links: [['in', 'fc']],
  };

  it('parseProject upgrades a synthetic version-0 file through the step table', () => {
    const r = parseProject(v0, [v0to1, ...projectMigrations]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.version).toBe(1);
    expect(r.value.name).toBe('old');
    expect(inferGraph(r.value.graph).nodes.fc.outputShape).toEqual([8, 8, 3]);
  });

  it('without the step, version 0 is refused with the reason', () => {
    expect(errorsOf(parseProject(v0))).toEqual(['version: no migration from file version 0; the oldest readable version is 1']);
  });

  it('chains steps to a future version and stamps each version', () => {
    const seen: number[] = [];
    const steps: ProjectMigration[] = [
      { from: 1, name: 'v1→v2', up: (d) => (seen.push(d.version as number), { ...d, two: true }) },
      { from: 0, name: 'v0→v1', up: (d) => (seen.push(d.version as number), { ...d, one: true }) },
    ];
    const r = migrateProject({ version: 0 }, steps, 2);
    expect(r).toEqual({ ok: true, value: { version: 2, one: true, two: true } });
    expect(seen).toEqual([0, 1]);
  });

  it('refuses files from a newer Convas, missing versions and failing steps', () => {
    expect(errorsOf(parseProject({ ...v0, version: 7 }))[0]).toMatch(/newer Convas: version 7, this build reads up to 2/);
    expect(errorsOf(parseProject({ format: 'convas-project' }))[0]).toMatch(/^version: expected an integer/);
    const boom: ProjectMigration = { from: 0, name: 'boom', up: () => { throw new Error('no layers'); } };
    expect(errorsOf(parseProject(v0, [boom]))).toEqual(['version: migration "boom" failed: no layers']);
  });

  it('kindParamsStep runs a kind’s own params migration on every node of that kind', () => {
    const dense = getLayerKind('Dense')!;
    const saved = dense.migrations;
    // A made-up Dense params v1 → v2 that renamed `units` to `width`, undone here to keep the test self-contained.
    dense.migrations = [(old) => ({ ...old, width: old.units, units: undefined })];
    try {
      const step = kindParamsStep(1, 'Dense', 1);
      expect(step.name).toBe('v1→v2: Dense params v1→v2');
      const doc = JSON.parse(serializeProject(lenetish()));
      const r = migrateProject(doc, [step], 2);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const nodes = (r.value.graph as { nodes: Array<{ kind: string; params: Record<string, unknown> }> }).nodes;
      expect(nodes[2].params).toEqual({ width: 10, units: undefined, activation: 'softmax' });
      expect(nodes[1].params).toEqual({ filters: 6, kernelSize: 5, padding: 'same' });
      expect(doc.graph.nodes[2].params).toEqual({ units: 10, activation: 'softmax' });
      // Layers inside block definitions are migrated too.
      const dense = { id: 'd', kind: 'Dense', name: 'fc', params: { units: 5 }, position: { x: 0, y: 0 } };
      const inBlock = { ...JSON.parse(serializeProject(withBlocks())), version: 1, blocks: [{ ...unit, graph: { nodes: [...unit.graph.nodes, dense], edges: unit.graph.edges } }] };
      const rb = migrateProject(inBlock, [step], 2);
      expect(rb.ok && (rb.value.blocks as BlockDef[])[0].graph.nodes.map((n) => n.params)).toEqual([unit.graph.nodes[0].params, unit.graph.nodes[1].params, { width: 5, units: undefined }]);
      const missing = migrateProject(doc, [kindParamsStep(1, 'Conv2D', 99)], 2);
      expect(missing).toEqual({ ok: false, errors: ['version: migration "v1→v2: Conv2D params v99→v100" failed: Conv2D has no params migration from version 99'] });
    } finally {
      dense.migrations = saved;
    }
  });
});
