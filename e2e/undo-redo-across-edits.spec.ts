import { expect, test } from '@playwright/test';
import { dropLayer, layerNode, openEditor, selectLayer, setParam, totalParams, trackErrors } from './support/editor';

test('undo and redo walk back and forth across several kinds of edit, one step each', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');
  const undo = page.getByTestId('undo');
  const redo = page.getByTestId('redo');
  await expect(undo).toBeDisabled();

  // 1. a param edit: dense 120 → 100 units (400·100+100 + 100·84+84 = 48,584 instead of 58,284).
  await selectLayer(page, 'dense');
  await setParam(page, 'units', '100');
  await expect(totalParams(page)).toHaveText('52,006');
  // 2. a rename
  await page.getByTestId('layer-name').fill('fc1');
  await page.getByTestId('layer-name').press('Enter');
  await expect(layerNode(page, 'fc1')).toBeVisible();
  // 3. a drag (one step however far it goes)
  const box = (await layerNode(page, 'dense_2').boundingBox())!;
  await page.mouse.move(box.x + 60, box.y + 12);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + 60 + i * 20, box.y + 12 + i * 5);
  await page.mouse.up();
  const moved = (await layerNode(page, 'dense_2').boundingBox())!;
  expect(moved.x).toBeGreaterThan(box.x + 150);
  // 4. a deletion, by keyboard
  await layerNode(page, 'dense_2').locator('.layer-node-head').click();
  await page.keyboard.press('Delete');
  await expect(layerNode(page, 'dense_2')).toHaveCount(0);
  await expect(totalParams(page)).toHaveText('51,156');
  // 5. an added layer
  await dropLayer(page, 'Dropout', { x: 650, y: 400 });

  await expect(page.locator('.react-flow__node')).toHaveCount(9);
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z'); // 5
  await expect(page.locator('.react-flow__node')).toHaveCount(8);
  await page.keyboard.press('Control+z'); // 4
  await expect(layerNode(page, 'dense_2')).toBeVisible();
  await expect(totalParams(page)).toHaveText('52,006');
  await undo.click(); // 3
  await expect.poll(async () => Math.round((await layerNode(page, 'dense_2').boundingBox())!.x)).toBe(Math.round(box.x));
  await undo.click(); // 2
  await expect(layerNode(page, 'dense')).toBeVisible();
  await expect(layerNode(page, 'fc1')).toHaveCount(0);
  await undo.click(); // 1
  await expect(totalParams(page)).toHaveText('61,706');
  await expect(undo).toBeDisabled();

  await redo.click();
  await expect(totalParams(page)).toHaveText('52,006');
  await page.keyboard.press('Control+Shift+z');
  await expect(layerNode(page, 'fc1')).toBeVisible();
  await page.keyboard.press('Control+y');
  await expect.poll(async () => Math.round((await layerNode(page, 'dense_2').boundingBox())!.x)).toBe(Math.round(moved.x));
  await redo.click();
  await expect(layerNode(page, 'dense_2')).toHaveCount(0);
  await expect(totalParams(page)).toHaveText('51,156');

  // Typing a number key by key is one undo step.
  await selectLayer(page, 'dense_1');
  await page.getByTestId('param-units').fill('');
  await page.getByTestId('param-units').pressSequentially('42', { delay: 60 });
  await expect(totalParams(page)).toHaveText('46,914');
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await expect(totalParams(page)).toHaveText('51,156');
  expect(errors).toEqual([]);
});
