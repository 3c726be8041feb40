import { expect, test, type Page } from '@playwright/test';
import { openEditor, totalParams, trackErrors, waitForCanvasAtRest } from './support/editor';

/** ResNet-50 with every block instance opened. */
async function openResnet50AllOpened(page: Page): Promise<void> {
  await openEditor(page, '/?preset=resnet50');
  await expect(totalParams(page)).toHaveText('25,636,712');
  await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('[data-testid="block-toggle"]').forEach((b) => b.click()));
}

// An opened instance below other opened ones is drawn shifted by the room they take. Moving it past one of them used to
// flip that shift on every mouse move: the block jumped back and forth by a whole group's height while it was dragged.
test('with every block of ResNet-50 opened, a dragged block stays under the cursor at every step and lands where it was let go', async ({ page }) => {
  const errors = trackErrors(page);
  await openResnet50AllOpened(page);
  // Past 120 boxes only what is on screen is drawn.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('f');
  await expect(page.getByTestId('block-conv3_block1')).toHaveAttribute('data-expanded', 'true');
  await page.getByTestId('tab-summary').click();
  await page.getByTestId('summary-row-conv3_block1/1_conv').click();
  await waitForCanvasAtRest(page);

  const head = page.getByTestId('block-conv3_block1').locator('.block-node-head');
  const start = (await head.boundingBox())!;
  const x0 = start.x + start.width / 3;
  const y0 = start.y + start.height / 2;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  // Right across the next column and down, then back: after the first step (which takes up the drag threshold), the
  // block follows the cursor by as much at every step; the jump it made was a whole group, hundreds of pixels.
  await page.mouse.move(x0 + 20, y0 + 8, { steps: 2 });
  await waitForCanvasAtRest(page);
  const ref = (await head.boundingBox())!;
  for (const [dx, dy] of [[40, 15], [60, 20], [80, 30], [100, 35], [115, 40], [130, 45], [100, 30], [60, 10], [20, 8]]) {
    await page.mouse.move(x0 + dx, y0 + dy, { steps: 2 });
    await expect.poll(async () => {
      const b = (await head.boundingBox())!;
      return Math.max(Math.abs(b.x - ref.x - (dx - 20)), Math.abs(b.y - ref.y - (dy - 8)));
    }).toBeLessThanOrEqual(3);
  }
  await page.mouse.up();
  await expect.poll(async () => Math.abs((await head.boundingBox())!.x - ref.x)).toBeLessThanOrEqual(3);
  await page.screenshot({ path: 'test-results/drag-opened-block.png' });
  await expect(page.getByTestId('undo')).toBeEnabled();
  expect(errors).toEqual([]);
});

// Only opened blocks near the screen hand their layers to the canvas: jumping far away and back must still show them.
test('with every block of ResNet-50 opened, jumping to a layer of a far block and back shows the layers there', async ({ page }) => {
  const errors = trackErrors(page);
  await openResnet50AllOpened(page);
  // The whole graph: no opened frame covers another (a bottleneck with its projection branch is wider than a
  // collapsed box, and the next column makes room for it).
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('f');
  await expect(page.locator('[data-expanded="true"]')).toHaveCount(16);
  await waitForCanvasAtRest(page);
  const frames = await page.locator('[data-expanded="true"]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
  const overlaps = frames.flatMap((a, i) =>
    frames.slice(i + 1).filter((b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1).map(() => i),
  );
  expect(overlaps).toEqual([]);
  // This far out every opened frame draws its layers as one sketch, with no box of its own for React Flow to carry;
  // the frames keep their full size, on the canvas and in the minimap.
  await expect(page.getByTestId('block-sketch')).toHaveCount(16);
  await expect(page.locator('[data-testid="node-conv4_block2/2_bn"]')).toHaveCount(0);
  await expect(page.getByTestId('block-conv4_block2').locator('.block-sketch rect')).toHaveCount(10);
  expect(await page.locator('.react-flow__minimap-node.cat-block').evaluateAll((rs) => rs.filter((r) => Number(r.getAttribute('height')) > 1000).length)).toBe(16);
  await page.getByTestId('tab-summary').click();
  for (const id of ['conv2_block1/1_conv', 'conv5_block3/3_conv', 'conv4_block2/2_bn', 'conv2_block1/1_conv']) {
    await page.getByTestId(`summary-row-${id}`).click();
    await waitForCanvasAtRest(page);
    // The layer's own box, drawn inside its opened block, with its shape worked out.
    const box = page.getByTestId(`node-${id}`);
    await expect(box).toBeInViewport();
    await expect(box.getByTestId('node-shape')).toHaveText(/\d+×\d+×\d+/);
  }
  // Zoomed far out again, the selected layer stands out in its block's sketch.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.getByTestId('summary-row-conv4_block2/2_bn').click();
  await page.keyboard.press('f');
  await expect(page.getByTestId('block-conv4_block2').locator('.block-sketch rect.is-selected')).toHaveCount(1);
  await expect(page.getByTestId('block-conv4_block1').locator('.block-sketch rect.is-selected')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/jump-to-a-far-opened-block.png' });
  expect(errors).toEqual([]);
});
