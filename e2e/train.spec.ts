import { expect, test, type Page } from '@playwright/test';
import { layerNode, selectLayer, setParam, totalParams, trackErrors } from './support/editor';
import { openTrain, settings, testAccuracy } from './support/train';

test.setTimeout(180_000);

const status = (page: Page) => page.getByTestId('train-status');

test('LeNet-5 trains on a small MNIST subset: the loss falls and the curves draw', async ({ page }) => {
  const errors = trackErrors(page);
  await openTrain(page, 'lenet5');
  await expect(page.getByTestId('train-issues')).toHaveCount(0);
  await settings(page, { limit: '2048', epochs: '2', batch: '32', lr: '0.002' });
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-progress')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('train-backend-used')).toContainText(/Backend: (wasm|webgl|cpu)/);
  // The page is cross-origin isolated, so on wasm the run starts one worker per core (up to 4), each training a slice
  // of every batch. How many start depends on the cores, not on how busy they are: the follower that once reported
  // "wasm could not start" under load had been asked to get ready twice at once (src/train/shared-attempt.ts). The line
  // names the count actually used, and a one-worker fallback names its reason.
  const cores = await page.evaluate(() => (crossOriginIsolated ? navigator.hardwareConcurrency : 1));
  const line = page.getByTestId('train-backend-used');
  if ((await line.innerText()).includes('wasm')) {
    await expect(line).toContainText(cores > 1 ? `${Math.min(4, cores)} workers in parallel` : '1 worker');
    await expect(line).not.toContainText('one worker because');
  }
  await expect(page.getByTestId('train-test-acc')).toBeVisible({ timeout: 150_000 });
  await expect(status(page)).toHaveAttribute('data-status', 'done');

  const rows = page.getByTestId('train-epochs').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  const loss = async (i: number) => parseFloat(await rows.nth(i).locator('td').nth(1).innerText());
  expect(await loss(1)).toBeLessThan(await loss(0));
  // Batch curve, epoch curve and validation curve are drawn with real paths.
  const curves = page.getByTestId('train-loss-chart').locator('path.recharts-curve');
  expect(await curves.count()).toBeGreaterThanOrEqual(2);
  expect((await curves.first().getAttribute('d'))?.length ?? 0).toBeGreaterThan(50);
  const acc = await testAccuracy(page);
  expect(acc).toBeGreaterThan(70); // 1,843 training images × 2 epochs; chance is 10%
  await page.getByTestId('train-panel').screenshot({ path: 'test-results/train-panel.png' });
  expect(errors).toEqual([]);
});

test('stopping mid-epoch ends the run, and the editor stays responsive during and after', async ({ page }) => {
  const errors = trackErrors(page);
  await openTrain(page, 'lenet5');
  // Far more epochs than the story lasts on any machine, so the stop always lands mid-run.
  await settings(page, { epochs: '20' });
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-progress')).toBeVisible({ timeout: 60_000 });
  await expect(status(page)).toHaveAttribute('data-status', 'training');

  // While it trains, edit the graph: a Dense layer's units change the parameter total at once.
  const before = await totalParams(page).innerText();
  await selectLayer(page, 'dense');
  await setParam(page, 'units', '100');
  await expect(totalParams(page)).not.toHaveText(before);
  await expect(layerNode(page, 'dense')).toContainText('100');

  await page.getByTestId('tab-train').click();
  await expect(status(page)).toHaveAttribute('data-status', 'training');
  await page.getByTestId('train-pause').click();
  await expect(status(page)).toHaveAttribute('data-status', 'paused');
  await page.getByTestId('train-resume').click();
  await expect(status(page)).toHaveAttribute('data-status', 'training');
  await page.getByTestId('train-stop').click();
  await expect(status(page)).toHaveAttribute('data-status', 'stopped', { timeout: 20_000 });
  const rate = await page.getByTestId('train-rate').innerText();
  expect(parseInt(rate.replace(/,/g, ''), 10)).toBeGreaterThan(0);
  // Stopped mid-run: fewer epoch rows than the 20 asked for, and the Train button is back.
  expect(await page.getByTestId('train-epochs').locator('tbody tr').count()).toBeLessThan(20);
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await selectLayer(page, 'dense');
  await setParam(page, 'units', '120');
  await expect(totalParams(page)).toHaveText(before);
  expect(errors).toEqual([]);
});

test('a dataset/input mismatch is explained and the one-click fixes make the graph trainable', async ({ page }) => {
  await openTrain(page, 'basic-cnn');
  await expect(page.getByTestId('train-issues')).toHaveCount(0); // X/O is its own dataset
  await page.getByTestId('train-dataset').selectOption('mnist');
  const issues = page.getByTestId('train-issues');
  await expect(issues).toContainText('28×28×1');
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await page.getByRole('button', { name: 'Set Input to 28×28×1' }).click();
  await expect(issues).not.toContainText('Input');
  await page.getByRole('button', { name: /units to 10/ }).click();
  await expect(issues).toHaveCount(0);
  await expect(page.getByTestId('train-start')).toBeEnabled();
  // The fixes went through the document: the Input node now shows the new shape.
  await expect(layerNode(page, 'input')).toContainText('28');
});

test('a huge learning rate stops training on a non-finite loss and suggests a lower one', async ({ page }) => {
  await openTrain(page, 'lenet5');
  await settings(page, { limit: '1024', epochs: '2', lr: '1000' });
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-message')).toContainText('lower learning rate', { timeout: 90_000 });
  await expect(status(page)).toHaveAttribute('data-status', 'failed');
  await expect(page.getByTestId('train-start')).toBeEnabled();
});
