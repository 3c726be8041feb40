import { expect, test, type Page } from '@playwright/test';
import { openEditor, trackErrors, waitForCanvasAtRest } from './support/editor';

/** The viewport's translation and the dot grid's offset, in screen px. */
async function readView(page: Page): Promise<{ x: number; y: number; zoom: number; dx: number; dy: number; step: number }> {
  return page.evaluate(() => {
    const num = (re: RegExp, s: string) => (re.exec(s) ?? []).slice(1).map(Number);
    const [x, y, zoom] = num(/translate\(([-\d.]+)px, *([-\d.]+)px\) scale\(([-\d.]+)\)/, (document.querySelector('.react-flow__viewport') as HTMLElement).style.transform);
    const dots = document.querySelector('[data-testid="canvas-dots"]') as HTMLElement;
    const [dx, dy] = num(/translate\(([-\d.]+)px, *([-\d.]+)px\)/, dots.style.transform);
    const [step] = num(/^([\d.]+)px/, dots.style.backgroundSize);
    return { x, y, zoom, dx, dy, step };
  });
}

/** The screen offset of the dots' lattice (a dot every `step` px), in [0, step). */
const phase = (v: number, step: number) => ((v % step) + step) % step;

// The dot grid is a tile image moved by a transform (not an SVG pattern painted again on every frame of a pan), and
// the view gets a compositing layer of its own only while it is dragged.
test('panning the canvas moves the dot grid with the layers, and the view is composited only while dragged', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await waitForCanvasAtRest(page);
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  const before = await readView(page);
  expect(before.step).toBeCloseTo(20 * before.zoom, 3);
  // A dot sits on the flow origin: the lattice's phase is the view's translation's.
  expect(phase(before.dx + before.step / 2, before.step)).toBeCloseTo(phase(before.x, before.step), 3);

  const viewport = page.locator('.react-flow__viewport');
  await expect(viewport).toHaveCSS('will-change', 'auto');
  await page.mouse.move(pane.x + 40, pane.y + pane.height / 2);
  await page.mouse.down();
  await page.mouse.move(pane.x + 70, pane.y + pane.height / 2 - 20, { steps: 4 });
  await expect(viewport).toHaveCSS('will-change', 'transform');
  await expect(page.getByTestId('canvas-dots')).toHaveCSS('will-change', 'transform');
  await page.mouse.move(pane.x + 77, pane.y + pane.height / 2 - 23, { steps: 2 });
  await page.mouse.up();
  await expect(viewport).toHaveCSS('will-change', 'auto');

  const after = await readView(page);
  expect(after.x - before.x).toBeCloseTo(37, 0);
  expect(after.y - before.y).toBeCloseTo(-23, 0);
  expect(phase(after.dx + after.step / 2, after.step)).toBeCloseTo(phase(after.x, after.step), 3);

  // A box dragged at this zoom gets a layer of its own, not the view (which cost more than it saved there).
  const box = (await page.locator('.react-flow__node').nth(2).boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 6);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 30, box.y + 16, { steps: 4 });
  await expect(page.locator('.react-flow__node.dragging')).toHaveCount(1);
  await expect(page.locator('.react-flow__node.dragging')).toHaveCSS('will-change', 'transform');
  await expect(viewport).toHaveCSS('will-change', 'auto');
  await page.mouse.up();
  expect(errors).toEqual([]);
});
