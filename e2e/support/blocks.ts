import { expect, type Locator, type Page } from '@playwright/test';
import { layerNode, openEditor, totalParams, waitForCanvasAtRest } from './editor';

/** What a user does with blocks, as Playwright steps shared by the stories. */

/** A block instance's box (collapsed) or frame (opened), by the instance's name. */
export const blockBox = (page: Page, name: string): Locator => page.getByTestId(`block-${name}`);

/** The canvas id of a drawn layer or block box (React Flow's `data-id`), found from its name. */
async function canvasId(page: Page, name: string): Promise<string> {
  const box = page.locator('.react-flow__node').filter({ has: page.getByTestId(`node-${name}`).or(page.getByTestId(`block-${name}`)) });
  const id = await box.first().getAttribute('data-id');
  if (!id) throw new Error(`no drawn layer named ${name}`);
  return id;
}

/** The wire drawn from one layer to another (React Flow labels each edge "Edge from <source> to <target>"). */
export async function wireBetween(page: Page, from: string, to: string): Promise<Locator> {
  const [s, t] = await Promise.all([canvasId(page, from), canvasId(page, to)]);
  return page.locator(`.react-flow__edge[aria-label="Edge from ${s} to ${t}"]`);
}

/** Clicks a wire where it can be seen (a layer may lie over part of it), as a user aims at the visible line. */
export async function clickWire(wire: Locator): Promise<void> {
  const at = await wire.evaluate((g) => {
    const path = g.querySelector<SVGPathElement>('path.react-flow__edge-path');
    const m = path?.getScreenCTM();
    if (!path || !m) return null;
    const len = path.getTotalLength();
    for (const f of [0.5, 0.3, 0.7, 0.15, 0.85, 0.05, 0.95]) {
      const p = path.getPointAtLength(len * f);
      const x = m.a * p.x + m.c * p.y + m.e;
      const y = m.b * p.x + m.d * p.y + m.f;
      const hit = document.elementFromPoint(x, y);
      if (hit && g.contains(hit)) return { x, y };
    }
    return null;
  });
  if (!at) throw new Error('no visible point on the wire to click');
  await wire.page().mouse.click(at.x, at.y);
}

/** Clicks a wire and deletes it with the Delete key. */
export async function deleteWire(page: Page, from: string, to: string): Promise<void> {
  const wire = await wireBetween(page, from, to);
  await clickWire(wire);
  await expect(wire).toHaveClass(/selected/);
  await page.keyboard.press('Delete');
  await expect(wire).toHaveCount(0);
}

/** Selects a layer by its header and deletes it with the Delete key. */
export async function deleteLayer(page: Page, name: string): Promise<void> {
  await layerNode(page, name).locator('.layer-node-head').click();
  await page.keyboard.press('Delete');
  await expect(layerNode(page, name)).toHaveCount(0);
}

/** LeNet-5 with conv2d → max_pooling2d → conv2d_1 made the block “Conv pool conv”, and a second instance after it. */
export async function lenetWithTwoInstances(page: Page): Promise<void> {
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');
  await waitForCanvasAtRest(page);
  await layerNode(page, 'conv2d').locator('.layer-node-head').click();
  await layerNode(page, 'max_pooling2d').locator('.layer-node-head').click({ modifiers: ['Control'] });
  await layerNode(page, 'conv2d_1').locator('.layer-node-head').click({ modifiers: ['Control'] });
  await page.getByTestId('make-block').click();
  await page.getByTestId('make-block-name').fill('Conv pool conv');
  await page.getByTestId('make-block-confirm').click();
  await blockBox(page, 'conv_pool_conv').locator('.block-node-head').click();
  await page.getByTestId('palette-block-Conv pool conv').press('Enter');
  // As in make-a-block-and-reuse-it: the second instance hangs off the first (10×10×16 in, 1×1×16 out).
  await expect(totalParams(page)).toHaveText('66,528');
  await expect(blockBox(page, 'conv_pool_conv_1').getByTestId('node-shape')).toHaveText('1×1×16');
  // The new instance's box moves into place after it is added; a click on a toggle before then can miss it.
  await waitForCanvasAtRest(page);
}

/** Drags a wire from one handle (an output) to another (an input), as a user does with the mouse. */
export async function wireHandles(page: Page, from: Locator, to: Locator): Promise<void> {
  const [s, t] = [await from.boundingBox(), await to.boundingBox()];
  if (!s || !t) throw new Error('a handle to wire is not on screen');
  await page.mouse.move(s.x + s.width / 2, s.y + s.height / 2);
  await page.mouse.down();
  await page.mouse.move((s.x + t.x) / 2, (s.y + t.y) / 2, { steps: 5 });
  await page.mouse.move(t.x + t.width / 2, t.y + t.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Input handle `slot` and output handle `port` of a block box (collapsed, nested or opened). */
export const blockIn = (page: Page, name: string, slot = 0): Locator => blockBox(page, name).locator(`.react-flow__handle[data-handleid="in-${slot}"]`);
export const blockOut = (page: Page, name: string, port = 0): Locator => blockBox(page, name).locator(`.react-flow__handle[data-handleid="${port ? `out-${port}` : 'out'}"]`);

/** Right-clicks a layer's or a block box's header and waits for the canvas menu. */
export async function contextMenuOn(page: Page, box: Locator): Promise<Locator> {
  await box.locator('.layer-node-head, .block-node-head').first().click({ button: 'right' });
  const menu = page.getByTestId('context-menu');
  await expect(menu).toBeVisible();
  return menu;
}
