import { expect, test, type Page } from '@playwright/test';
import { blockBox, lenetWithTwoInstances } from './support/blocks';
import { layerNode, trackErrors, waitForCanvasAtRest } from './support/editor';

type Box = { x: number; y: number; width: number; height: number };

const FIRST = 'conv_pool_conv';
const SECOND = 'conv_pool_conv_1';
const LAYERS = ['conv2d', 'max_pooling2d', 'conv2d_1'];

async function box(page: Page, testId: string): Promise<Box> {
  const b = await page.getByTestId(testId).boundingBox();
  if (!b) throw new Error(`${testId} is not on screen`);
  return b;
}

/** Where each layer of an opened instance sits in its frame (pixels from the frame's top-left corner). */
async function arrangement(page: Page, instance: string): Promise<Record<string, { x: number; y: number }>> {
  const frame = await box(page, `block-${instance}`);
  const out: Record<string, { x: number; y: number }> = {};
  for (const l of LAYERS) {
    const b = await box(page, `node-${instance}/${l}`);
    out[l] = { x: Math.round(b.x - frame.x), y: Math.round(b.y - frame.y) };
  }
  return out;
}

const far = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y));

/**
 * Presses on a layer's header and moves the mouse through `steps` (offsets from the press). The first move starts
 * the drag (React Flow lets the node catch up from there); from then on the layer follows the cursor by as much at
 * every step and lands where it is let go. `midway` runs before letting go. Returns where the layer was and is.
 */
async function dragLayer(page: Page, name: string, steps: Array<[number, number]>, midway?: () => Promise<unknown>): Promise<{ before: Box; after: Box }> {
  const layer = layerNode(page, name);
  const head = layer.locator('.layer-node-head');
  const before = (await layer.boundingBox())!;
  const h = (await head.boundingBox())!;
  const x0 = h.x + h.width / 3;
  const y0 = h.y + h.height / 2;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x0 + 6, y0 + 4, { steps: 2 });
  await expect.poll(async () => far((await layer.boundingBox())!, before)).toBeGreaterThan(0);
  const ref = (await layer.boundingBox())!;
  const followed = async ([dx, dy]: [number, number]) => far((await layer.boundingBox())!, { x: ref.x + dx - 6, y: ref.y + dy - 4 });
  for (const step of steps) {
    await page.mouse.move(x0 + step[0], y0 + step[1], { steps: 2 });
    await expect.poll(() => followed(step)).toBeLessThanOrEqual(1);
  }
  await midway?.();
  await page.mouse.up();
  // Written into the block (whole units) and drawn from there, inside the frame fitted around it.
  await waitForCanvasAtRest(page);
  await expect.poll(() => followed(steps[steps.length - 1])).toBeLessThanOrEqual(1);
  return { before, after: (await layer.boundingBox())! };
}

async function openFirst(page: Page) {
  await lenetWithTwoInstances(page);
  await blockBox(page, FIRST).getByTestId('block-toggle').click();
  await expect(layerNode(page, `${FIRST}/max_pooling2d`)).toBeVisible();
  // The "made the block" note dismisses itself; the screenshots should show the canvas.
  await expect(page.getByText(/Made the block/)).toHaveCount(0);
  await waitForCanvasAtRest(page);
}

