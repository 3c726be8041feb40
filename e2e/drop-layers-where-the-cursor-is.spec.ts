import { expect, test } from '@playwright/test';
import { dropLayer, layerNode, openEditor } from './support/editor';

test('on a new canvas a user sees how to start (no problem badge), and dropped layers land under the cursor without covering each other', async ({ page }) => {
  await openEditor(page);
  await page.getByTestId('menu-file').click();
  await page.getByTestId('action-new').click();
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await expect(page.getByTestId('graph-status')).toHaveText('empty canvas');
  await expect(page.getByTestId('graph-status')).not.toHaveClass(/bad/);

  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  const at = { x: 160, y: 120 };
  await dropLayer(page, 'Input', at);
  const first = (await layerNode(page, 'input').boundingBox())!;
  // The layer's header sits under the cursor: the drop point is inside its box, near its top.
  expect(first.x).toBeLessThan(canvas.x + at.x);
  expect(first.x + first.width).toBeGreaterThan(canvas.x + at.x);
  expect(Math.abs(first.y - (canvas.y + at.y))).toBeLessThan(40);

  // Dropped on top of the first, the second steps down past it instead of hiding it.
  await dropLayer(page, 'Conv2D', { x: at.x + 10, y: at.y + 10 });
  const second = (await layerNode(page, 'conv2d').boundingBox())!;
  expect(second.y).toBeGreaterThanOrEqual(first.y + first.height);
  expect(Math.abs(second.x - first.x - 10)).toBeLessThan(4);
});
