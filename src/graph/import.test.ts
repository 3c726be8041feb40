import { describe, expect, it } from 'vitest';
import { sequentialGraph } from './build';
import { makeBlock } from './blocks';
import { importText, importTextLaidOut, IMPORT_LIMITS } from './import';
import { inferGraph } from './infer';
import { graphToKerasModelJson } from './keras';
import { newProject, serializeProject } from './project';
import type { Graph, ProjectFileV1 } from './types';

const chain = (): Graph =>
  sequentialGraph([
    { kind: 'Input', params: { shape: [28, 28, 1] } },
    { kind: 'Conv2D', name: 'conv', params: { filters: 6, kernelSize: 5 } },
    { kind: 'Dense', name: 'fc', params: { units: 10 } },
  ]);
const project = (): ProjectFileV1 => ({ ...newProject('chain'), graph: chain() });

const errorsOf = (text: string, file?: string) => {
  const r = importText(text, file);
  return r.ok ? [] : r.errors;
};

describe('importText', () => {
  it('reads a Convas project as saved', () => {
    const p = project();
    const r = importText(serializeProject(p), 'chain.convas.json');
    expect(r.ok && r.value).toEqual({ project: p, warnings: [], source: 'convas' });
  });

  it('reads a Keras/tfjs model.json into a new project named after the model, warning that weights are left out', () => {
    const json = { ...graphToKerasModelJson(chain(), 'lenet'), weightsManifest: [{ paths: ['w.bin'], weights: [] }] };
    const r = importText(JSON.stringify(json), 'model.json');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.source).toBe('keras');
    expect(r.value.project).toMatchObject({ format: 'convas-project', version: 1, name: 'lenet' });
    expect(r.value.warnings).toEqual(['the weights manifest was ignored: Convas imports the architecture, not trained weights']);
    expect(inferGraph(r.value.project.graph).totals).toEqual(inferGraph(chain()).totals);
  });

  it('names a Keras import without a model name after the file', () => {
    const json = graphToKerasModelJson(chain()) as unknown as { modelTopology: { config: { name?: string } } };
    delete json.modelTopology.config.name;
    const r = importText(JSON.stringify(json), 'dir/my-net.json');
    expect(r.ok && r.value.project.name).toBe('my-net');
  });

  it('reads a version-2 project with its blocks, and a version-1 file holding blocks (written before version 2) as version 2', () => {
    const g = chain();
    const made = makeBlock(g, [], ['n1', 'n2'], 'Head', [{ name: 'units', binds: [{ node: 'n2', param: 'units' }] }], (p) => `${p}1`);
    if ('error' in made) throw new Error(made.error);
    const p: ProjectFileV1 = { ...project(), version: 2, graph: made.graph, blocks: [made.block] };
    const text = serializeProject(p);
    expect(JSON.parse(text).version).toBe(2);
    expect(importText(text, 'blocks.convas.json')).toEqual({ ok: true, value: { project: p, warnings: [], source: 'convas' } });
    const v1 = JSON.stringify({ ...JSON.parse(text), version: 1 });
    expect(importText(v1)).toEqual({ ok: true, value: { project: p, warnings: [], source: 'convas' } });
  });

  it('refuses a file made by a newer Convas, saying both versions', () => {
    const future = JSON.stringify({ ...JSON.parse(serializeProject(project())), version: 9 });
    expect(errorsOf(future, 'future.convas.json')).toEqual(['future.convas.json: version: made by a newer Convas: version 9, this build reads up to 2; open it in a newer Convas']);
  });

  it('refuses text that is not JSON, naming the file and the parser reason', () => {
    expect(errorsOf('{"format": "convas-project",', 'x.json')[0]).toMatch(/^x\.json: not valid JSON \(.+\)$/);
    expect(errorsOf('   ')).toEqual(['the file is empty']);
    expect(errorsOf('\uFEFF' + serializeProject(project()))).toEqual([]);
  });

  it('refuses JSON that is neither a project nor a model', () => {
    expect(errorsOf('[1,2,3]')).toEqual(['expected a Convas project or a Keras/tfjs model.json object, got an array']);
    expect(errorsOf('"hello"')).toEqual(['expected a Convas project or a Keras/tfjs model.json object, got a string']);
    expect(errorsOf('{"nodes": []}')[0]).toMatch(/^not a Convas project .* nor a Keras\/tfjs model\.json/);
    const wrong = JSON.parse(serializeProject(project()));
    wrong.graph.edges[0].target = 'nowhere';
    expect(errorsOf(JSON.stringify(wrong), 'p.json')).toEqual(['p.json: graph.edges[0].target: edge "e0" ends at missing node "nowhere"']);
  });

  it('refuses more than 20 MB without parsing it', () => {
    const junk = 'x'.repeat(IMPORT_LIMITS.maxChars + 1);
    expect(errorsOf(junk, 'junk.json')).toEqual(['junk.json: the file is 20.0 MB; the limit is 20 MB']);
    const fifty = ' '.repeat(50 * 1024 * 1024);
    expect(errorsOf(fifty)).toEqual(['the file is 50.0 MB; the limit is 20 MB']);
  });

  it('refuses __proto__, constructor and prototype keys anywhere, listing each path', () => {
    const text = serializeProject(project())
      .replace('"filters": 6', '"__proto__": {"isAdmin": true}, "filters": 6')
      .replace('"name": "chain"', '"name": "chain", "training": {"opts": [{"constructor": {"prototype": 1}}]}');
    expect(errorsOf(text)).toEqual([
      'graph.nodes[1].params.__proto__: forbidden key "__proto__"',
      'training.opts[0].constructor: forbidden key "constructor"',
    ]);
    const keras = JSON.stringify(graphToKerasModelJson(chain())).replace('"units":10', '"units":10,"prototype":{}');
    expect(errorsOf(keras)).toEqual(['modelTopology.config.layers[2].config.prototype: forbidden key "prototype"']);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('refuses absurd sizes: huge dims, filters and units, naming the layer and field', () => {
    const p = project();
    p.graph.nodes[0].params = { shape: [28, 200_000, 1] };
    p.graph.nodes[1].params = { filters: 1e6, kernelSize: 5 };
    expect(errorsOf(serializeProject(p))).toEqual([
      'layer "input" (Input): shape[1] is 200,000; sizes above 100,000 are refused',
      'layer "conv" (Conv2D): filters is 1,000,000; sizes above 100,000 are refused',
    ]);
    const keras = JSON.stringify(graphToKerasModelJson(chain())).replace('"units":10', '"units":123456');
    expect(errorsOf(keras)).toEqual(['layer "fc" (Dense): units is 123,456; sizes above 100,000 are refused']);
  });

  it('refuses more than 10,000 layers, overlong names and deep nesting', () => {
    const big = sequentialGraph(Array.from({ length: IMPORT_LIMITS.maxNodes + 1 }, (_, i) => ({ kind: i ? 'Dense' : 'Input', name: `l${i}` })));
    expect(errorsOf(serializeProject({ ...newProject(), graph: big }))).toEqual(['the graph has 10,001 layers; the limit is 10,000']);
    const keras = { class_name: 'Sequential', config: { layers: Array.from({ length: 10_001 }, () => ({ class_name: 'Dense', config: {} })) } };
    expect(errorsOf(JSON.stringify(keras))).toEqual(['the model has 10,001 layers; the limit is 10,000']);
    const p = project();
    p.graph.nodes[2].name = 'f'.repeat(5000);
    expect(errorsOf(serializeProject(p))[0]).toMatch(/^layer "f{40}…" \(Dense\): the name has 5,000 characters; the limit is 256$/);
    const deep = `{"format":"convas-project","training":${'['.repeat(100)}${']'.repeat(100)}}`;
    expect(errorsOf(deep)).toEqual(['the JSON is nested deeper than 64 levels']);
    const veryDeep = `{"a":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(errorsOf(veryDeep)).toHaveLength(1);
  });

  it('refuses overlong ids, kinds, project names and descriptions', () => {
    const p = project();
    p.graph.nodes[1].kind = 'K'.repeat(300);
    p.name = 'n'.repeat(1000);
    p.description = 'd'.repeat(20_000);
    expect(errorsOf(serializeProject(p))).toEqual([
      `layer "conv" (${'K'.repeat(40)}…): the kind has 300 characters; the limit is 256`,
      'name: the project name has 1,000 characters; the limit is 256',
      'description: 20,000 characters; the limit is 10,000',
    ]);
  });

  it('opens a project with an unknown kind (a newer Convas?) but warns, and inferGraph flags the node', () => {
    const p = project();
    p.graph.nodes[1].kind = 'Conv3D';
    const r = importText(serializeProject(p));
    expect(r.ok && r.value.warnings).toEqual(['unknown layer kind "Conv3D": those layers show an error until replaced']);
    expect(r.ok && inferGraph(r.value.project.graph).nodes.n1.error?.code).toBe('unknown-kind');
  });

  it('lists every unknown layer class of a model.json with where it is', () => {
    const json = graphToKerasModelJson(chain()) as unknown as { modelTopology: { config: { layers: Array<{ class_name: string }> } } };
    json.modelTopology.config.layers[1].class_name = 'Conv3D';
    json.modelTopology.config.layers[2].class_name = 'TFOpLambda';
    const errors = errorsOf(JSON.stringify(json), 'model.json');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toBe('model.json: layer 1 "conv" (Conv3D): unknown layer class "Conv3D"');
    expect(errors[1]).toBe('model.json: layer 2 "fc" (TFOpLambda): unknown layer class "TFOpLambda"');
    expect(errors[2]).toMatch(/^model\.json: Convas reads these Keras layer classes: /);
  });

  it('importTextLaidOut runs ELK on Keras imports and keeps a project’s own positions', async () => {
    const p = project();
    p.graph.nodes[2].position = { x: 777, y: 5 };
    const own = await importTextLaidOut(serializeProject(p));
    expect(own.ok && own.value.project.graph.nodes[2].position).toEqual({ x: 777, y: 5 });
    const laid = await importTextLaidOut(JSON.stringify(graphToKerasModelJson(chain())));
    expect(laid.ok).toBe(true);
    if (!laid.ok) return;
    const ys = laid.value.project.graph.nodes.map((n) => n.position.y);
    expect(ys[1]).toBeGreaterThan(ys[0]);
    expect(ys[2]).toBeGreaterThan(ys[1]);
  });

  it('importTextLaidOut keeps rows for imports too big for ELK, and says so', async () => {
    const n = IMPORT_LIMITS.maxAutoLayoutNodes + 1;
    const layers = Array.from({ length: n }, (_, i) => ({ class_name: 'Dense', config: { name: `d${i}`, units: 2, ...(i ? {} : { batch_input_shape: [null, 2] }) } }));
    const r = await importTextLaidOut(JSON.stringify({ class_name: 'Sequential', config: { name: 'deep', layers } }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.warnings).toEqual([`1,002 layers are laid out in rows (automatic layout stops at 1,000)`]);
    const ys = r.value.project.graph.nodes.map((node) => node.position.y);
    expect(ys.every((y, i) => i === 0 || y > ys[i - 1])).toBe(true);
  });
});
