import { useEffect, useMemo, useRef, useState } from 'react';
import type { Graph } from '../../graph/types';
import { replayWeights, showReplayEpoch, useReplayStore, useRunsStore } from '../../store/runs';
import { graphKey } from '../../store/training';
import './runs.css';

const PLAY_MS = 800;
/**
 * How long the slider rests before its position is computed: dragging across ten epochs asks for one model update
 * (the last), not ten. Short enough that a single step feels immediate.
 */
const SCRUB_SETTLE_MS = 90;

/**
 * Inspect's epoch slider: over the kept epochs of the newest run of this design, it swaps in that epoch's weights, so
 * feature maps, filters and the confusion matrix show the model as it was then. Shown when two or more epochs are kept
 * (tick "keep every epoch's weights" in the Runs tab before training for a full playback).
 */
export function EpochReplay({ graph }: { graph: Graph }) {
  const key = useMemo(() => graphKey(graph), [graph]);
  const run = useRunsStore((s) => s.runs.find((r) => r.fingerprint === key && r.kept.length > 0 && r.id !== s.activeId));
  const epochs = useMemo(() => run?.kept.map((k) => k.epoch) ?? [], [run]);
  const shown = useReplayStore((s) => (s.runId === run?.id ? s.epoch : null));
  const [playing, setPlaying] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Where the slider is while it settles (the label follows it at once; the model follows when it rests).
  const [pending, setPending] = useState<number | null>(null);
  const shownAt = shown === null ? epochs.length - 1 : Math.max(0, epochs.indexOf(shown));
  const at = pending ?? shownAt;

  // Read every kept epoch ahead (cheap), so the slider does not wait on storage; forget the playback on leaving.
  useEffect(() => {
    if (run) for (const e of epochs) void replayWeights(run.id, e).catch(() => {});
  }, [run, epochs]);
  useEffect(() => () => void showReplayEpoch(null, null), [key]);

  const go = (i: number) => {
    if (!run) return;
    const epoch = epochs[i];
    setError(null);
    showReplayEpoch(i === epochs.length - 1 ? null : run.id, i === epochs.length - 1 ? null : epoch)
      .catch((e: unknown) => setError((e as Error).message))
      .finally(() => setPending((p) => (p === i ? null : p)));
  };

  // The first move of a rest goes at once; moves that follow within SCRUB_SETTLE_MS wait for the slider to rest, so a
  // drag computes where it stops (a computation already under way stops at its next slice when other weights come).
  const lastGo = useRef(-Infinity);
  useEffect(() => {
    if (pending === null) return;
    if (pending === shownAt) {
      setPending(null);
      return;
    }
    const now = performance.now();
    const wait = now - lastGo.current > SCRUB_SETTLE_MS ? 0 : SCRUB_SETTLE_MS;
    lastGo.current = now;
    const t = setTimeout(() => {
      lastGo.current = performance.now();
      go(pending);
    }, wait);
    return () => clearTimeout(t);
  }, [pending, shownAt]);

  // Each epoch stays at least PLAY_MS after it is shown, however long the model took to update.
  useEffect(() => {
    if (!playing) return;
    const t = setTimeout(() => {
      if (at + 1 >= epochs.length) setPlaying(false);
      else go(at + 1);
    }, PLAY_MS);
    return () => clearTimeout(t);
  }, [playing, at, epochs]);

  if (!run || epochs.length < 2) return null;
  return (
    <div className="replay" data-testid="epoch-replay" data-shown-epoch={epochs[shownAt]} title="Feature maps, filters and the confusion matrix of the model as it was at the end of the chosen epoch">
      <span className="small muted">Replay training</span>
      <button
        className="btn small"
        data-testid="replay-play"
        onClick={() => {
          setPending(null);
          if (!playing && at === epochs.length - 1) go(0);
          setPlaying((p) => !p);
        }}
        aria-label={playing ? 'Pause the playback' : 'Play the epochs'}
      >
        {playing ? '❚❚' : '▶'}
      </button>
      <input
        type="range" min={0} max={epochs.length - 1} step={1} value={at} data-testid="replay-slider" aria-label="Epoch"
        onChange={(e) => (setPlaying(false), setPending(Number(e.target.value)))}
      />
      <span className="small" data-testid="replay-epoch" data-epoch={epochs[at]}>
        Epoch {epochs[at]} of {run.settings.epochs}
        {at === epochs.length - 1 ? ' (latest)' : ''}
      </span>
      {epochs.length < (run.epochs.at(-1)?.epoch ?? 0) && <span className="small muted">only epochs {epochs.join(', ')} are kept</span>}
      {error && <span className="small runs-warn">{error}</span>}
    </div>
  );
}
