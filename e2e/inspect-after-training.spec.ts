import { readFile } from 'node:fs/promises';
import { expect, test, type Download, type Page } from '@playwright/test';
import { openEditor, trackErrors } from './support/editor';

test.setTimeout(480_000);

/** Trains LeNet-5 briefly through the Train tab. */
async function trainBriefly(page: Page): Promise<void> {
  await page.getByTestId('tab-train').click();
  await page.getByTestId('train-limit').fill('1500');
  await page.getByTestId('train-epochs-input').fill('1');
  // WebGL (SwiftShader here) rather than the wasm fast path: slower, but independent of the custom wasm kernels.
  await page.getByTestId('train-backend').selectOption('webgl');
  await page.getByTestId('train-start').click();
  // Training and the test-set pass share 2 slow cores with everything else: allow minutes.
  await expect(page.getByTestId('train-test-acc')).toBeVisible({ timeout: 360_000 });
}

/** The prediction bars' text for test image #index. */
async function predictionFor(page: Page, index: number): Promise<string> {
  await page.getByTestId('input-dataset').click();
  await expect(page.getByTestId('input-index')).toHaveText('#0');
  for (let i = 0; i < index; i++) await page.getByTestId('input-next').click();
  await expect(page.getByTestId('input-index')).toHaveText(`#${index}`);
  await expect(page.getByTestId('prediction')).toHaveAttribute('data-source', new RegExp(`test #${index}$`));
  await expect(page.getByTestId('prediction-bar')).toHaveCount(5);
  return (await page.getByTestId('prediction').innerText()).trim();
}

test('exported tfjs artifacts (model.json + weights.bin) import back and predict the same', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await page.getByTestId('tab-inspect').click();
  const before = await predictionFor(page, 3);
  const { jsonBytes, binBytes } = await exportTfjs(page);
  await importTfjs(page, jsonBytes, binBytes);
  await expect(page.getByTestId('inspect-weights')).toHaveText('Using the trained weights.');
  expect(await predictionFor(page, 3)).toBe(before);
  expect(errors).toEqual([]);
});

test('after a short training the confusion matrix renders, and the trained model survives export and import', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await trainBriefly(page);

  await page.getByTestId('tab-inspect').click();
  await expect(page.getByTestId('inspect-weights')).toHaveText('Using the trained weights.');
  await page.getByTestId('evaluate').click();
  await expect(page.getByTestId('confusion-matrix')).toBeVisible({ timeout: 60_000 });
  const acc = parseFloat(await page.getByTestId('test-accuracy').innerText());
  expect(acc).toBeGreaterThan(30); // 1,500 samples × 1 epoch reach well above chance (10%)
  await expect(page.getByTestId('confusion-matrix').locator('tbody tr')).toHaveCount(10);
  await expect(page.getByTestId('rank-conv2d')).toBeVisible();
  await page.getByTestId('inspect-eval').screenshot({ path: 'test-results/inspect-confusion.png' });
  const trained = await predictionFor(page, 3);

  const { jsonBytes, binBytes } = await exportTfjs(page);
  await importTfjs(page, jsonBytes, binBytes);
  await expect(page.getByTestId('inspect-weights')).toHaveText('Using the trained weights.');
  expect(await predictionFor(page, 3)).toBe(trained);
  expect(errors).toEqual([]);
});

/** Exports through the Export menu and checks the two files. */
async function exportTfjs(page: Page): Promise<{ jsonBytes: Buffer; binBytes: Buffer }> {
  const files: Download[] = [];
  page.on('download', (d) => files.push(d));
  await page.getByTestId('menu-export').click();
  await page.getByTestId('export-tfjs').click();
  await expect.poll(() => files.length).toBe(2);
  const json = files.find((d) => d.suggestedFilename().endsWith('.json'))!;
  const bin = files.find((d) => d.suggestedFilename().endsWith('.bin'))!;
  expect(json.suggestedFilename()).toBe('LeNet-5.json');
  expect(bin.suggestedFilename()).toBe('LeNet-5.weights.bin');
  const jsonBytes = await readFile((await json.path())!);
  const binBytes = await readFile((await bin.path())!);
  const modelJson = JSON.parse(jsonBytes.toString('utf8')) as { weightsManifest: { paths: string[] }[] };
  expect(modelJson.weightsManifest[0].paths).toEqual(['./LeNet-5.weights.bin']);
  expect(binBytes.byteLength).toBe(61706 * 4);
  return { jsonBytes, binBytes };
}

/** Opens another model, then imports the artifacts through the Export menu's file input. */
async function importTfjs(page: Page, jsonBytes: Buffer, binBytes: Buffer): Promise<void> {
  await openEditor(page, '/?preset=basic-cnn');
  await expect(page.getByTestId('total-params')).not.toHaveText('61,706');
  await page.getByTestId('import-tfjs-input').setInputFiles([
    { name: 'LeNet-5.json', mimeType: 'application/json', buffer: jsonBytes },
    { name: 'LeNet-5.weights.bin', mimeType: 'application/octet-stream', buffer: binBytes },
  ]);
  await expect(page.getByTestId('total-params')).toHaveText('61,706');
  await page.getByTestId('tab-inspect').click();
}
