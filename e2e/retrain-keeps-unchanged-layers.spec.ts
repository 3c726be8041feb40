import { expect, test } from '@playwright/test';
import { selectLayer, setParam, trackErrors } from './support/editor';
import { openRuns, runRows } from './support/runs';
import { openTrain, settings } from './support/train';

test.setTimeout(480_000);

test('after changing the last hidden Dense layer, retrain from the trained weights of the unchanged layers', async ({ page }) => {
  const errors = trackErrors(page);
  await openTrain(page, 'lenet5');
  await settings(page, { limit: '1500', epochs: '1' });
  await page.getByTestId('train-backend').selectOption('wasm');
  // No trained weights yet: nothing to start from.
  await expect(page.getByTestId('train-carry')).toHaveCount(0);
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-test-acc')).toBeVisible({ timeout: 360_000 });
  await expect(page.getByTestId('train-carry')).toHaveCount(0); // the design the weights are of: nothing changed

  // The last hidden Dense layer (84 units) gets 100: it and the output layer after it no longer fit the old weights.
  await selectLayer(page, 'dense_1');
  await setParam(page, 'units', '100');
  await page.getByTestId('tab-train').click();
  const option = page.getByTestId('train-carry');
  await expect(option).toBeVisible();
  await expect(page.getByTestId('train-carry-summary')).toContainText('3 layers kept, 2 fresh');
  await expect(page.getByTestId('train-carry-summary')).toContainText('kept: conv2d, conv2d_1, dense');
  await expect(page.getByTestId('train-carry-summary')).toContainText('fresh: dense_1 (params changed), dense_2 (input shape changed)');
  await expect(option).toHaveAttribute('data-kept', 'conv2d,conv2d_1,dense');
  await expect(option).toHaveAttribute('data-fresh', 'dense_1,dense_2');
  await page.getByTestId('train-carry-check').check();
  await option.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/retrain-option-1440.png' });
  await page.setViewportSize({ width: 800, height: 600 });
  await option.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/retrain-option-800.png' });
  await page.setViewportSize({ width: 1440, height: 900 });

  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-test-acc')).toBeVisible({ timeout: 360_000 });
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'done');
  // The run just trained is of this design: nothing left to carry over.
  await expect(page.getByTestId('train-carry')).toHaveCount(0);

  // The run record says which layers started from trained weights, and from which run.
  await openRuns(page);
  await expect(runRows(page)).toHaveCount(2);
  await runRows(page).first().click();
  const carried = page.getByTestId('run-detail-carry');
  await expect(carried).toHaveAttribute('data-kept', 'conv2d,conv2d_1,dense');
  await expect(carried).toHaveAttribute('data-fresh', 'dense_1,dense_2');
  await expect(carried).toContainText('Started from the trained weights of 3 unchanged layers of “LeNet-5 · run 1”');
  await expect(carried).toContainText('2 started fresh (dense_1: params changed, dense_2: input shape changed)');
  await page.screenshot({ path: 'test-results/retrain-run-detail-1440.png' });
  // The first run was a fresh start: its record says nothing of the kind.
  await runRows(page).nth(1).click();
  await expect(page.getByTestId('run-detail-carry')).toHaveCount(0);
  expect(errors).toEqual([]);
});
