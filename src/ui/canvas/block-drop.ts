import type { ReactFlowInstance } from '@xyflow/react';
import { blockOrigin, splitInnerId } from '../../graph/block-edit';
import { BLOCK_SEP, type BlockDef } from '../../graph/blocks';
import { NODE_SIZE } from '../../graph/layout';
import type { XY } from '../../graph/types';
import { useDocStore } from '../../store/doc';
import { useUiStore } from '../../store/ui';
import { GROUP_PAD } from './block-view';
import { dropSpot, freeSpot } from './placement';

/**
 * Writes layers moved inside opened instances (drawn ids `instance/inner`, positions relative to their frames, as
 * React Flow gives a child's) into their blocks, so every instance shows them there. Every position is read against the
 * blocks as they stand before any of them is written.
 */
export function moveInOpenedBlocks(moved: Iterable<readonly [string, XY]>): void {
  const p = useDocStore.getState().project;
  const byInstance = new Map<string, Record<string, XY>>();
  for (const [id, at] of moved) {
    const where = splitInnerId(id);
    const inst = where && p.graph.nodes.find((n) => n.id === where.instance);
    const def = inst?.block === undefined ? undefined : p.blocks?.find((b) => b.id === inst.block);
    if (!where || !def) continue;
    const o = blockOrigin(def);
    const positions = byInstance.get(where.instance) ?? {};
    positions[where.inner] = { x: Math.round(at.x - GROUP_PAD.x + o.x), y: Math.round(at.y - GROUP_PAD.top + o.y) };
    byInstance.set(where.instance, positions);
  }
  for (const [instanceId, positions] of byInstance) {
    const r = useDocStore.getState().moveInBlock(instanceId, positions);
    if (!r.ok) useUiStore.getState().toast('error', `Not moved: ${r.reason}`);
  }
}

/** The opened instance whose group lies under a canvas point, and the point in its block's own coordinates. */
export function openedGroupAt(flow: ReactFlowInstance, at: XY): { instanceId: string; def: BlockDef; local: XY } | undefined {
  const hits = flow.getIntersectingNodes({ x: at.x, y: at.y, width: 1, height: 1 }, true);
  for (const hit of hits) {
    const data = hit.data as { expanded?: boolean; nested?: boolean; def?: BlockDef } | undefined;
    if (hit.type !== 'block' || !data?.expanded || data.nested || !data.def) continue;
    const abs = flow.getInternalNode(hit.id)?.internals.positionAbsolute ?? hit.position;
    const o = blockOrigin(data.def);
    return { instanceId: hit.id, def: data.def, local: { x: at.x - abs.x - GROUP_PAD.x + o.x, y: at.y - abs.y - GROUP_PAD.top + o.y } };
  }
  return undefined;
}

/**
 * A palette drop (a layer kind or a block) that lands in an opened instance goes into that instance's block: every
 * instance follows. Returns false when the point is not over an opened group, so the caller adds to the main graph.
 */
export function dropIntoOpenedBlock(flow: ReactFlowInstance, at: XY, what: { kind: string } | { block: string }): boolean {
  const group = openedGroupAt(flow, at);
  if (!group) return false;
  const ui = useUiStore.getState();
  const pos = dropSpot(group.def.graph.nodes, { x: Math.round(group.local.x - NODE_SIZE.width / 2), y: Math.round(group.local.y - 30) }, ui.direction === 'DOWN');
  const r = useDocStore.getState().addToBlock(group.instanceId, what, pos);
  if (!r.ok) ui.toast('error', `Not added to the block: ${r.reason}`);
  else {
    ui.select([r.id!]);
    if (ui.tab === 'summary') ui.setTab('layer');
  }
  return true;
}

/**
 * The palette's "add after the selected layer" when that layer is inside a block: the new layer goes into the block
 * below it, wired from it (every instance follows). Returns the new layer's drawn id, null when the block refused it
 * (the user is told), or undefined when the selected id is not a layer inside a block.
 */
export function appendInsideBlock(selectedId: string, kind: string, down: boolean): string | null | undefined {
  const doc = useDocStore.getState();
  if (doc.project.graph.nodes.some((n) => n.id === selectedId)) return undefined;
  const at = splitInnerId(selectedId);
  if (!at || at.inner.includes(BLOCK_SEP)) return undefined;
  const inst = doc.project.graph.nodes.find((n) => n.id === at.instance);
  const def = inst?.block === undefined ? undefined : doc.project.blocks?.find((b) => b.id === inst.block);
  const prev = def?.graph.nodes.find((n) => n.id === at.inner);
  if (!def || !prev) return undefined;
  const pos = down ? { x: prev.position.x, y: prev.position.y + NODE_SIZE.height + 40 } : { x: prev.position.x + NODE_SIZE.width + 60, y: prev.position.y };
  const r = doc.addToBlock(at.instance, { kind }, freeSpot(def.graph.nodes, pos, down));
  if (!r.ok) {
    useUiStore.getState().toast('error', `Not added to the block: ${r.reason}`);
    return null;
  }
  useDocStore.getState().connect(selectedId, r.id!, 0);
  return r.id!;
}
