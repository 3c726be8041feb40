import { expect, test } from '@playwright/test';
import { datasetRow, importFile, trainAndReadTestAccuracy, shapesZip } from './support/datasets';
import { layerNode, openEditor, trackErrors } from './support/editor';

test.setTimeout(240_000);

test('import a zipped image folder, see each class, fix the Input in one click, train and see test accuracy', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  // LeNet-5's Input is 28×28×1; keep the files' own 16×16 RGB so the Input needs fixing.
  await page.getByTestId('tab-data').click();
  await page.getByTestId('data-options').locator('summary').click();
  await page.getByTestId('data-size').selectOption('files');
  await importFile(page, 'shapes.zip', shapesZip(100));

  await expect(datasetRow(page, 'shapes')).toBeVisible({ timeout: 60_000 });
  const preview = page.getByTestId('data-preview');
  await expect(preview.getByTestId('data-preview-shape')).toContainText('16×16×3');
  await expect(preview.getByTestId('data-preview-split')).toContainText('240 train / 60 test');
  await expect(preview.getByTestId('data-class-chart').locator('.recharts-bar-rectangle')).toHaveCount(6);
  const rows = preview.getByTestId('data-example-row');
  await expect(rows).toHaveCount(3);
  await expect(rows.filter({ hasText: 'circle' }).locator('canvas')).toHaveCount(8);
  await expect(datasetRow(page, 'shapes')).toContainText('300');

  // What the user sees, at the top of the panel and scrolled to the list, on a large and a small window.
  const shoot = async (name: string) => {
    await page.screenshot({ path: `test-results/${name}-top.png` });
    await datasetRow(page, 'shapes').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `test-results/${name}-list.png` });
    await page.getByTestId('data-panel').evaluate((el) => el.parentElement!.scrollTo(0, 0));
  };
  await shoot('data-panel-1440');
  await page.setViewportSize({ width: 800, height: 600 });
  await shoot('data-panel-800');
  await page.setViewportSize({ width: 1440, height: 900 });

  await preview.getByRole('button', { name: 'Set Input to 16×16×3' }).click();
  await expect(layerNode(page, 'input')).toContainText('16×16×3');
  await preview.getByRole('button', { name: 'Set dense_2 units to 3' }).click();
  await expect(preview.getByTestId('data-fix')).toHaveCount(0);

  await preview.getByTestId('data-train').click();
  await expect(page.getByTestId('train-panel')).toBeVisible();
  await expect(page.getByTestId('train-dataset')).toHaveValue(/^user-/);
  await expect(page.getByTestId('train-dataset').locator('option:checked')).toHaveText('shapes (16×16×3, 3 classes)');
  await expect(page.getByTestId('train-aug-flip')).toBeEnabled();
  const acc = await trainAndReadTestAccuracy(page, { epochs: '8', batch: '16', lr: '0.003' });
  expect(acc).toBeGreaterThan(60); // 3 classes: chance is 33%
  expect(errors).toEqual([]);
});
