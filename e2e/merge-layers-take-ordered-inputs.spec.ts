import { expect, test } from '@playwright/test';
import { connect, dropLayer, layerNode, openEditor, selectLayer, setParam, trackErrors, waitForCanvasAtRest } from './support/editor';

test('a merge layer takes several inputs in order, one numbered handle each plus a free one', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page);
  // Input, then two branches appended to it from the palette (double-click adds after the selected layer, wired).
  await page.getByTestId('palette-Input').dblclick();
  await expect(layerNode(page, 'input')).toBeVisible();
  await page.getByTestId('palette-Conv2D').dblclick();
  await selectLayer(page, 'input');
  await page.getByTestId('palette-Conv2D').dblclick();
  await expect(layerNode(page, 'conv2d_1')).toBeVisible();
  await setParam(page, 'filters', '8');
  await page.getByTestId('fit-view').click();
  await waitForCanvasAtRest(page);

  await dropLayer(page, 'Concatenate', { x: 420, y: 640 });
  const concat = layerNode(page, 'concatenate');
  await expect(concat.locator('.react-flow__handle.target')).toHaveCount(2);
  await connect(page, 'conv2d_1', 'concatenate', 0);
  await expect(concat.locator('.react-flow__handle.target')).toHaveCount(2);
  await connect(page, 'conv2d', 'concatenate', 1);
  await expect(concat.locator('.react-flow__handle.target')).toHaveCount(3);

  // 28×28×1 → two 3×3 valid convs with 8 and 32 filters, stacked on the channel axis in slot order.
  await expect(concat.getByTestId('node-shape')).toHaveText('26×26×40');
  await selectLayer(page, 'concatenate');
  await expect(page.getByTestId('ordered-inputs').locator('li')).toHaveText(['conv2d_1 26×26×8', 'conv2d 26×26×32']);
  expect(errors).toEqual([]);
});
