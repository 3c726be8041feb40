import { expect, test, type Page } from '@playwright/test';
import { blockBox, blockIn, blockOut, contextMenuOn, deleteWire, lenetWithTwoInstances, wireHandles } from './support/blocks';
import { connect, dropLayer, layerNode, totalParams, trackErrors, waitForCanvasAtRest } from './support/editor';

const FIRST = 'conv_pool_conv';
const SECOND = 'conv_pool_conv_1';
const NESTED = `${FIRST}/bn_relu`;

async function dismissToasts(page: Page): Promise<void> {
  const toasts = page.getByTestId('toast');
  for (let n = await toasts.count(); n > 0; n--) {
    await toasts.first().getByRole('button', { name: 'Dismiss' }).click();
    await expect(toasts).toHaveCount(n - 1);
  }
}

/**
 * LeNet-5 with the block “Conv pool conv” twice (see lenetWithTwoInstances), a second block “BN relu” made of a
 * BatchNormalization and an Activation, and one instance of it dropped, unwired, inside the opened first instance.
 */
async function nestedBlockInOpenedInstance(page: Page): Promise<void> {
  await lenetWithTwoInstances(page);
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await dropLayer(page, 'BatchNormalization', { x: canvas.width - 200, y: 80 });
  await dropLayer(page, 'Activation', { x: canvas.width - 200, y: 220 });
  await connect(page, 'batch_normalization', 'activation');
  await layerNode(page, 'batch_normalization').locator('.layer-node-head').click();
  await layerNode(page, 'activation').locator('.layer-node-head').click({ modifiers: ['Control'] });
  await page.getByTestId('make-block').click();
  await page.getByTestId('make-block-name').fill('BN relu');
  await page.getByTestId('make-block-confirm').click();
  // The instance made in their place is not needed on the main canvas: the block stays in the palette.
  const menu = await contextMenuOn(page, blockBox(page, 'bn_relu'));
  await menu.getByTestId('context-delete').click();
  await expect(blockBox(page, 'bn_relu')).toHaveCount(0);
  await expect(totalParams(page)).toHaveText('66,528');

  await blockBox(page, FIRST).getByTestId('block-toggle').click();
  await expect(page.getByText(/Made the block/)).toHaveCount(0);
  await waitForCanvasAtRest(page);
  const pool = (await layerNode(page, `${FIRST}/max_pooling2d`).boundingBox())!;
  const canvasNow = (await page.getByTestId('canvas').boundingBox())!;
  await page.getByTestId('palette-block-BN relu').dragTo(page.getByTestId('canvas'), { targetPosition: { x: pool.x + pool.width / 2 - canvasNow.x, y: pool.y + 40 - canvasNow.y } });
  await expect(blockBox(page, NESTED)).toBeVisible();
  await waitForCanvasAtRest(page);
  // Beside the pooling, so that the wires through it can be seen (and clicked).
  const nested = blockBox(page, NESTED);
  const from = (await nested.boundingBox())!;
  const head = (await nested.locator('.block-node-head').boundingBox())!;
  const [x0, y0] = [head.x + 20, head.y + head.height / 2];
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x0 + 6, y0 + 4, { steps: 2 });
  await page.mouse.move(x0 + pool.x + pool.width + 40 - from.x, y0 + pool.y + 50 - from.y, { steps: 6 });
  await page.mouse.up();
  await waitForCanvasAtRest(page);
}

