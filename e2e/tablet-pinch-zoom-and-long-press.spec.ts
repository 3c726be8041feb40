import { expect, test, type Page } from '@playwright/test';
import { layerNode, openEditor, totalParams, trackErrors, waitForCanvasAtRest } from './support/editor';
import { toolbarCommand } from './support/layout';

test.use({ viewport: { width: 1024, height: 768 }, hasTouch: true });

const zoom = async (page: Page) => Number(/scale\(([\d.]+)\)/.exec((await page.locator('.react-flow__viewport').getAttribute('style')) ?? '')?.[1]);

/** A finger resting on a point: a touch pointerdown and nothing else (the menu opens when the press has lasted). */
async function pressAndHold(page: Page, target: ReturnType<Page['locator']>, at: { x: number; y: number }) {
  await target.dispatchEvent('pointerdown', { pointerType: 'touch', isPrimary: true, pointerId: 11, button: 0, clientX: at.x, clientY: at.y, bubbles: true });
}

test('on a touch screen a user pinches to zoom and long-presses a layer for its commands', async ({ page, context }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');
  await waitForCanvasAtRest(page);

  // Two fingers spreading apart over the canvas zoom in.
  const before = await zoom(page);
  const c = (await page.getByTestId('canvas').boundingBox())!;
  const cx = c.x + c.width / 2;
  const cy = c.y + c.height / 2;
  const cdp = await context.newCDPSession(page);
  const fingers = (d: number) => [{ x: cx - d, y: cy, id: 1 }, { x: cx + d, y: cy, id: 2 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(30) });
  for (let d = 40; d <= 120; d += 10) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(d) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await expect.poll(() => zoom(page)).toBeGreaterThan(before * 1.5);
  await toolbarCommand(page, 'fit-view');
  await waitForCanvasAtRest(page);

  // A long press on a layer opens its commands; Duplicate works on that layer.
  const node = layerNode(page, 'dense_2');
  const box = (await node.boundingBox())!;
  await pressAndHold(page, node, { x: box.x + 30, y: box.y + 12 });
  const menu = page.getByTestId('context-menu');
  await expect(menu).toBeInViewport({ ratio: 1 });
  await expect(menu).toHaveAttribute('aria-label', 'Layer commands');
  await menu.getByTestId('context-duplicate').click();
  await expect(menu).toHaveCount(0);
  await expect(page.getByTestId('layer-count')).toHaveText('10');

  // On empty canvas the long press offers the canvas' commands.
  await pressAndHold(page, page.locator('.react-flow__pane'), { x: c.x + 30, y: c.y + c.height - 140 });
  await expect(menu).toHaveAttribute('aria-label', 'Canvas commands');
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a right click on a layer opens the same commands with a mouse', async ({ page }) => {
  await openEditor(page, '/?preset=lenet5');
  await layerNode(page, 'conv2d').locator('.layer-node-head').click({ button: 'right' });
  await expect(page.getByTestId('context-menu')).toHaveAttribute('aria-label', 'Layer commands');
  await page.getByTestId('context-delete').click();
  await expect(page.getByTestId('layer-count')).toHaveText('8');
});
