import { freeInputSlot, splitInnerId, type PortSide } from '../../graph/block-edit';
import { BLOCK_SEP, isInstance, type BlockDef } from '../../graph/blocks';
import type { ProjectFileV1 } from '../../graph/types';
import { useDocStore } from '../../store/doc';
import { useUiStore } from '../../store/ui';

/** A context-menu command about a block's ports; `title` says why a disabled one cannot be used. */
export interface PortCommand {
  id: string;
  label: string;
  run(): void;
  disabled?: boolean;
  title?: string;
}

/** The block and inner layer behind a layer drawn inside an opened instance (`instance/inner`, one level deep). */
function innerOf(p: ProjectFileV1, drawnId: string): { def: BlockDef; inner: string } | undefined {
  if (p.graph.nodes.some((n) => n.id === drawnId)) return undefined;
  const at = splitInnerId(drawnId);
  if (!at || at.inner.includes(BLOCK_SEP)) return undefined;
  const inst = p.graph.nodes.find((n) => n.id === at.instance);
  const def = inst && isInstance(inst) ? p.blocks?.find((b) => b.id === inst.block) : undefined;
  return def && def.graph.nodes.some((n) => n.id === at.inner) ? { def, inner: at.inner } : undefined;
}

/** Removes a port, telling the user what went with it (or why it stays). */
export function removeBlockPort(def: BlockDef, side: PortSide, index: number): void {
  const name = (side === 'input' ? def.inputs : def.outputs)[index]?.name ?? '';
  const r = useDocStore.getState().removeBlockPort(def.id, side, index);
  const ui = useUiStore.getState();
  if (!r.ok) ui.toast('error', `Port not removed: ${r.reason}`);
  else ui.toast('info', `Removed the ${side} “${name}” of “${def.name}”${r.wires ? ` and the ${r.wires === 1 ? 'wire' : `${r.wires} wires`} to it` : ''}.`);
}

/**
 * The port commands for a layer (or a nested block) inside an opened instance: add a block input feeding it, make its
 * output one of the block's, or remove the ports that already feed it or come from it. Empty for anything else.
 */
export function portCommands(drawnId: string): PortCommand[] {
  const p = useDocStore.getState().project;
  const at = innerOf(p, drawnId);
  if (!at) return [];
  const { def, inner } = at;
  const ui = useUiStore.getState();
  const out: PortCommand[] = [];
  const free = freeInputSlot(def, p.blocks ?? [], inner);
  out.push({
    id: 'add-block-input',
    label: 'Add block input feeding this layer',
    disabled: 'error' in free,
    title: 'error' in free ? free.error : `Every instance of “${def.name}” gets a new input, unconnected until wired`,
    run: () => {
      const r = useDocStore.getState().addBlockInput(drawnId);
      if (!r.ok) ui.toast('error', `No input added: ${r.reason}`);
      else ui.toast('info', `Added the input “${r.port}” to “${def.name}”: wire it into every instance (each says so until then).`);
    },
  });
  const node = def.graph.nodes.find((n) => n.id === inner)!;
  const nested = isInstance(node) ? p.blocks?.find((b) => b.id === node.block) : undefined;
  const available = nested ? nested.outputs.length : 1;
  const given = def.outputs.map((o, k) => ({ o, k })).filter(({ o }) => o.node === inner);
  const next = Array.from({ length: available }, (_, k) => k).find((k) => !given.some(({ o }) => (o.index ?? 0) === k));
  if (next !== undefined) {
    out.push({
      id: 'add-block-output',
      label: given.length ? 'Make another block output' : 'Make block output',
      title: `Every instance of “${def.name}” gets a new output`,
      run: () => {
        const r = useDocStore.getState().addBlockOutput(drawnId, next);
        if (!r.ok) ui.toast('error', `No output added: ${r.reason}`);
        else ui.toast('info', `Added the output “${r.port}” to “${def.name}”.`);
      },
    });
  }
  for (const { o, k } of given) {
    const only = def.outputs.length === 1;
    out.push({
      id: `remove-block-output-${k}`,
      label: `Remove block output “${o.name}”`,
      disabled: only,
      title: only ? `a block needs at least one output: “${o.name}” is the only output of “${def.name}”` : undefined,
      run: () => removeBlockPort(def, 'output', k),
    });
  }
  def.inputs.forEach((port, k) => {
    if (!port.targets.some((t) => t.node === inner)) return;
    out.push({ id: `remove-block-input-${k}`, label: `Remove block input “${port.name}”`, run: () => removeBlockPort(def, 'input', k) });
  });
  return out;
}