test('wire a block nested in an opened block, then give the block an input and an output from the canvas; both instances follow; undo', async ({ page }) => {
  const errors = trackErrors(page);
  await nestedBlockInOpenedInstance(page);
  const second = blockBox(page, SECOND);
  // Unwired, the nested block says so on both instances of the outer one.
  await expect(second).toHaveAttribute('data-status', 'error');
  await expect(second.getByTestId('node-error')).toHaveText(`input “in” of ${SECOND}/bn_relu is not connected`);

  // max_pooling2d → bn_relu → conv2d_1 instead of max_pooling2d → conv2d_1.
  await deleteWire(page, `${FIRST}/max_pooling2d`, `${FIRST}/conv2d_1`);
  await wireHandles(page, layerNode(page, `${FIRST}/max_pooling2d`).locator('.react-flow__handle.source'), blockIn(page, NESTED));
  await expect(blockBox(page, NESTED).getByTestId('node-shape')).toHaveText('14×14×6');
  await wireHandles(page, blockOut(page, NESTED), layerNode(page, `${FIRST}/conv2d_1`).locator('.react-flow__handle[data-handleid="in-0"]'));
  await expect(layerNode(page, `${FIRST}/conv2d_1`).getByTestId('node-shape')).toHaveText('10×10×16');
  // BatchNormalization over 6 channels in each instance: 2 × 24 params more; the second instance is whole again.
  await expect(totalParams(page)).toHaveText('66,576');
  await expect(second).toHaveAttribute('data-status', 'ok');
  await expect(second.getByTestId('node-shape')).toHaveText('1×1×16');
  await page.screenshot({ path: 'test-results/nested-block-wired-1440.png' });

  // A second wire into the nested block's only input is refused with the usual message, and changes nothing.
  await wireHandles(page, layerNode(page, `${FIRST}/conv2d`).locator('.react-flow__handle.source'), blockIn(page, NESTED));
  await expect(page.getByText('Connection refused: input 1 of bn_relu is already connected')).toBeVisible();
  await expect(totalParams(page)).toHaveText('66,576');
  // The block cannot go inside itself.
  const pool = (await layerNode(page, `${FIRST}/max_pooling2d`).boundingBox())!;
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await page.getByTestId('palette-block-Conv pool conv').dragTo(page.getByTestId('canvas'), { targetPosition: { x: pool.x + 30 - canvas.x, y: pool.y + 20 - canvas.y } });
  await expect(page.getByText('Not added to the block: block "Conv pool conv" cannot be used inside itself')).toBeVisible();
  // Errors stay until dismissed.
  await dismissToasts(page);

  // conv2d_1 is fed: the menu says why it cannot take a block input.
  let menu = await contextMenuOn(page, layerNode(page, `${FIRST}/conv2d_1`));
  await expect(menu.getByTestId('context-add-block-input')).toBeDisabled();
  await expect(menu.getByTestId('context-add-block-input')).toContainText('conv2d_1 takes a single input and is already fed by bn_relu');
  await page.keyboard.press('Escape');

  // A side path: a BatchNormalization dropped into the block, fed by a new block input and giving a new block output.
  const gap = (await layerNode(page, `${FIRST}/conv2d`).boundingBox())!;
  await dropLayer(page, 'BatchNormalization', { x: gap.x + gap.width + 60 - canvas.x, y: gap.y + 20 - canvas.y });
  const side = layerNode(page, `${FIRST}/batch_normalization`);
  await expect(side).toBeVisible();
  await waitForCanvasAtRest(page);
  menu = await contextMenuOn(page, side);
  await page.screenshot({ path: 'test-results/nested-block-port-menu-1440.png' });
  await menu.getByTestId('context-add-block-input').click();
  // Every instance has the new input, unconnected, and says so.
  await expect(blockIn(page, SECOND, 1)).toBeVisible();
  await expect(second.getByTestId('node-error')).toHaveText(`input “in2” of ${SECOND} is not connected`);
  await expect(blockBox(page, FIRST)).toHaveAttribute('data-status', 'error');
  // The status bar's list names them too, under the instances, next to what they leave unfed inside.
  await page.getByTestId('graph-status').click();
  const list = page.getByTestId('problems-list');
  await expect(list).toContainText(`input “in2” of ${SECOND} is not connected`);
  await expect(list).toContainText(`input “in2” of ${FIRST} is not connected`);
  await page.keyboard.press('Escape');
  await expect(list).toBeHidden();
  // The Train panel will not start a network that is not the one drawn.
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-issues')).toContainText(`Input “in2” of ${SECOND} is not connected.`);
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await page.screenshot({ path: 'test-results/nested-block-unwired-train-1440.png' });
  await page.getByTestId('tab-layer').click();
  menu = await contextMenuOn(page, side);
  await expect(menu.getByTestId('context-add-block-input')).toBeDisabled();
  await menu.getByTestId('context-add-block-output').click();
  await expect(blockOut(page, SECOND, 1)).toBeVisible();

  // Wired on the main canvas: the Input into the first instance's new input; collapsed, the first instance into the second's.
  await waitForCanvasAtRest(page);
  await wireHandles(page, layerNode(page, 'input').locator('.react-flow__handle.source'), blockIn(page, FIRST, 1));
  await blockBox(page, FIRST).getByTestId('block-toggle').click();
  await waitForCanvasAtRest(page);
  await wireHandles(page, blockOut(page, FIRST), blockIn(page, SECOND, 1));
  await expect(second).toHaveAttribute('data-status', 'ok');
  await expect(blockBox(page, FIRST)).toHaveAttribute('data-status', 'ok');
  // The side BatchNormalization over 1 channel (28×28×1) in the first, 16 channels (10×10×16) in the second: 4 + 64.
  await expect(totalParams(page)).toHaveText('66,644');
  await page.screenshot({ path: 'test-results/nested-block-ports-1440.png' });

  // The project file holds the ports.
  await page.getByTestId('menu-file').click();
  const download = page.waitForEvent('download');
  await page.getByTestId('action-export').click();
  const file = JSON.parse(await (await import('node:fs/promises')).readFile((await (await download).path())!, 'utf8')) as {
    blocks: Array<{ name: string; inputs: Array<{ name: string }>; outputs: Array<{ name: string }> }>;
  };
  const def = file.blocks.find((b) => b.name === 'Conv pool conv')!;
  expect(def.inputs.map((p) => p.name)).toEqual(['in', 'in2']);
  expect(def.outputs.map((p) => p.name)).toEqual(['out', 'out2']);

  // Removing the new input from the Block inspector takes its two wires with it, on both instances.
  await second.locator('.block-node-head').click();
  await page.getByTestId('tab-layer').click();
  await expect(page.getByTestId('block-port-input-1')).toContainText('in2 → batch_normalization');
  await page.getByTestId('remove-port-input-1').click();
  await expect(page.getByText('Removed the input “in2” of “Conv pool conv” and the 2 wires to it.')).toBeVisible();
  await expect(blockIn(page, SECOND, 1)).toHaveCount(0);
  await expect(second.getByTestId('node-error')).toHaveText('batch_normalization: BatchNorm takes 1 input, has 0');
  await expect(page.getByTestId('remove-port-output-0')).toBeEnabled();

  // Undo brings the input back with its wires; further undos walk back through every edit, one step each.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await expect(second).toHaveAttribute('data-status', 'ok');
  await expect(totalParams(page)).toHaveText('66,644');
  await blockBox(page, FIRST).getByTestId('block-toggle').click();
  await expect(side).toBeVisible();
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  await expect(second.getByTestId('node-error')).toHaveText(`input “in2” of ${SECOND} is not connected`);
  await page.keyboard.press('Control+z');
  await expect(blockOut(page, SECOND, 1)).toHaveCount(0);
  await page.keyboard.press('Control+z');
  await expect(blockIn(page, SECOND, 1)).toHaveCount(0);
  await page.keyboard.press('Control+z');
  await expect(side).toHaveCount(0);
  await expect(totalParams(page)).toHaveText('66,576');
  // The wire out of the nested block, the wire into it and the cut: the block as it was, nested block unwired.
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  await expect(blockBox(page, NESTED).getByTestId('node-error')).toHaveText(`input “in” of ${NESTED} is not connected`);
  await page.keyboard.press('Control+z');
  await expect(second.getByTestId('node-error')).toHaveText(`input “in” of ${SECOND}/bn_relu is not connected`);
  // The unwired layers are left out of the totals, which say so.
  await expect(totalParams(page)).toHaveText('≥ 66,528');
  await expect(page.getByTestId('totals-partial')).toBeVisible();
  await page.keyboard.press('Control+Shift+z');
  await page.keyboard.press('Control+Shift+z');
  await expect(blockBox(page, NESTED).getByTestId('node-shape')).toHaveText('14×14×6');
  expect(errors).toEqual([]);
});

