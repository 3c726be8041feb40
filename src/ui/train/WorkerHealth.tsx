import { useState } from 'react';
import { canResume, resumeRun, useRunsStore } from '../../store/runs';
import { useTrainingStore } from '../../store/training';
import { trainingClient } from '../../store/training-client';

const clock = (t: number) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/**
 * The question asked when a run's worker has gone silent for a long time (it may have died without a word, or be
 * stuck in one very slow step): keep waiting, or mark the run interrupted and keep what it finished.
 */
export function SilentWorker() {
  const since = useTrainingStore((s) => s.silentSince);
  const status = useTrainingStore((s) => s.status);
  if (since === null || !(status === 'training' || status === 'loading' || status === 'paused')) return null;
  return (
    <div className="train-message warning train-silent" role="alert" data-testid="train-silent">
      <div>
        The training worker has not answered since {clock(since)}. It may have crashed or run out of memory, or be busy
        with one very slow step.
      </div>
      <div className="train-silent-actions">
        <button className="btn small" data-testid="train-silent-wait" onClick={() => trainingClient().keepWaiting()}>Keep waiting</button>
        <button className="btn small primary" data-testid="train-silent-give-up" onClick={() => trainingClient().giveUp()}
          title="Ends the worker; the run keeps every epoch it finished and can be resumed from there">
          Stop waiting: keep the finished epochs
        </button>
      </div>
    </div>
  );
}

/** After the worker died mid-run: resume the run from its last kept epoch, right here. */
export function ResumeInterrupted() {
  const status = useTrainingStore((s) => s.status);
  const runKey = useTrainingStore((s) => s.runGraphKey);
  const activeId = useRunsStore((s) => s.activeId);
  const run = useRunsStore((s) => (status === 'interrupted' ? s.runs.find((r) => r.fingerprint === runKey && canResume(r, s.activeId)) : undefined));
  const [error, setError] = useState<string | null>(null);
  if (status !== 'interrupted' || !run) return null;
  const from = (run.kept.at(-1)?.epoch ?? 0) + 1;
  return (
    <div className="train-actions-inline">
      <button className="btn primary" data-testid="train-resume-run" disabled={activeId !== null}
        title="Continues with the kept weights and the run's settings; the optimizer's state starts afresh"
        onClick={() => {
          setError(null);
          resumeRun(run).catch((e: unknown) => setError(`Resume failed: ${(e as Error).message}`));
        }}>
        Resume “{run.name}” from epoch {from}
      </button>
      {error && <span className="small train-message error">{error}</span>}
    </div>
  );
}
