import { expect, test } from '@playwright/test';
import { datasetRow, shapesZip } from './support/datasets';
import { openEditor, trackErrors } from './support/editor';

test('a dataset zip dropped on the canvas goes to the dataset import, not the project import', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  const nodes = await page.locator('.react-flow__node').count();
  const bytes = [...shapesZip(8)];
  const dataTransfer = await page.evaluateHandle((b) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], 'dropped.zip', { type: 'application/zip' }));
    return dt;
  }, bytes);
  await page.getByTestId('canvas').dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId('canvas').dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId('data-panel')).toBeVisible();
  await expect(datasetRow(page, 'dropped')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('data-preview-shape')).toContainText('28×28×1');
  await expect(page.locator('.react-flow__node')).toHaveCount(nodes);
  await expect(page.getByTestId('toast')).toHaveCount(0);
  expect(errors).toEqual([]);
});
