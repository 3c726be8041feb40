import { expect, test } from '@playwright/test';
import { openEditor, trackErrors } from './support/editor';
import { openRuns, runCell, runRows } from './support/runs';
import { settings } from './support/train';

test.setTimeout(300_000);

test('the training worker dies after epoch 1: the run is marked interrupted with epoch 1 kept, and resumes to the end', async ({ page }) => {
  const errors = trackErrors(page);
  // `e2e-hooks` lets the story kill the worker the way a crash or the browser's memory killer would: without a word.
  await openEditor(page, '/?preset=lenet5&e2e-hooks');
  await page.evaluate(() => window.__convasTest!.killTrainingWorker({ afterEpoch: 1 }));
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-panel')).toBeVisible({ timeout: 30_000 });
  await settings(page, { limit: '600', epochs: '3' });
  await page.getByTestId('train-backend').selectOption('wasm');
  await page.getByTestId('train-start').click();

  // The worker is gone right after reporting epoch 1; the page only notices its silence.
  await page.waitForFunction(() => window.__convasTest!.workerKilled, undefined, { timeout: 180_000 });
  const silent = page.getByTestId('train-silent');
  await expect(silent).toBeVisible({ timeout: 60_000 });
  await expect(silent).toContainText('has not answered since');
  await page.screenshot({ path: 'test-results/worker-silent-1440.png' });
  await silent.getByTestId('train-silent-give-up').click();

  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'interrupted');
  const message = page.getByTestId('train-message');
  await expect(message).toContainText('Training stopped: the training worker did not answer');
  await expect(message).toContainText('Everything up to epoch 1 is kept');
  await expect(page.getByTestId('train-silent')).toHaveCount(0);
  const resumeHere = page.getByTestId('train-resume-run');
  await expect(resumeHere).toContainText('from epoch 2');
  await page.getByTestId('train-message').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/worker-interrupted-1440.png' });
  await page.setViewportSize({ width: 800, height: 600 });
  await page.getByTestId('train-message').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/worker-interrupted-800.png' });
  await page.setViewportSize({ width: 1440, height: 900 });

  // The Runs tab says the same, without a reload.
  await openRuns(page);
  await expect(runRows(page)).toHaveCount(1);
  const row = runRows(page).first();
  await expect(row).toHaveAttribute('data-state', 'interrupted');
  await expect(runCell(row, 'epochs')).toHaveText('1/3');
  await row.click();
  await expect(page.getByTestId('run-detail-weights')).toContainText('Weights kept for epoch 1');
  await expect(page.getByTestId('run-interrupted')).toContainText('Everything up to epoch 1 is kept');
  await expect(page.getByTestId('run-detail')).toContainText('The training worker did not answer');
  await page.screenshot({ path: 'test-results/worker-interrupted-runs-1440.png' });

  // Inspect works on the epoch-1 weights meanwhile.
  await page.getByTestId('tab-inspect').click();
  await expect(page.getByTestId('inspect-weights')).toHaveText('Using the trained weights.', { timeout: 60_000 });

  // Resume from the Train tab: a new worker trains epochs 2 and 3 of the same run.
  await page.getByTestId('tab-train').click();
  await page.getByTestId('train-resume-run').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  const epochRows = page.getByTestId('train-epochs').locator('tbody tr');
  await expect(epochRows).toHaveCount(3);
  await expect(epochRows.nth(2).locator('td').first()).toHaveText('3');
  await expect(page.getByTestId('train-test-acc')).toBeVisible();

  await openRuns(page);
  await expect(runRows(page)).toHaveCount(1);
  await expect(runRows(page).first()).toHaveAttribute('data-state', 'finished');
  await expect(runCell(runRows(page).first(), 'epochs')).toHaveText('3/3');
  await runRows(page).first().click();
  await expect(page.getByTestId('run-detail')).toContainText('resumed 1×');
  expect(errors).toEqual([]);
});
