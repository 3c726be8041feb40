import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { openEditor, trackErrors } from './support/editor';
import { openRuns, runCell, runRows, startSmallRun } from './support/runs';

test.setTimeout(300_000);

/** The weights file of a tfjs export (Export menu), as bytes. */
async function exportedWeights(page: Page): Promise<Buffer> {
  const bin = page.waitForEvent('download', { predicate: (d) => d.suggestedFilename().endsWith('.bin') });
  await page.getByTestId('menu-export').click();
  await expect(page.getByTestId('export-tfjs')).toContainText('With the trained weights');
  await page.getByTestId('export-tfjs').click();
  return readFile((await (await bin).path())!);
}

test('train two epochs, reload: the run, its curves and Inspect on the trained weights are all back', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await startSmallRun(page, { limit: '1200', epochs: '2' });
  await expect(page.getByTestId('train-test-acc')).toBeVisible({ timeout: 240_000 });
  await expect(page.getByTestId('train-epochs').locator('tbody tr')).toHaveCount(2);
  const accBefore = await page.getByTestId('train-epochs').locator('tbody tr').nth(1).innerText();
  const weightsBefore = await exportedWeights(page);

  await page.reload();
  await expect(page.getByTestId('toolbar')).toBeVisible();

  // The run is listed as finished with both epochs and its test accuracy.
  await openRuns(page);
  await expect(runRows(page)).toHaveCount(1);
  const row = runRows(page).first();
  await expect(row).toHaveAttribute('data-state', 'finished');
  await expect(runCell(row, 'epochs')).toHaveText('2/2');
  await expect(runCell(row, 'test')).toHaveText(/\d+(\.\d)?%/);
  await expect(runCell(row, 'backend')).toHaveText('wasm');
  await row.getByTestId('runs-pick').check();
  await expect(page.getByTestId('runs-acc-chart').locator('path.recharts-curve')).not.toHaveCount(0);
  await row.click();
  await expect(page.getByTestId('run-detail-weights')).toContainText('Weights kept for epoch');

  // The Train tab shows the run's epochs again.
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-epochs').locator('tbody tr')).toHaveCount(2);
  expect(await page.getByTestId('train-epochs').locator('tbody tr').nth(1).innerText()).toBe(accBefore);

  // Inspect uses the trained weights without training again: feature maps of a test image, and the confusion matrix.
  await page.getByTestId('tab-inspect').click();
  await expect(page.getByTestId('inspect-weights')).toHaveText('Using the trained weights.');
  await page.getByTestId('input-dataset').click();
  await expect(page.getByTestId('fmap-layer-conv2d').getByTestId('fmap-tile')).toHaveCount(6);
  await page.getByTestId('evaluate').click();
  await expect(page.getByTestId('confusion-matrix')).toBeVisible({ timeout: 60_000 });
  expect(parseFloat(await page.getByTestId('test-accuracy').innerText())).toBeGreaterThan(30);

  // Export writes the very weights trained before the reload.
  expect((await exportedWeights(page)).equals(weightsBefore)).toBe(true);
  // The confusion matrix Inspect computed is kept with the run.
  await openRuns(page);
  await runRows(page).first().click();
  await expect(page.getByTestId('run-confusion')).toContainText(/Confusion matrix: \d+ test images/);

  // Deleting only the weights keeps the run and its curves; deleting the run (asked twice) removes it.
  const storage = page.getByTestId('runs-storage');
  const before = await storage.innerText();
  await page.getByTestId('run-delete-weights').click();
  await page.getByTestId('run-delete-weights-yes').click();
  await expect(page.getByTestId('run-detail-weights')).toHaveText('No weights kept (deleted, or not saved).');
  await expect(storage).not.toHaveText(before);
  await expect(runRows(page)).toHaveCount(1);
  await page.getByTestId('run-delete').click();
  await expect(runRows(page)).toHaveCount(1);
  await page.getByTestId('run-delete-yes').click();
  await expect(page.getByTestId('runs-empty')).toBeVisible();
  expect(errors).toEqual([]);
});
