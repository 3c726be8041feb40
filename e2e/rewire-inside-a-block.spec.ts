import { expect, test } from '@playwright/test';
import { blockBox, deleteLayer, deleteWire, lenetWithTwoInstances } from './support/blocks';
import { connect, dropLayer, layerNode, totalParams, trackErrors, waitForCanvasAtRest } from './support/editor';

const twoInstances = lenetWithTwoInstances;

test('open a block, cut a wire inside and wire around the pooling: both instances change and the totals follow; add and delete inner layers; undo', async ({ page }) => {
  const errors = trackErrors(page);
  await twoInstances(page);
  const first = 'conv_pool_conv';
  const second = blockBox(page, 'conv_pool_conv_1');
  await blockBox(page, first).getByTestId('block-toggle').click();
  await expect(layerNode(page, `${first}/max_pooling2d`)).toBeVisible();
  await waitForCanvasAtRest(page);

  // Cut max_pooling2d → conv2d_1 inside the opened instance: conv2d_1 has no input, in both instances.
  await deleteWire(page, `${first}/max_pooling2d`, `${first}/conv2d_1`);
  await expect(layerNode(page, `${first}/conv2d_1`)).toHaveAttribute('data-status', 'error');
  await expect(layerNode(page, `${first}/conv2d_1`).getByTestId('node-error').first()).toBeVisible();
  await expect(second).toHaveAttribute('data-status', 'error');
  await expect(page.getByTestId('totals-partial')).toBeVisible();
  await page.screenshot({ path: 'test-results/rewire-block-cut-1440.png' });

  // Wire conv2d → conv2d_1 past the pooling: 28×28×6 in, so 24×24×16 out (5×5 valid).
  await connect(page, `${first}/conv2d`, `${first}/conv2d_1`);
  await expect(layerNode(page, `${first}/conv2d_1`).getByTestId('node-shape')).toHaveText('24×24×16');
  // The second instance is the same block: 24×24×16 → conv2d (same) 24×24×6 → conv2d_1 20×20×16.
  await expect(second).toHaveAttribute('data-status', 'ok');
  await expect(second.getByTestId('node-shape')).toHaveText('20×20×16');
  // Params: 156 + 2,416 (first) + 2,406 + 2,416 (second) + the head after the first instance: max_pooling2d_1
  // 12×12×16 → flatten 2,304 → dense 120 (276,600) → 84 (10,164) → 10 (850) = 295,008.
  await expect(totalParams(page)).toHaveText('295,008');
  await expect(page.getByTestId('totals-partial')).toHaveCount(0);

  // The pooling layer now feeds nothing: delete it from the block (no weights, so the totals stay).
  const gap = (await layerNode(page, `${first}/max_pooling2d`).boundingBox())!;
  await deleteLayer(page, `${first}/max_pooling2d`);
  await expect(second).toContainText('2 layers');
  await expect(totalParams(page)).toHaveText('295,008');

  // Drop a BatchNormalization from the palette into the gap, inside the opened frame: it joins the block, unwired.
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await dropLayer(page, 'BatchNormalization', { x: gap.x + gap.width / 2 - canvas.x, y: gap.y + 30 - canvas.y });
  const bn = `${first}/batch_normalization`;
  await expect(layerNode(page, bn)).toHaveAttribute('data-status', 'error');
  // The other instance has the same unwired layer, and says so on its collapsed box.
  await expect(second).toHaveAttribute('data-status', 'error');
  await expect(second.getByTestId('node-error')).toHaveText('batch_normalization: BatchNorm takes 1 input, has 0');
  await page.screenshot({ path: 'test-results/rewire-block-dropped-1440.png' });

  // Put it between the convs: cut conv2d → conv2d_1, wire conv2d → bn → conv2d_1.
  await deleteWire(page, `${first}/conv2d`, `${first}/conv2d_1`);
  await connect(page, `${first}/conv2d`, bn);
  await connect(page, bn, `${first}/conv2d_1`);
  await expect(layerNode(page, bn)).toHaveAttribute('data-status', 'ok');
  await expect(second).toHaveAttribute('data-status', 'ok');
  await expect(second).toContainText('3 layers');
  // BatchNormalization over 6 channels: 4 × 6 = 24 params, in each instance.
  await expect(totalParams(page)).toHaveText('295,056');
  await page.screenshot({ path: 'test-results/rewire-block-done-1440.png' });

  // The other instance, opened, shows the same wiring.
  await second.getByTestId('block-toggle').click();
  await expect(layerNode(page, 'conv_pool_conv_1/batch_normalization').getByTestId('node-shape')).toHaveText('24×24×6');
  await expect(layerNode(page, 'conv_pool_conv_1/max_pooling2d')).toHaveCount(0);

  // Every edit was one undo step: back through the three wires, the drop, the deletion, the wire and the cut.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  for (let i = 0; i < 4; i++) await page.keyboard.press('Control+z');
  await expect(layerNode(page, bn)).toHaveCount(0);
  await expect(totalParams(page)).toHaveText('295,008');
  await page.keyboard.press('Control+z');
  await expect(layerNode(page, `${first}/max_pooling2d`)).toBeVisible();
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  await expect(totalParams(page)).toHaveText('66,528');
  await expect(second.getByTestId('node-shape')).toHaveText('1×1×16');
  await page.keyboard.press('Control+Shift+z');
  await expect(layerNode(page, `${first}/conv2d_1`)).toHaveAttribute('data-status', 'error');
  expect(errors).toEqual([]);
});

