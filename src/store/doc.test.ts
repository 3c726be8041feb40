import { beforeEach, describe, expect, it } from 'vitest';
import { sequentialGraph } from '../graph/build';
import { flattenProject } from '../graph/blocks';
import { inferGraph } from '../graph/infer';
import { canvasInferenceFor, flatFor } from './blocks';
import { beginDrag, connectionProblem, emptyProject, endDrag, nameProblem, useDocStore } from './doc';
import { inferenceFor, layerListFor, structuralGraphFor } from './inference';

const temporal = () => useDocStore.temporal.getState();
const graph = () => useDocStore.getState().project.graph;

function openChain() {
  const g = sequentialGraph([
    { kind: 'Input', params: { shape: [8, 8, 1] } },
    { kind: 'Conv2D', params: { filters: 4, kernelSize: 3 } },
    { kind: 'Dense', params: { units: 10 } },
  ]);
  useDocStore.getState().replaceProject({ ...emptyProject('t'), graph: g });
}

beforeEach(openChain);

describe('document store', () => {
  it('starts a replaced project with no undo history', () => {
    expect(temporal().pastStates).toHaveLength(0);
    expect(graph().nodes).toHaveLength(3);
  });

  it('undoes and redoes param edits, renames and deletions one step each', () => {
    const s = useDocStore.getState();
    s.updateNodeParams('n1', { filters: 8 });
    expect(s.renameNode('n1', 'stem')).toEqual({ ok: true });
    s.removeElements(['n2'], []);
    expect(graph().nodes.map((n) => n.name)).toEqual(['input', 'stem']);
    expect(graph().edges).toHaveLength(1);

    temporal().undo();
    expect(graph().nodes).toHaveLength(3);
    expect(graph().edges).toHaveLength(2);
    temporal().undo();
    expect(graph().nodes[1].name).toBe('conv2d');
    temporal().undo();
    expect(graph().nodes[1].params.filters).toBe(4);
    expect(temporal().pastStates).toHaveLength(0);
    temporal().redo();
    temporal().redo();
    expect(graph().nodes[1]).toMatchObject({ name: 'stem', params: { filters: 8 } });
  });

  it('makes successive keystrokes in one field a single undo step, but not edits of different fields', () => {
    const s = useDocStore.getState();
    s.updateNodeParams('n2', { units: 1 });
    s.updateNodeParams('n2', { units: 12 });
    s.updateNodeParams('n2', { units: 120 });
    expect(temporal().pastStates).toHaveLength(1);
    s.updateNodeParams('n2', { activation: 'relu' });
    expect(temporal().pastStates).toHaveLength(2);
    temporal().undo();
    temporal().undo();
    expect(graph().nodes[2].params).toEqual({ units: 10 });
    // Another edit in between ends the burst.
    s.updateNodeParams('n1', { filters: 5 });
    s.renameNode('n0', 'pixels');
    s.updateNodeParams('n1', { filters: 6 });
    expect(temporal().pastStates).toHaveLength(3);
    temporal().undo();
    expect(graph().nodes[1].params.filters).toBe(5);
    expect(graph().nodes[0].name).toBe('pixels');
    temporal().undo();
    temporal().undo();
    expect(graph().nodes[1].params.filters).toBe(4);
    // After an undo, typing starts a fresh step (and drops the redo branch).
    s.updateNodeParams('n2', { units: 7 });
    expect(temporal().futureStates).toHaveLength(0);
    expect(temporal().pastStates).toHaveLength(1);
  });

  it('records a whole drag as one undo step that restores the starting positions', () => {
    const start = graph().nodes[1].position;
    beginDrag();
    for (let i = 1; i <= 20; i++) useDocStore.getState().moveNodes({ n1: { x: i * 10, y: i * 5 } });
    endDrag();
    expect(graph().nodes[1].position).toEqual({ x: 200, y: 100 });
    expect(temporal().pastStates).toHaveLength(1);
    temporal().undo();
    expect(graph().nodes[1].position).toEqual(start);
  });

  it('does not make panning an undo step', () => {
    useDocStore.getState().setViewport({ x: 10, y: 20, zoom: 0.5 });
    expect(temporal().pastStates).toHaveLength(0);
  });

  it('refuses names that are empty, malformed or taken, naming the reason', () => {
    const s = useDocStore.getState();
    expect(s.renameNode('n1', 'input')).toEqual({ ok: false, reason: 'another layer is already named "input"' });
    expect(s.renameNode('n1', '')).toMatchObject({ ok: false });
    expect(s.renameNode('n1', '9lives')).toMatchObject({ ok: false });
    expect(nameProblem(graph(), 'n1', 'conv2d')).toBeUndefined();
    expect(temporal().pastStates).toHaveLength(0);
  });

  it('gives new layers unique Keras-style names', () => {
    const s = useDocStore.getState();
    const a = s.addNode('Conv2D', { x: 0, y: 0 });
    const b = s.addNode('Conv2D', { x: 0, y: 0 });
    const names = graph().nodes.filter((n) => n.id === a || n.id === b).map((n) => n.name);
    expect(names).toEqual(['conv2d_1', 'conv2d_2']);
  });

  it('refuses cycles, a second input into a single-input layer and a taken merge slot', () => {
    const g = graph();
    expect(connectionProblem(g, 'n2', 'n0', 0)).toBe('input is an Input and takes no inputs');
    expect(connectionProblem(g, 'n0', 'n2', 0)).toBe('dense takes a single input and is already fed by conv2d');
    expect(connectionProblem(g, 'n1', 'n1', 0)).toBe('conv2d cannot feed itself');
    const s = useDocStore.getState();
    const add = s.addNode('Add', { x: 0, y: 0 });
    expect(s.connect('n1', add, 0)).toEqual({ ok: true });
    expect(s.connect('n0', add, 0)).toEqual({ ok: false, reason: 'input 1 of add is already connected' });
    const act = s.addNode('Activation', { x: 0, y: 0 });
    expect(s.connect(add, act, 0)).toEqual({ ok: true });
    expect(s.connect(act, add, 1)).toEqual({ ok: false, reason: 'connecting activation → add would create a cycle' });
    expect(s.connect('n0', add, 1)).toMatchObject({ ok: true });
  });

  it('pastes a fragment with fresh ids, unique names and its internal edges only', () => {
    const s = useDocStore.getState();
    const frag = { nodes: graph().nodes.slice(1), edges: graph().edges };
    const ids = s.insertFragment(frag, { x: 40, y: 40 });
    expect(ids).toHaveLength(2);
    const pasted = graph().nodes.filter((n) => ids.includes(n.id));
    expect(pasted.map((n) => n.name)).toEqual(['conv2d_1', 'dense_1']);
    const newEdges = graph().edges.filter((e) => ids.includes(e.target));
    expect(newEdges).toHaveLength(1);
    expect(newEdges[0].source).toBe(ids[0]);
  });
});

