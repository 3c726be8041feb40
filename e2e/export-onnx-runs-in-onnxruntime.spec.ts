import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import * as ort from 'onnxruntime-web';
import { openEditor, trackErrors } from './support/editor';

test('Export → ONNX downloads a model onnxruntime runs: channels-last input, the preset\'s 10 class probabilities', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await page.getByTestId('menu-export').click();
  await expect(page.getByTestId('export-onnx')).toContainText('Opset 13');
  await expect(page.getByTestId('export-onnx')).toContainText('initial random weights');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-onnx').click()]);
  expect(download.suggestedFilename()).toBe('LeNet-5.onnx');
  const bytes = new Uint8Array(await readFile((await download.path())!));
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes);
  try {
    expect(session.inputNames).toHaveLength(1);
    const x = Float32Array.from({ length: 2 * 28 * 28 }, (_, i) => (i % 29) / 29);
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [2, 28, 28, 1]) });
    const y = out[session.outputNames[0]];
    expect(y.dims).toEqual([2, 10]);
    const probs = y.data as Float32Array;
    for (const row of [probs.subarray(0, 10), probs.subarray(10)]) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  } finally {
    await session.release();
  }
  expect(errors).toEqual([]);
});
