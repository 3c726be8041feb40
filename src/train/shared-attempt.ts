/**
 * Shares one in-flight attempt among concurrent callers, and forgets it when it fails so that a later call tries again.
 *
 * Why: tfjs' `setBackend(name)` called again while that backend is still initialising starts a second initialisation
 * and makes the first call resolve `false` (the engine keeps only the newest pending init). A follower worker is asked
 * to get ready twice when a run's `init` arrives before the `warm` sent on opening the Train panel has finished —
 * which happens when the machine is busy — and the first of the two then reported that wasm "could not start", so the
 * run fell back to one worker.
 */
export function sharedAttempt<A extends unknown[]>(attempt: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  let pending: Promise<void> | null = null;
  let done = false;
  return (...args: A) => {
    if (done) return Promise.resolve();
    pending ??= attempt(...args).then(
      () => {
        done = true;
      },
      (e: unknown) => {
        pending = null;
        throw e;
      },
    );
    return pending;
  };
}
