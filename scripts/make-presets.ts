/**
 * Generates presets/<id>.json from the compact builder code below: `npm run presets`.
 * Each file is a ProjectFileV1 laid out with ELK; presets/index.ts lists them with their expected totals.
 * Run with `--check` to only verify that the files on disk match this code (exit 1 if not).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultLayerName, uniqueName } from '../src/graph/build';
import { autoLayout } from '../src/graph/layout';
import { serializeProject } from '../src/graph/project';
import type { Graph, GraphEdge, GraphNode, ProjectFileV1 } from '../src/graph/types';

type Params = Record<string, unknown>;
/** One layer of a chain: kind, params, optional name. */
type Spec = [kind: string, params?: Params, name?: string];

/** A tiny functional-API builder: `add` returns the new node's id, edges keep the input order as slots. */
export class Net {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  private readonly taken = new Set<string>();

  add(kind: string, params: Params = {}, inputs: string[] = [], name?: string): string {
    const id = `n${this.nodes.length}`;
    const layerName = name ?? uniqueName(defaultLayerName(kind), this.taken);
    if (this.taken.has(layerName)) throw new Error(`preset builder: layer name "${layerName}" used twice`);
    this.taken.add(layerName);
    this.nodes.push({ id, kind, name: layerName, params, position: { x: 0, y: 0 } });
    inputs.forEach((source, i) => this.edges.push({ id: `e${this.edges.length}`, source, target: id, targetIndex: i }));
    return id;
  }

  input(shape: number[], name = 'input'): string {
    return this.add('Input', { shape }, [], name);
  }

  /** Applies `specs` one after another starting from `from`; returns the last node's id. */
  chain(from: string, ...specs: Spec[]): string {
    let x = from;
    for (const [kind, params, name] of specs) x = this.add(kind, params, [x], name);
    return x;
  }

  graph(): Graph {
    return { nodes: this.nodes, edges: this.edges };
  }
}

export interface PresetDef {
  id: string;
  name: string;
  description: string;
  build(): Graph;
}

const conv = (filters: number, kernelSize: number | [number, number], more: Params = {}, name?: string): Spec => [
  'Conv2D',
  { filters, kernelSize, ...more },
  name,
];
const dense = (units: number, activation = 'linear', name?: string): Spec => ['Dense', { units, activation }, name];
const maxPool = (poolSize = 2, more: Params = {}, name?: string): Spec => ['MaxPooling2D', { poolSize, ...more }, name];
const bn = (name?: string, more: Params = {}): Spec => ['BatchNormalization', more, name];
const act = (activation: string, name?: string): Spec => ['Activation', { activation }, name];

function lenet5(): Graph {
  const n = new Net();
  n.chain(
    n.input([28, 28, 1]),
    conv(6, 5, { padding: 'same', activation: 'relu' }),
    maxPool(2),
    conv(16, 5, { padding: 'valid', activation: 'relu' }),
    maxPool(2),
    ['Flatten'],
    dense(120, 'relu'),
    dense(84, 'relu'),
    dense(10, 'softmax'),
  );
  return n.graph();
}

/** Every preset, in menu order. */
export const presetDefs: PresetDef[] = [
  {
    id: 'lenet5',
    name: 'LeNet-5',
    description: 'LeNet-5 as usually written in Keras: 28×28×1 MNIST digits, two conv + max-pool stages, three dense layers.',
    build: lenet5,
  },
];

/** The project document of one preset, positions from ELK's layered layout. */
export async function presetProject(def: PresetDef): Promise<ProjectFileV1> {
  const graph = await autoLayout(def.build(), 'DOWN');
  return { format: 'convas-project', version: 1, name: def.name, description: def.description, graph };
}

export const presetPath = (id: string) => fileURLToPath(new URL(`../presets/${id}.json`, import.meta.url));

async function main() {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const def of presetDefs) {
    const text = serializeProject(await presetProject(def));
    const file = presetPath(def.id);
    if (check) {
      const onDisk = await readFile(file, 'utf8').catch(() => '');
      if (onDisk !== text) {
        console.error(`presets/${def.id}.json is out of date; run npm run presets`);
        stale++;
      }
    } else {
      await writeFile(file, text);
      console.log(`wrote presets/${def.id}.json (${def.build().nodes.length} nodes)`);
    }
  }
  if (stale) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