test('drag layers inside an opened block: they follow the cursor, the frame fits them, every instance shows the same arrangement; undo', async ({ page }) => {
  const errors = trackErrors(page);
  await openFirst(page);
  const start = await arrangement(page, FIRST);
  const frame0 = await box(page, `block-${FIRST}`);
  const others = async () => Promise.all(['conv2d', 'conv2d_1'].map((l) => box(page, `node-${FIRST}/${l}`)));
  const othersBefore = await others();

  // The pooling layer, right past the frame's edge and a little down: the frame grows to hold it on the drop.
  const pool = await dragLayer(page, `${FIRST}/max_pooling2d`, [[60, 10], [140, 20], [220, 30], [260, 36]], () =>
    page.screenshot({ path: 'test-results/tidy-block-mid-drag-1440.png' }),
  );
  await page.screenshot({ path: 'test-results/tidy-block-dropped-1440.png' });
  const frame1 = await box(page, `block-${FIRST}`);
  expect(frame1.x + frame1.width).toBeGreaterThan(pool.after.x + pool.after.width);
  expect(frame1.width).toBeGreaterThan(frame0.width + 200);
  // The other layers did not move.
  for (const [i, b] of (await others()).entries()) expect(far(b, othersBefore[i])).toBeLessThanOrEqual(1);

  // The first conv, up and left past the frame's corner: the frame grows that way, the other layers stay put.
  const poolNow = await box(page, `node-${FIRST}/max_pooling2d`);
  const conv1Now = await box(page, `node-${FIRST}/conv2d_1`);
  const conv = await dragLayer(page, `${FIRST}/conv2d`, [[-40, -10], [-90, -30], [-120, -40]]);
  // It was the frame's top-left layer: the frame's corner follows it.
  const frame2 = await box(page, `block-${FIRST}`);
  expect(far({ x: frame1.x - frame2.x, y: frame1.y - frame2.y }, { x: conv.before.x - conv.after.x, y: conv.before.y - conv.after.y })).toBeLessThanOrEqual(1);
  expect(frame1.x - frame2.x).toBeGreaterThan(100);
  expect(far(await box(page, `node-${FIRST}/max_pooling2d`), poolNow)).toBeLessThanOrEqual(1);
  expect(far(await box(page, `node-${FIRST}/conv2d_1`), conv1Now)).toBeLessThanOrEqual(1);
  const tidied = await arrangement(page, FIRST);
  expect(far(tidied.max_pooling2d, start.max_pooling2d)).toBeGreaterThan(200);

  // The second instance is the same block: opened, its layers sit in its frame as in the first's.
  await blockBox(page, SECOND).getByTestId('block-toggle').click();
  await expect(layerNode(page, `${SECOND}/max_pooling2d`)).toBeVisible();
  await waitForCanvasAtRest(page);
  const second = await arrangement(page, SECOND);
  await page.screenshot({ path: 'test-results/tidy-block-both-open-1440.png' });
  for (const l of LAYERS) expect(far(second[l], tidied[l])).toBeLessThanOrEqual(1);
  const [f2, s2] = [frame2, await box(page, `block-${SECOND}`)];
  expect(Math.abs(f2.width - s2.width)).toBeLessThanOrEqual(1);
  expect(Math.abs(f2.height - s2.height)).toBeLessThanOrEqual(1);

  // Each drag is one undo step, for every instance.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  // The conv's drag undone: the frame's corner goes back, so the pooling layer sits as much nearer to it.
  await page.keyboard.press('Control+z');
  const back = { x: tidied.max_pooling2d.x - (frame1.x - frame2.x), y: tidied.max_pooling2d.y - (frame1.y - frame2.y) };
  await expect.poll(async () => far((await arrangement(page, SECOND)).max_pooling2d, back)).toBeLessThanOrEqual(1);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await arrangement(page, FIRST)).max_pooling2d).toEqual(start.max_pooling2d);
  await waitForCanvasAtRest(page);
  for (const inst of [FIRST, SECOND]) {
    const now = await arrangement(page, inst);
    for (const l of LAYERS) expect(far(now[l], start[l])).toBeLessThanOrEqual(1);
  }
  expect(errors).toEqual([]);
});