describe('memoised inference', () => {
  it('does not re-infer when only positions change, and keeps unchanged nodes identical', () => {
    const first = inferenceFor(graph());
    useDocStore.getState().moveNodes({ n2: { x: 99, y: 99 } });
    expect(inferenceFor(graph())).toBe(first);
    expect(layerListFor(graph())).toBe(layerListFor(graph()));
    const structural = structuralGraphFor(graph());
    useDocStore.getState().moveNodes({ n1: { x: 5, y: 5 } });
    expect(structuralGraphFor(graph())).toBe(structural);

    useDocStore.getState().updateNodeParams('n2', { units: 20 });
    const next = inferenceFor(graph());
    expect(next).not.toBe(first);
    expect(next.nodes.n0).toBe(first.nodes.n0);
    expect(next.nodes.n1).toBe(first.nodes.n1);
    expect(next.nodes.n2).not.toBe(first.nodes.n2);
    expect(next.totals).toEqual(inferGraph(graph()).totals);
    expect(structuralGraphFor(graph())).toBe(graph());
  });
});

describe('blocks in the document', () => {
  const flatTotals = () => inferGraph(flattenProject(useDocStore.getState().project).graph).totals;
  const blocks = () => useDocStore.getState().project.blocks ?? [];

  function openLonger() {
    const g = sequentialGraph([
      { kind: 'Input', params: { shape: [8, 8, 3] } },
      { kind: 'Conv2D', params: { filters: 4, kernelSize: 3, padding: 'same' } },
      { kind: 'BatchNormalization' },
      { kind: 'Activation', params: { activation: 'relu' } },
      { kind: 'Flatten' },
      { kind: 'Dense', params: { units: 2 } },
    ]);
    useDocStore.getState().replaceProject({ ...emptyProject('t'), graph: g });
  }

  it('undoes and redoes "make block" as one step', () => {
    openLonger();
    const before = useDocStore.getState().project;
    const totals = flatTotals();
    const r = useDocStore.getState().makeBlock(['n1', 'n2', 'n3'], 'Unit', [{ name: 'filters', binds: [{ node: 'n1', param: 'filters' }] }]);
    expect(r.ok).toBe(true);
    expect(graph().nodes).toHaveLength(4);
    expect(blocks()).toHaveLength(1);
    expect(flatTotals()).toEqual(totals);
    temporal().undo();
    expect(useDocStore.getState().project).toBe(before);
    temporal().redo();
    expect(blocks().map((b) => b.name)).toEqual(['Unit']);
    expect(graph().nodes.find((n) => n.id === r.instanceId)?.block).toBe(r.blockId);
  });

  it('edits a definition once for every instance, and undoes it', () => {
    openLonger();
    const s = useDocStore.getState();
    const r = s.makeBlock(['n1', 'n2', 'n3'], 'Unit', []);
    const second = s.addInstance(r.blockId!, { x: 400, y: 0 });
    expect(second.ok).toBe(true);
    // Wire the second instance after the first: Input → unit → unit_1 → Flatten.
    const flatEdge = graph().edges.find((e) => e.source === r.instanceId)!;
    s.removeElements([], [flatEdge.id]);
    expect(s.connect(r.instanceId!, second.id!, 0)).toEqual({ ok: true });
    expect(s.connect(second.id!, 'n4', 0)).toEqual({ ok: true });
    const conv = (inst: string) => flattenProject(useDocStore.getState().project).graph.nodes.find((n) => n.id === `${inst}/n1`)!;
    expect(conv(r.instanceId!).params.kernelSize).toBe(3);
    const before = flatTotals();
    useDocStore.getState().updateBlockNodeParams(r.blockId!, 'n1', { kernelSize: 5 });
    expect(conv(r.instanceId!).params.kernelSize).toBe(5);
    expect(conv(second.id!).params.kernelSize).toBe(5);
    expect(flatTotals().params).toBeGreaterThan(before.params);
    temporal().undo();
    expect(conv(r.instanceId!).params.kernelSize).toBe(3);
    expect(conv(second.id!).params.kernelSize).toBe(3);
    expect(flatTotals()).toEqual(before);
    temporal().redo();
    expect(conv(second.id!).params.kernelSize).toBe(5);
  });

  it('undoes "expand instance"', () => {
    openLonger();
    const s = useDocStore.getState();
    const r = s.makeBlock(['n1', 'n2', 'n3'], 'Unit', []);
    const made = useDocStore.getState().project;
    const totals = flatTotals();
    expect(useDocStore.getState().expandInstance(r.instanceId!)).toEqual({ ok: true });
    expect(graph().nodes.map((n) => n.name)).toContain('unit/conv2d');
    expect(graph().nodes.some((n) => n.block)).toBe(false);
    expect(flatTotals()).toEqual(totals);
    temporal().undo();
    expect(useDocStore.getState().project).toBe(made);
  });

  it('refuses to place a block inside itself', () => {
    openLonger();
    const r = useDocStore.getState().makeBlock(['n1'], 'Solo', []);
    expect(useDocStore.getState().addInstance(r.blockId!, { x: 0, y: 0 }, r.blockId)).toEqual({ ok: false, reason: 'block "Solo" cannot be used inside itself' });
  });

  /** Input → unit(conv → bn → relu) → unit_1 → Flatten → Dense: one block, two instances in a row. */
  function twoInstances() {
    openLonger();
    const s = useDocStore.getState();
    const r = s.makeBlock(['n1', 'n2', 'n3'], 'Unit', []);
    const second = s.addInstance(r.blockId!, { x: 400, y: 0 });
    s.removeElements([], [graph().edges.find((e) => e.source === r.instanceId)!.id]);
    s.connect(r.instanceId!, second.id!, 0);
    s.connect(second.id!, 'n4', 0);
    return { a: r.instanceId!, b: second.id!, blockId: r.blockId! };
  }
  const flatNode = (id: string) => flattenProject(useDocStore.getState().project).graph.nodes.find((n) => n.id === id);
  const flatInf = () => inferGraph(flattenProject(useDocStore.getState().project).graph);
  const innerEdge = (blockId: string, source: string, target: string) =>
    blocks().find((b) => b.id === blockId)!.graph.edges.find((e) => e.source === source && e.target === target)!;

  it('rewires inside an opened instance: the block changes, so both instances do, one undo step each', () => {
    const { a, b, blockId } = twoInstances();
    const before = flatTotals();
    const start = useDocStore.getState().project;
    const s = useDocStore.getState();
    // Cut bn → relu inside the first instance: relu loses its input in both instances.
    expect(s.removeElements([], [`${a}/${innerEdge(blockId, 'n2', 'n3').id}`])).toEqual({ ok: true });
    expect(flatInf().nodes[`${a}/n3`].status).toBe('error');
    expect(flatInf().nodes[`${b}/n3`].status).toBe('error');
    // Wire conv → relu instead (from the second instance's drawing: the same block).
    expect(s.connect(`${b}/n1`, `${b}/n3`, 0)).toEqual({ ok: true });
    expect(flatInf().nodes[`${a}/n3`].status).toBe('ok');
    // bn now dangles; remove it: 2 instances × (8 gamma/beta + 8 moving statistics) = 32 params fewer.
    expect(s.removeElements([`${a}/n2`], [])).toEqual({ ok: true });
    expect(flatNode(`${b}/n2`)).toBeUndefined();
    expect(flatInf().valid).toBe(true);
    expect(before.params - flatTotals().params).toBe(32);
    temporal().undo();
    temporal().undo();
    temporal().undo();
    expect(useDocStore.getState().project).toBe(start);
    temporal().redo();
    expect(flatInf().nodes[`${b}/n3`].status).toBe('error');
  });

  it('refuses inner wires the block cannot hold, and wires between instances or to the outside', () => {
    const { a, b, blockId } = twoInstances();
    const s = useDocStore.getState();
    expect(s.connect(`${a}/n1`, `${a}/n2`, 0)).toEqual({ ok: false, reason: 'conv2d already feeds batch_normalization' });
    expect(s.connect(`${a}/n3`, `${a}/n1`, 0)).toEqual({ ok: false, reason: 'input 1 of conv2d comes from the block\'s input “in”' });
    expect(s.connect(`${a}/n3`, `${a}/n2`, 0)).toMatchObject({ ok: false, reason: expect.stringMatching(/single input/) });
    expect(s.connect(`${a}/n1`, `${b}/n3`, 0)).toMatchObject({ ok: false, reason: expect.stringMatching(/different block instances/) });
    expect(s.connect('n0', `${a}/n3`, 0)).toMatchObject({ ok: false, reason: expect.stringMatching(/connect to the block's box/) });
    s.removeElements([], [`${a}/${innerEdge(blockId, 'n2', 'n3').id}`]);
    expect(s.connect(`${a}/n3`, `${a}/n2`, 0)).toMatchObject({ ok: false, reason: expect.stringMatching(/single input/) });
    expect(s.connect(`${a}/n3`, `${a}/n1`, 0)).toMatchObject({ ok: false });
  });

  it('adds a layer inside a block and wires it in; refuses an Input and the block itself', () => {
    const { a, b, blockId } = twoInstances();
    const before = flatTotals();
    const s = useDocStore.getState();
    const added = s.addToBlock(a, { kind: 'Dropout' }, { x: 0, y: 500 });
    expect(added).toMatchObject({ ok: true, id: expect.stringMatching(new RegExp(`^${a}/`)) });
    const inner = added.id!.split('/')[1];
    // Unwired, it is a layer without an input in both instances.
    expect(flatInf().nodes[`${b}/${inner}`].status).toBe('error');
    s.removeElements([], [`${a}/${innerEdge(blockId, 'n2', 'n3').id}`]);
    expect(s.connect(`${a}/n2`, `${a}/${inner}`, 0)).toEqual({ ok: true });
    expect(s.connect(`${a}/${inner}`, `${a}/n3`, 0)).toEqual({ ok: true });
    expect(flatInf().valid).toBe(true);
    expect(flatNode(`${b}/${inner}`)?.name).toBe('unit_1/dropout');
    expect(flatTotals().params).toBe(before.params);
    expect(s.addToBlock(a, { kind: 'Input' }, { x: 0, y: 0 })).toMatchObject({ ok: false, reason: expect.stringMatching(/inputs through its ports/) });
    expect(s.addToBlock(a, { block: blockId }, { x: 0, y: 0 })).toEqual({ ok: false, reason: 'block "Unit" cannot be used inside itself' });
  });

  it('refuses, changing nothing, to delete a layer that gives a block an output when nothing inside feeds it, or its last layer', () => {
    openLonger();
    const s = useDocStore.getState();
    // conv and relu without the bn between them: two ports in, two outputs (conv's and relu's).
    const r = s.makeBlock(['n1', 'n3'], 'Split', []);
    const before = useDocStore.getState().project;
    expect(s.removeElements([`${r.instanceId}/n3`, 'n5'], [])).toEqual({ ok: false, reason: 'activation gives the block\'s output “out2” and no layer inside “Split” feeds it, so it cannot be removed' });
    expect(useDocStore.getState().project).toBe(before);
    const solo = s.makeBlock(['n5'], 'Solo', []);
    expect(s.removeElements([`${solo.instanceId}/n5`], [])).toMatchObject({ ok: false, reason: expect.stringMatching(/at least one layer/) });
  });

  it('still treats ids of the main graph that hold a separator (from a file) as the main graph’s', () => {
    const g = sequentialGraph([{ kind: 'Input', params: { shape: [4] } }, { kind: 'Dense', params: { units: 2 } }, { kind: 'Dense', params: { units: 2 } }]);
    const odd = { nodes: g.nodes.map((n) => ({ ...n, id: `x/${n.id}` })), edges: [{ id: 'x/e0', source: 'x/n0', target: 'x/n1', targetIndex: 0 }] };
    useDocStore.getState().replaceProject({ ...emptyProject('odd'), graph: odd });
    const s = useDocStore.getState();
    expect(s.connect('x/n1', 'x/n2', 0)).toEqual({ ok: true });
    expect(s.removeElements(['x/n2'], ['x/e0'])).toEqual({ ok: true });
    expect(graph().nodes.map((n) => n.id)).toEqual(['x/n0', 'x/n1']);
    expect(graph().edges).toEqual([]);
  });

  it('moves layers inside an opened instance in the block: every instance follows, one undo step per drag', () => {
    const { a, b, blockId } = twoInstances();
    const def = () => blocks().find((x) => x.id === blockId)!;
    const at = (inner: string) => def().graph.nodes.find((n) => n.id === inner)!.position;
    const inst = (id: string) => graph().nodes.find((n) => n.id === id)!.position;
    const start = useDocStore.getState().project;
    const totals = flatTotals();
    const [conv, bn] = [at('n1'), at('n2')];
    const [posA, posB] = [inst(a), inst(b)];
    const s = useDocStore.getState();
    // A drag sends many moves; the drop's is the one kept.
    beginDrag();
    for (const dx of [10, 40, 90]) expect(s.moveInBlock(a, { n2: { x: bn.x + dx, y: bn.y + 20 } })).toEqual({ ok: true });
    endDrag();
    expect(at('n2')).toEqual({ x: bn.x + 90, y: bn.y + 20 });
    expect(at('n1')).toEqual(conv);
    expect(inst(a)).toEqual(posA);
    expect(inst(b)).toEqual(posB);
    expect(flatTotals()).toEqual(totals);
    // Past the block's top-left corner: the layout is shifted back to 0,0 and instance a's frame moves instead.
    beginDrag();
    expect(s.moveInBlock(a, { n1: { x: conv.x - 60, y: conv.y - 30 } })).toEqual({ ok: true });
    endDrag();
    expect(at('n1')).toEqual({ x: 0, y: 0 });
    expect(at('n2')).toEqual({ x: bn.x + 90 + 60, y: bn.y + 20 + 30 });
    expect(inst(a)).toEqual({ x: posA.x - 60, y: posA.y - 30 });
    expect(inst(b)).toEqual(posB);
    // Ids the block does not have are refused and nothing changes.
    const now = useDocStore.getState().project;
    expect(s.moveInBlock(a, { n1: { x: 5, y: 5 }, ghost: { x: 0, y: 0 } })).toEqual({ ok: false, reason: '“Unit” has no layer “ghost” to move' });
    expect(s.moveInBlock('n0', { n1: { x: 5, y: 5 } })).toEqual({ ok: false, reason: 'that block instance no longer exists' });
    expect(useDocStore.getState().project).toBe(now);
    temporal().undo();
    expect(at('n2')).toEqual({ x: bn.x + 90, y: bn.y + 20 });
    expect(inst(a)).toEqual(posA);
    temporal().undo();
    expect(useDocStore.getState().project).toBe(start);
  });

  it('makes a conv inside a block separable in the definition, as one undo step', () => {
    const { a, b } = twoInstances();
    const before = useDocStore.getState().project;
    expect(useDocStore.getState().makeSeparable(`${a}/n1`, { batchNorm: false })).toEqual({ ok: true });
    expect(graph()).toBe(before.graph);
    expect(flatNode(`${b}/n1_dw`)?.kind).toBe('DepthwiseConv2D');
    expect(flatInf().valid).toBe(true);
    temporal().undo();
    expect(useDocStore.getState().project).toBe(before);
    expect(useDocStore.getState().makeSeparable(`${a}/n2`, { batchNorm: false })).toMatchObject({ ok: false, reason: expect.stringMatching(/only a Conv2D/) });
  });

  /** twoInstances, plus a block “Norm” (one BatchNormalization) placed, unwired, inside Unit: drawn as `${a}/${id}`. */
  function nestedNorm() {
    const t = twoInstances();
    const s = useDocStore.getState();
    const bn = s.addNode('BatchNormalization', { x: 900, y: 0 });
    const norm = s.makeBlock([bn], 'Norm', []);
    expect(norm.ok).toBe(true);
    const placed = s.addToBlock(t.a, { block: norm.blockId! }, { x: 200, y: 100 });
    expect(placed.ok).toBe(true);
    return { ...t, norm: norm.blockId!, top: norm.instanceId!, nested: placed.id!.split('/')[1] };
  }

  it('rewires a block nested in an opened instance: the outer block changes, both instances follow, one undo step each', () => {
    const { a, b, blockId, top, nested } = nestedNorm();
    const s = useDocStore.getState();
    expect(s.removeElements([top], [])).toEqual({ ok: true });
    // Unwired inside Unit, the nested instance says so on both outer instances.
    const problems = () => flatFor(useDocStore.getState().project).problems;
    expect(problems()).toEqual([
      { nodeId: a, message: 'input “in” of unit/norm is not connected' },
      { nodeId: `${a}/${nested}`, message: 'input “in” of unit/norm is not connected' },
      { nodeId: b, message: 'input “in” of unit_1/norm is not connected' },
      { nodeId: `${b}/${nested}`, message: 'input “in” of unit_1/norm is not connected' },
    ]);
    // The canvas shows it on the outer instance and on the nested one.
    const canvas = () => {
      const flat = flatFor(useDocStore.getState().project);
      return canvasInferenceFor(graph(), flat, inferenceFor(flat.graph)).nodes;
    };
    expect(canvas()[b].error?.message).toBe('input “in” of unit_1/norm is not connected');
    expect(canvas()[`${a}/${nested}`].error?.message).toBe('input “in” of unit/norm is not connected');
    const start = useDocStore.getState().project;
    const totals = flatTotals();
    // bn → [norm] → relu instead of bn → relu.
    expect(s.removeElements([], [`${a}/${innerEdge(blockId, 'n2', 'n3').id}`])).toEqual({ ok: true });
    expect(s.connect(`${a}/n2`, `${a}/${nested}`, 0)).toEqual({ ok: true });
    expect(s.connect(`${b}/${nested}`, `${b}/n3`, 0)).toEqual({ ok: true });
    expect(problems()).toEqual([]);
    expect(flatInf().valid).toBe(true);
    // A BatchNormalization over 4 channels in each instance: 4 × 4 params, twice.
    expect(flatTotals().params - totals.params).toBe(32);
    const innerBn = flattenProject(useDocStore.getState().project).graph.nodes.find((n) => n.id.startsWith(`${b}/${nested}/`))!;
    expect(innerBn.name).toBe('unit_1/norm/batch_normalization');
    expect(flatInf().nodes[innerBn.id].outputShape).toEqual([8, 8, 4]);
    // Refused with the messages used elsewhere.
    expect(s.connect(`${a}/n1`, `${a}/${nested}`, 0)).toEqual({ ok: false, reason: 'input 1 of norm is already connected' });
    expect(s.connect(`${a}/n1`, `${a}/${nested}`, 1)).toEqual({ ok: false, reason: 'norm has no input 2 (its block “Norm” has 1)' });
    expect(s.connect(`${a}/${nested}`, `${a}/n2`, 0)).toMatchObject({ ok: false, reason: expect.stringMatching(/single input/) });
    expect(s.connect(`${a}/${nested}`, `${a}/n1`, 0)).toEqual({ ok: false, reason: 'input 1 of conv2d comes from the block\'s input “in”' });
    // Unit already holds Norm: Unit inside Norm stays refused, as does Unit inside itself.
    const norm = blocks().find((x) => x.name === 'Norm')!;
    expect(s.addInstance(blockId, { x: 0, y: 0 }, norm.id)).toMatchObject({ ok: false, reason: expect.stringMatching(/cannot contain itself/) });
    expect(s.addToBlock(a, { block: blockId }, { x: 0, y: 0 })).toEqual({ ok: false, reason: 'block "Unit" cannot be used inside itself' });
    // Cutting the wire into the nested instance, from the other instance's drawing.
    const into = innerEdge(blockId, 'n2', nested);
    expect(s.removeElements([], [`${b}/${into.id}`])).toEqual({ ok: true });
    expect(problems()).toHaveLength(4);
    temporal().undo();
    expect(problems()).toEqual([]);
    temporal().undo();
    temporal().undo();
    temporal().undo();
    expect(useDocStore.getState().project).toBe(start);
  });

  it('adds an input and an output port from an opened instance and removes them: every instance follows, one undo step each', () => {
    const { a, b, blockId } = twoInstances();
    const s = useDocStore.getState();
    const def = () => blocks().find((x) => x.id === blockId)!;
    const start = useDocStore.getState().project;
    // An output from bn: both instances get a second output port.
    expect(s.addBlockOutput(`${a}/n2`)).toEqual({ ok: true, port: 'out2' });
    expect(flatFor(useDocStore.getState().project).outputs.get(b)).toEqual([`${b}/n3`, `${b}/n2`]);
    expect(s.addBlockOutput(`${b}/n2`)).toEqual({ ok: false, reason: 'batch_normalization already gives the block\'s output “out2”' });
    expect(s.connect(b, 'n5', 0, 1)).toMatchObject({ ok: false, reason: expect.stringMatching(/single input/) });
    expect(s.connect(b, 'n5', 0, 2)).toMatchObject({ ok: false });
    // An input feeding a new Add after relu: its second input is the new port, unconnected on both instances.
    const add = s.addToBlock(a, { kind: 'Add' }, { x: 0, y: 400 });
    expect(s.connect(`${a}/n3`, add.id!, 0)).toEqual({ ok: true });
    expect(s.addBlockInput(`${a}/n1`)).toEqual({ ok: false, reason: 'conv2d takes a single input and is already fed by the block\'s input “in”' });
    expect(s.addBlockInput(add.id!)).toEqual({ ok: true, port: 'in2' });
    expect(def().inputs.map((q) => q.name)).toEqual(['in', 'in2']);
    const problems = () => flatFor(useDocStore.getState().project).problems.map((q) => q.message);
    expect(problems()).toEqual(['input “in2” of unit is not connected', 'input “in2” of unit_1 is not connected']);
    expect(s.addBlockInput('n0')).toMatchObject({ ok: false, reason: expect.stringMatching(/pick a layer inside an opened block/) });
    // Wired on both: Input → unit.in2, unit → unit_1.in2.
    expect(s.connect('n0', a, 1)).toEqual({ ok: true });
    expect(s.connect(a, b, 1)).toEqual({ ok: true });
    expect(problems()).toEqual([]);
    const wired = useDocStore.getState().project;
    // Removing the input takes its two wires with it; removing the first output renumbers the wires from the second.
    expect(s.removeBlockPort(blockId, 'input', 1)).toEqual({ ok: true, wires: 2 });
    expect(graph().edges.filter((e) => e.target === a || e.target === b).map((e) => e.targetIndex)).toEqual([0, 0]);
    expect(s.removeBlockPort(blockId, 'output', 1)).toEqual({ ok: true, wires: 0 });
    expect(s.removeBlockPort(blockId, 'output', 0)).toEqual({ ok: false, reason: 'a block needs at least one output: “out” is the only output of “Unit”' });
    temporal().undo();
    temporal().undo();
    expect(useDocStore.getState().project).toBe(wired);
    // Back through the two wires, the port, the wire to the Add, the Add and the output port; redo gives the port back.
    for (let i = 0; i < 6; i++) temporal().undo();
    expect(useDocStore.getState().project).toBe(start);
    temporal().redo();
    expect(def().outputs.map((q) => q.name)).toEqual(['out', 'out2']);
  });

  it('infers through blocks, and the canvas gets one summed entry per instance', () => {
    openLonger();
    const r = useDocStore.getState().makeBlock(['n1', 'n2', 'n3'], 'Unit', []);
    const flat = flatFor(useDocStore.getState().project);
    const inf = inferenceFor(flat.graph);
    expect(inf.valid).toBe(true);
    const canvas = canvasInferenceFor(graph(), flat, inf);
    const inst = canvas.nodes[r.instanceId!];
    const inner = ['n1', 'n2', 'n3'].map((id) => inf.nodes[`${r.instanceId}/${id}`]);
    expect(inst.count.trainable).toBe(inner.reduce((a, n) => a + n.count.trainable, 0));
    expect(inst.outputShape).toEqual([8, 8, 4]);
    // Moving the instance neither re-flattens nor re-infers.
    useDocStore.getState().moveNodes({ [r.instanceId!]: { x: 500, y: 500 } });
    expect(flatFor(useDocStore.getState().project)).toBe(flat);
  });
});
