import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { sharedAttempt } from './shared-attempt';

/** A backend whose initialisation takes a while, as wasm's does while its module compiles on a busy machine. */
function registerSlowBackend(name: string): void {
  tf.registerBackend(name, async () => {
    await new Promise((r) => setTimeout(r, 20));
    const cpu = tf.findBackendFactory('cpu');
    return (await cpu!()) as tf.KernelBackend;
  });
}

describe('sharedAttempt', () => {
  it('pins the tfjs behaviour it guards against: a second setBackend during a slow init makes the first resolve false', async () => {
    registerSlowBackend('slow-raw');
    expect(await Promise.all([tf.setBackend('slow-raw'), tf.setBackend('slow-raw')])).toEqual([false, true]);
  });

  it('two concurrent readiness requests (warm-up, then a run) both succeed and initialise once', async () => {
    registerSlowBackend('slow-shared');
    let attempts = 0;
    const ready = sharedAttempt(async () => {
      attempts++;
      if (!(await tf.setBackend('slow-shared'))) throw new Error('could not start');
    });
    await expect(Promise.all([ready(), ready()])).resolves.toEqual([undefined, undefined]);
    await ready();
    expect(attempts).toBe(1);
    expect(tf.getBackend()).toBe('slow-shared');
  });

  it('a failed attempt is forgotten, so the next request tries again', async () => {
    let attempts = 0;
    const ready = sharedAttempt(async () => {
      attempts++;
      if (attempts === 1) throw new Error('first fails');
    });
    await expect(ready()).rejects.toThrow('first fails');
    await expect(ready()).resolves.toBeUndefined();
    expect(attempts).toBe(2);
  });
});
