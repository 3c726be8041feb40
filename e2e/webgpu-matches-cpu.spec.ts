import { expect, test, type Page } from '@playwright/test';
import { createRequire } from 'node:module';
import { openTrain, settings } from './support/train';
import { trackErrors } from './support/editor';

/**
 * The WebGPU path against cpu, in a Chromium that offers a WebGPU adapter. Headless Debian Chromium (156) here has no
 * GPU; `--enable-unsafe-webgpu` alone makes it offer SwiftShader's software adapter (vendor "google", architecture
 * "swiftshader", a fallback adapter), also next to `--disable-gpu`. Without the flag `requestAdapter()` gives null.
 * Where no adapter is offered even so, each story skips with the reason printed, after really asking for one.
 */
const WEBGPU_FLAGS = ['--enable-unsafe-webgpu'];

test.use({
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...WEBGPU_FLAGS,
    ],
  },
});
test.setTimeout(180_000);

/** Relative tolerance: max |webgpu − cpu| over a tensor, divided by max |cpu| over it. */
const TOLERANCE = 1e-3;

const require = createRequire(import.meta.url);
const TFJS_UMD = require.resolve('@tensorflow/tfjs/dist/tf.min.js');
const WEBGPU_UMD = require.resolve('@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js');

/** Asks the page for a WebGPU adapter; the reason there is none, or null. */
async function noAdapterReason(page: Page): Promise<string | null> {
  return page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string } } | null> } }).gpu;
    if (!gpu) return `navigator.gpu is missing (secure context: ${isSecureContext}) with flags ${'%FLAGS%'}`;
    try {
      const a = await gpu.requestAdapter();
      return a ? null : 'navigator.gpu.requestAdapter() returned null';
    } catch (e) {
      return `navigator.gpu.requestAdapter() threw ${String(e)}`;
    }
  }).then((r) => r?.replace('%FLAGS%', WEBGPU_FLAGS.join(' ')) ?? null);
}

async function skipWithoutAdapter(page: Page) {
  const why = await noAdapterReason(page);
  if (why) {
    console.log(`SKIP (no WebGPU here): ${why}`);
    test.skip(true, `no WebGPU adapter in this Chromium: ${why}`);
  }
}

test('a conv net\'s forward pass, gradients and one SGD step on webgpu match cpu from the same weights', async ({ page }) => {
  // A blank page on the preview server's origin (a secure context), with tfjs and the webgpu backend as UMD scripts.
  await page.route('**/__webgpu-check.html', (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>webgpu check</title>' }));
  await page.goto('/__webgpu-check.html');
  await skipWithoutAdapter(page);
  await page.addScriptTag({ path: TFJS_UMD });
  await page.addScriptTag({ path: WEBGPU_UMD });

  const run = (backend: string, weights: number[][] | null) => page.evaluate(async ({ backend, weights }) => {
    type Tfjs = typeof import('@tensorflow/tfjs');
    const tf = (window as unknown as { tf: Tfjs }).tf;
    if (!(await tf.setBackend(backend))) throw new Error(`${backend} did not initialise`);
    await tf.ready();
    const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 6, kernelSize: 5, activation: 'relu', kernelInitializer: seeded(1) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: seeded(2) }),
        tf.layers.batchNormalization(),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: seeded(3) }),
      ],
    });
    if (weights) model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
    const B = 8;
    const xs = new Float32Array(B * 16 * 16);
    for (let i = 0; i < xs.length; i++) xs[i] = ((i * 7919) % 997) / 997;
    const x = tf.tensor4d(xs, [B, 16, 16, 1]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10).toFloat();
    // Categorical cross-entropy of the softmax head, as Convas trains it.
    const ce = () => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(model.apply(x, { training: true }) as import('@tensorflow/tfjs').Tensor, 1e-7, 1))), -1))) as import('@tensorflow/tfjs').Scalar;
    const initial = await Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
    const output = Array.from(await (model.predict(x) as import('@tensorflow/tfjs').Tensor).data());
    const vars = model.trainableWeights.map((w) => w.read() as import('@tensorflow/tfjs').Variable);
    const { value, grads } = tf.variableGrads(ce, vars);
    const gradArrays = await Promise.all(vars.map(async (v) => Array.from(await grads[v.name].data())));
    const loss = (await value.data())[0];
    tf.train.sgd(0.1).applyGradients(grads);
    const updated = await Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
    return { backend: tf.getBackend(), output, loss, grads: gradArrays, updated, initial };
  }, { backend, weights });

  // Weights are made on cpu and handed to webgpu, so both start from the same numbers.
  const cpu = await run('cpu', null);
  const gpu = await run('webgpu', cpu.initial);
  expect(gpu.backend).toBe('webgpu');
  expect(cpu.backend).toBe('cpu');

  const rel = (a: number[], b: number[]) => {
    const scale = Math.max(...b.map(Math.abs), 1e-12);
    return Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale;
  };
  const report: string[] = [];
  const check = (what: string, a: number[], b: number[]) => {
    expect(a.length).toBe(b.length);
    expect(a.every(Number.isFinite)).toBe(true);
    const r = rel(a, b);
    report.push(`${what} ${r.toExponential(2)}`);
    expect(r, `${what}: relative difference ${r} over ${TOLERANCE}`).toBeLessThanOrEqual(TOLERANCE);
  };
  check('output', gpu.output, cpu.output);
  check('loss', [gpu.loss], [cpu.loss]);
  gpu.grads.forEach((g, i) => check(`grad ${i}`, g, cpu.grads[i]));
  gpu.updated.forEach((w, i) => check(`weights after a step ${i}`, w, cpu.updated[i]));
  console.log(`webgpu vs cpu, max relative difference: ${report.join(', ')}`);
});

test('"fastest here" probes webgpu too: it is timed or dropped with its reason, and the run trains on a backend that works', async ({ page }) => {
  const errors = trackErrors(page);
  await openTrain(page, 'lenet5');
  await skipWithoutAdapter(page);
  const select = page.getByTestId('train-backend');
  await expect(select.locator('option[value="webgpu"]')).toHaveText('webgpu', { timeout: 30_000 }); // not "(unavailable)"
  await settings(page, { limit: '512', epochs: '1', batch: '64' });
  await page.getByTestId('train-start').click();
  const why = page.getByTestId('train-backend-why');
  await expect(why).toHaveAttribute('data-how', 'probed', { timeout: 90_000 });
  // Timed, or dropped with its reason: here a software adapter (SwiftShader) is skipped unmeasured; on a GPU it is timed.
  await expect(why).toContainText(/webgpu (\d[\d,]*|dropped|failed|unavailable|skipped: software rendering)/);
  console.log(`probe with a software WebGPU adapter: ${await why.innerText()}`);
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  const loss = parseFloat(await page.getByTestId('train-epochs').locator('tbody tr').first().locator('td').nth(1).innerText());
  expect(loss).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});
