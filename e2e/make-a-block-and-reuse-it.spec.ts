import { expect, test, type Page } from '@playwright/test';
import { layerNode, openEditor, totalParams, trackErrors, waitForCanvasAtRest } from './support/editor';

const block = (page: Page, name: string) => page.getByTestId(`block-${name}`);

test('select three layers, make a block, place a second instance, edit the block once and both follow; undo', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');
  await waitForCanvasAtRest(page);

  // conv2d (6@5×5 same) → max_pooling2d → conv2d_1 (16@5×5 valid), picked with Ctrl+click.
  await layerNode(page, 'conv2d').locator('.layer-node-head').click();
  await layerNode(page, 'max_pooling2d').locator('.layer-node-head').click({ modifiers: ['Control'] });
  await layerNode(page, 'conv2d_1').locator('.layer-node-head').click({ modifiers: ['Control'] });
  await page.getByTestId('make-block').click();
  await page.getByTestId('make-block-name').fill('Conv pool conv');
  await page.screenshot({ path: 'test-results/blocks-make-dialog.png' });
  await page.getByTestId('make-block-confirm').click();

  await expect(block(page, 'conv_pool_conv')).toBeVisible();
  await expect(layerNode(page, 'conv2d')).toHaveCount(0);
  await expect(block(page, 'conv_pool_conv').getByTestId('node-shape')).toHaveText('10×10×16');
  // The network did not change.
  await expect(totalParams(page)).toHaveText('61,706');

  // A second instance from the palette, appended after the selected first one (Enter on the palette entry).
  await block(page, 'conv_pool_conv').locator('.block-node-head').click();
  await page.getByTestId('palette-block-Conv pool conv').press('Enter');
  await expect(block(page, 'conv_pool_conv_1')).toBeVisible();
  // 10×10×16 in: conv 6@5×5 same (5·5·16·6 + 6 = 2,406), pool, conv 16@5×5 valid (5·5·6·16 + 16 = 2,416).
  await expect(totalParams(page)).toHaveText('66,528');
  await expect(block(page, 'conv_pool_conv_1').getByTestId('node-shape')).toHaveText('1×1×16');

  // Edit the block from the first instance: its first conv loses its bias, in both instances (one edit, one undo step).
  await block(page, 'conv_pool_conv').locator('.block-node-head').click();
  await page.getByTestId('tab-layer').click();
  await page.getByTestId('edit-block').click();
  await expect(block(page, 'conv_pool_conv')).toHaveAttribute('data-expanded', 'true');
  await expect(page.getByTestId('block-edit-note')).toContainText('every instance follows');
  await page.getByTestId('param-useBias').uncheck();
  // 6 biases fewer in each instance's first conv: 156 → 150 and 2,406 → 2,400.
  await expect(totalParams(page)).toHaveText('66,516');
  await expect(layerNode(page, 'conv_pool_conv/conv2d').getByTitle('150 params')).toBeVisible();
  await page.screenshot({ path: 'test-results/blocks-edit-1440.png' });

  // The second instance, opened, shows the same edited layer.
  await block(page, 'conv_pool_conv_1').getByTestId('block-toggle').click();
  await expect(layerNode(page, 'conv_pool_conv_1/conv2d').getByTitle('2,400 params')).toBeVisible();
  // Collapse both again.
  await block(page, 'conv_pool_conv').getByTestId('block-toggle').click();
  await block(page, 'conv_pool_conv_1').getByTestId('block-toggle').click();
  await expect(layerNode(page, 'conv_pool_conv_1/conv2d')).toHaveCount(0);
  await expect(block(page, 'conv_pool_conv_1')).toHaveAttribute('data-expanded', 'false');

  // Undo the definition edit: both instances have their biases back.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await expect(totalParams(page)).toHaveText('66,528');
  await block(page, 'conv_pool_conv_1').getByTestId('block-toggle').click();
  await expect(layerNode(page, 'conv_pool_conv_1/conv2d').getByTitle('2,406 params')).toBeVisible();
  // Undo the wire, the second instance and the block itself: the original LeNet-5.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  await expect(block(page, 'conv_pool_conv_1')).toHaveCount(0);
  await page.keyboard.press('Control+z');
  await expect(totalParams(page)).toHaveText('61,706');
  await expect(layerNode(page, 'conv2d')).toBeVisible();
  await expect(block(page, 'conv_pool_conv')).toHaveCount(0);
  expect(errors).toEqual([]);
});

for (const size of [
  { width: 1440, height: 900 },
  { width: 800, height: 600 },
]) {
  test(`ResNet-50 opens collapsed into blocks, fits one ${size.width}×${size.height} screen, with the published total`, async ({ page }) => {
    const errors = trackErrors(page);
    await page.setViewportSize(size);
    await openEditor(page, '/?preset=resnet50');
    await expect(totalParams(page)).toHaveText('25,636,712');
    await waitForCanvasAtRest(page);
    const boxes = page.locator('.react-flow__node');
    await expect(boxes).toHaveCount(25);
    if (size.width < 1000) {
      // A small screen opens at a readable zoom; Fit view (F) then shows the whole network at once.
      await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('f');
      await waitForCanvasAtRest(page);
    }
    await expect(page.locator('[data-testid^="block-conv"]')).toHaveCount(16);
    // Every box lies inside the canvas: nothing to scroll to (at the laptop size, as it opened).
    const canvas = (await page.locator('.react-flow').boundingBox())!;
    for (const b of await boxes.all()) {
      const r = (await b.boundingBox())!;
      expect(r.x >= canvas.x - 1 && r.y >= canvas.y - 1 && r.x + r.width <= canvas.x + canvas.width + 1 && r.y + r.height <= canvas.y + canvas.height + 1).toBe(true);
    }
    await page.screenshot({ path: `test-results/blocks-resnet50-${size.width}.png` });
    // Opening one instance shows its layers as a group.
    if (size.width === 1440) {
      await block(page, 'conv3_block1').getByTestId('block-toggle').click();
      await expect(layerNode(page, 'conv3_block1/1_conv')).toBeVisible();
      await expect(layerNode(page, 'conv3_block1/0_conv').locator('.layer-node-summary')).toContainText('512');
      await page.screenshot({ path: 'test-results/blocks-resnet50-open.png' });
    }
    expect(errors).toEqual([]);
  });
}