test('a nested block wired and a port added, at 800×600', async ({ page }) => {
  const errors = trackErrors(page);
  // Built at the laptop size (the small canvas has no room beside the network for the two layers of the new block).
  await nestedBlockInOpenedInstance(page);
  await page.setViewportSize({ width: 800, height: 600 });
  // Room for the opened block: both side panels folded, the canvas panned up by a drag on its empty left-hand side.
  await page.getByTestId('palette-close').click();
  await page.getByTestId('side-close').click();
  await page.mouse.move(200, 540);
  await page.mouse.down();
  await page.mouse.move(200, 420, { steps: 4 });
  await page.mouse.move(200, 300, { steps: 4 });
  await page.mouse.up();
  await waitForCanvasAtRest(page);
  await expect(blockBox(page, NESTED)).toBeInViewport();
  await page.screenshot({ path: 'test-results/nested-block-unwired-800.png' });
  await deleteWire(page, `${FIRST}/max_pooling2d`, `${FIRST}/conv2d_1`);
  await wireHandles(page, layerNode(page, `${FIRST}/max_pooling2d`).locator('.react-flow__handle.source'), blockIn(page, NESTED));
  await wireHandles(page, blockOut(page, NESTED), layerNode(page, `${FIRST}/conv2d_1`).locator('.react-flow__handle[data-handleid="in-0"]'));
  await expect(totalParams(page)).toHaveText('66,576');
  await page.screenshot({ path: 'test-results/nested-block-wired-800.png' });
  const menu = await contextMenuOn(page, layerNode(page, `${FIRST}/max_pooling2d`));
  await expect(menu.getByTestId('context-add-block-output')).toBeVisible();
  await page.screenshot({ path: 'test-results/nested-block-port-menu-800.png' });
  await menu.getByTestId('context-add-block-output').click();
  await expect(blockOut(page, FIRST, 1)).toHaveCount(1);
  await expect(page.getByText('Added the output “out2” to “Conv pool conv”.')).toBeVisible();
  expect(errors).toEqual([]);
});
