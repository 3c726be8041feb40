import { useDeferredValue, useEffect, useMemo, useRef } from 'react';
import { useReactFlow } from '@xyflow/react';
import { diffGraphs } from '../../graph/diff';
import { useDocStore, useInference, useStructuralGraph } from '../../store/doc';
import { CompareDialog } from './CompareDialog';
import { DiffOverlay, type DiffMark } from './DiffOverlay';
import { DiffPanel } from './DiffPanel';
import { useDiffStore } from './state';
import './diff.css';

/** The panel's width in CSS pixels plus its margin (diff.css). */
const PANEL_ROOM = 370;

/**
 * When a comparison opens, slides the canvas left by half the panel's width, so the graph that was centred sits in
 * the middle of what the panel leaves visible. Not on a canvas too narrow to leave anything beside the panel.
 */
function useMakeRoomForPanel(target: unknown): void {
  const flow = useReactFlow();
  useEffect(() => {
    if (!target) return;
    const el = document.querySelector('.canvas .react-flow');
    if (!el || el.clientWidth < 2 * PANEL_ROOM) return;
    const vp = flow.getViewport();
    void flow.setViewport({ ...vp, x: vp.x - PANEL_ROOM / 2 }, { duration: 200 });
  }, [target, flow]);
}

/** A comparison is with the project it was opened on: opening another project closes it. */
function useCloseOnProjectSwitch(): void {
  const projectId = useDocStore((s) => s.projectId);
  const opened = useRef(projectId);
  useEffect(() => {
    if (opened.current !== projectId) useDiffStore.getState().close();
    opened.current = projectId;
  }, [projectId]);
}

/**
 * "Compare…": the chooser, the list panel over the canvas and the marks on the current graph's layers. Mounted once
 * inside the canvas area (and inside React Flow's provider, for the marks). The diff follows edits while it is open.
 */
export function DiffView() {
  const choosing = useDiffStore((s) => s.choosing);
  const target = useDiffStore((s) => s.target);
  const swapped = useDiffStore((s) => s.swapped);
  // Deferred: on a big graph the canvas answers an edit first and the comparison follows.
  const graph = useDeferredValue(useStructuralGraph());
  const inference = useDeferredValue(useInference());
  useMakeRoomForPanel(target);
  useCloseOnProjectSwitch();
  const result = useMemo(() => {
    if (!target) return null;
    const diff = swapped ? diffGraphs(graph, target.project.graph, { a: inference }) : diffGraphs(target.project.graph, graph, { b: inference });
    const currentIs: 'a' | 'b' = swapped ? 'a' : 'b';
    const marks = new Map<string, { mark: DiffMark; name: string }>();
    const mine = (d: { a: { id: string; name: string }; b: { id: string; name: string } }) => (currentIs === 'b' ? d.b : d.a);
    for (const c of diff.affected) marks.set(mine(c).id, { mark: 'affected', name: mine(c).name });
    for (const c of diff.changed) marks.set(mine(c).id, { mark: 'changed', name: mine(c).name });
    for (const l of currentIs === 'b' ? diff.added : diff.removed) marks.set(l.id, { mark: currentIs === 'b' ? 'added' : 'removed', name: l.name });
    return { diff, currentIs, marks };
  }, [target, swapped, graph, inference]);

  return (
    <>
      {choosing && <CompareDialog />}
      {target && result && (
        <>
          <DiffOverlay marks={result.marks} />
          <DiffPanel diff={result.diff} currentIs={result.currentIs} target={target} onSwap={useDiffStore.getState().swap} onClose={useDiffStore.getState().close} />
        </>
      )}
    </>
  );
}
