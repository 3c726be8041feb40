import { expect, test } from '@playwright/test';
import { datasetRow, importFile, openDataTab, shapesZip } from './support/datasets';
import { openEditor, trackErrors } from './support/editor';

test('a dataset imported before a reload is still listed, previewed and offered for training after it', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await importFile(page, 'shapes.zip', shapesZip(20));
  await expect(datasetRow(page, 'shapes')).toBeVisible({ timeout: 60_000 });
  // "match the Input layer" (the default) converted the 16×16 RGB images to LeNet-5's 28×28×1.
  await expect(page.getByTestId('data-preview-shape')).toContainText('28×28×1');

  await page.reload();
  await expect(page.getByTestId('toolbar')).toBeVisible();
  await openDataTab(page);
  const row = datasetRow(page, 'shapes');
  await expect(row).toBeVisible();
  await expect(row).toContainText('60');
  await expect(row).toContainText('28×28×1');
  await expect(page.getByTestId('data-storage')).toContainText('used');
  await row.getByRole('button', { name: 'shapes', exact: true }).click();
  await expect(page.getByTestId('data-examples').locator('canvas')).toHaveCount(24);

  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-dataset').locator('option', { hasText: 'shapes (28×28×1, 3 classes)' })).toHaveCount(1);
  expect(errors).toEqual([]);
});