test('drag a layer inside an opened block, at 800×600', async ({ page }) => {
  const errors = trackErrors(page);
  await page.setViewportSize({ width: 800, height: 600 });
  await openFirst(page);
  await dragLayer(page, `${FIRST}/max_pooling2d`, [[40, 6], [90, 12], [120, 16]], () => page.screenshot({ path: 'test-results/tidy-block-mid-drag-800.png' }));
  await page.screenshot({ path: 'test-results/tidy-block-dropped-800.png' });
  // The dragged layer keeps the focus: the arrow keys nudge it inside the block, one undo step each.
  const pool = layerNode(page, `${FIRST}/max_pooling2d`);
  const dropped = (await pool.boundingBox())!;
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await pool.boundingBox())!.x - dropped.x).toBeGreaterThan(3);
  const nudged = (await pool.boundingBox())!;
  expect(nudged.y).toBeCloseTo(dropped.y, 0);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await pool.boundingBox())!.x).toBeLessThan(nudged.x - 1);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => Math.abs((await pool.boundingBox())!.x - dropped.x)).toBeLessThanOrEqual(1);
  await expect(page.getByTestId('undo')).toBeEnabled();
  expect(errors).toEqual([]);
});

test('a block placed inside an opened block is dragged the same way, and every instance shows it moved', async ({ page }) => {
  const errors = trackErrors(page);
  await lenetWithTwoInstances(page);
  // A second block, "Head", of the pooling and flatten after the instances; then one instance of it goes inside the first block.
  await layerNode(page, 'max_pooling2d_1').locator('.layer-node-head').click();
  await layerNode(page, 'flatten').locator('.layer-node-head').click({ modifiers: ['Control'] });
  await page.getByTestId('make-block').click();
  await page.getByTestId('make-block-name').fill('Head');
  await page.getByTestId('make-block-confirm').click();
  await expect(blockBox(page, 'head')).toBeVisible();
  await blockBox(page, FIRST).getByTestId('block-toggle').click();
  await expect(page.getByText(/Made the block/)).toHaveCount(0);
  await waitForCanvasAtRest(page);
  const pool = await box(page, `node-${FIRST}/max_pooling2d`);
  const canvas = await box(page, 'canvas');
  await page.getByTestId('palette-block-Head').dragTo(page.getByTestId('canvas'), { targetPosition: { x: pool.x + pool.width / 2 - canvas.x, y: pool.y + 40 - canvas.y } });
  const nested = blockBox(page, `${FIRST}/head`);
  await expect(nested).toBeVisible();
  await waitForCanvasAtRest(page);

  const head = nested.locator('.block-node-head');
  const before = (await nested.boundingBox())!;
  const h = (await head.boundingBox())!;
  await page.mouse.move(h.x + 20, h.y + h.height / 2);
  await page.mouse.down();
  await page.mouse.move(h.x + 26, h.y + h.height / 2 + 4, { steps: 2 });
  await expect.poll(async () => far((await nested.boundingBox())!, before)).toBeGreaterThan(0);
  const ref = (await nested.boundingBox())!;
  await page.mouse.move(h.x + 200, h.y + h.height / 2 + 60, { steps: 4 });
  await expect.poll(async () => far((await nested.boundingBox())!, { x: ref.x + 174, y: ref.y + 56 })).toBeLessThanOrEqual(1);
  await page.mouse.up();
  await waitForCanvasAtRest(page);
  await expect.poll(async () => far((await nested.boundingBox())!, { x: ref.x + 174, y: ref.y + 56 })).toBeLessThanOrEqual(1);

  const inFrame = async (instance: string) => {
    const [f, b] = [await box(page, `block-${instance}`), await box(page, `block-${instance}/head`)];
    return { x: Math.round(b.x - f.x), y: Math.round(b.y - f.y) };
  };
  // The grown frame pushed the second instance down, off the screen: fit the graph to reach its toggle.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('f');
  await waitForCanvasAtRest(page);
  await blockBox(page, SECOND).getByTestId('block-toggle').click();
  await expect(blockBox(page, `${SECOND}/head`)).toBeVisible();
  await waitForCanvasAtRest(page);
  expect(far(await inFrame(SECOND), await inFrame(FIRST))).toBeLessThanOrEqual(1);
  expect((await inFrame(SECOND)).y).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/tidy-block-nested-1440.png' });
  expect(errors).toEqual([]);
});
