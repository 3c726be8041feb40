import { expect, test } from '@playwright/test';
import { datasetRow, importFile, shapesZip } from './support/datasets';
import { layerNode, openEditor, totalParams, trackErrors } from './support/editor';

test('a corrupt zip gives an error naming the file; the project and the stored datasets stay as they were', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await importFile(page, 'shapes.zip', shapesZip(10));
  await expect(datasetRow(page, 'shapes')).toBeVisible({ timeout: 60_000 });
  const params = await totalParams(page).innerText();
  const nodes = await page.locator('.react-flow__node').count();

  // A real zip cut short: its central directory is gone.
  const good = shapesZip(10, 16, 7);
  await importFile(page, 'broken.zip', good.subarray(0, Math.floor(good.length / 2)));
  const alert = page.getByTestId('data-error');
  await expect(alert).toBeVisible({ timeout: 60_000 });
  await expect(alert).toHaveAttribute('role', 'alert');
  await expect(alert).toContainText('broken.zip');

  await expect(page.getByTestId('data-row')).toHaveCount(1);
  await expect(datasetRow(page, 'shapes')).toBeVisible();
  await expect(page.locator('.react-flow__node')).toHaveCount(nodes);
  await expect(totalParams(page)).toHaveText(params);
  await expect(layerNode(page, 'input')).toContainText('28×28×1');
  // The next import clears the error.
  await importFile(page, 'shapes2.zip', shapesZip(10, 16, 3, 'more'));
  await expect(page.getByTestId('data-row')).toHaveCount(2, { timeout: 60_000 });
  await expect(alert).toHaveCount(0);
  expect(errors).toEqual([]);
});
