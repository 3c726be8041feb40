import { expect, test } from '@playwright/test';
import { datasetRow, importFile, trainAndReadTestAccuracy, SERIES_CLASSES, seriesNpz } from './support/datasets';
import { openEditor, trackErrors } from './support/editor';

test.setTimeout(240_000);

test('import an .npz of 1-D series, see them plotted, and train the Conv1D preset on it', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=conv1d-timeseries');
  await importFile(page, 'waves.npz', seriesNpz(200));

  await expect(datasetRow(page, 'waves')).toBeVisible({ timeout: 60_000 });
  const preview = page.getByTestId('data-preview');
  await expect(preview.getByTestId('data-preview-shape')).toContainText('128×1 (series, float32)');
  await expect(preview.getByTestId('data-example-row')).toHaveCount(SERIES_CLASSES.length);
  await expect(preview.getByTestId('data-examples').locator('svg.data-plot polyline').first()).toHaveAttribute('points', /\d/);
  // The preset ends in 4 waveform classes; this set has 3.
  const fix = preview.getByTestId('data-fix');
  await expect(fix).toHaveCount(1);
  await expect(fix).toHaveText(/units to 3$/);
  await fix.click();
  await expect(fix).toHaveCount(0);

  await preview.getByTestId('data-train').click();
  await expect(page.getByTestId('train-dataset').locator('option:checked')).toHaveText('waves (128×1, 3 classes)');
  await expect(page.getByTestId('train-aug-flip')).toBeDisabled();
  const acc = await trainAndReadTestAccuracy(page, { epochs: '8', batch: '32', lr: '0.005' });
  expect(acc).toBeGreaterThan(60); // 3 classes: chance is 33%
  expect(errors).toEqual([]);
});