test('a wire refused inside a block says why and changes nothing', async ({ page }) => {
  const errors = trackErrors(page);
  await twoInstances(page);
  await blockBox(page, 'conv_pool_conv').getByTestId('block-toggle').click();
  await expect(layerNode(page, 'conv_pool_conv/conv2d')).toBeVisible();
  await waitForCanvasAtRest(page);
  // conv2d_1 takes one input and max_pooling2d already feeds it.
  await connect(page, 'conv_pool_conv/conv2d', 'conv_pool_conv/conv2d_1');
  await expect(page.getByText('Connection refused: conv2d_1 takes a single input and is already fed by max_pooling2d')).toBeVisible();
  await expect(totalParams(page)).toHaveText('66,528');
  expect(errors).toEqual([]);
});

test('with a layer inside an opened block selected, Enter on a palette kind adds the new layer in the block after it', async ({ page }) => {
  const errors = trackErrors(page);
  await twoInstances(page);
  await blockBox(page, 'conv_pool_conv').getByTestId('block-toggle').click();
  await layerNode(page, 'conv_pool_conv/conv2d').locator('.layer-node-head').click();
  await page.getByTestId('palette-Dropout').press('Enter');
  // Wired from conv2d (28×28×6), in both instances (the second sees 10×10×16 → conv2d 10×10×6).
  await expect(layerNode(page, 'conv_pool_conv/dropout').getByTestId('node-shape')).toHaveText('28×28×6');
  await blockBox(page, 'conv_pool_conv_1').getByTestId('block-toggle').click();
  await expect(layerNode(page, 'conv_pool_conv_1/dropout').getByTestId('node-shape')).toHaveText('10×10×6');
  await expect(totalParams(page)).toHaveText('66,528');
  expect(errors).toEqual([]);
});

test('an opened block being rewired, at 800×600', async ({ page }) => {
  const errors = trackErrors(page);
  await page.setViewportSize({ width: 800, height: 600 });
  await twoInstances(page);
  await blockBox(page, 'conv_pool_conv').getByTestId('block-toggle').click();
  await expect(layerNode(page, 'conv_pool_conv/max_pooling2d')).toBeVisible();
  await waitForCanvasAtRest(page);
  // The "made the block" note dismisses itself; the screenshots should show the canvas.
  await expect(page.getByText(/Made the block/)).toHaveCount(0);
  await deleteWire(page, 'conv_pool_conv/max_pooling2d', 'conv_pool_conv/conv2d_1');
  await expect(layerNode(page, 'conv_pool_conv/conv2d_1')).toHaveAttribute('data-status', 'error');
  await page.screenshot({ path: 'test-results/rewire-block-cut-800.png' });
  await connect(page, 'conv_pool_conv/conv2d', 'conv_pool_conv/conv2d_1');
  await expect(totalParams(page)).toHaveText('295,008');
  await page.screenshot({ path: 'test-results/rewire-block-done-800.png' });
  expect(errors).toEqual([]);
});
