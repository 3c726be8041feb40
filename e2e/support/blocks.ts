import { expect, type Locator, type Page } from '@playwright/test';
import { layerNode } from './editor';

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

/** Clicks a wire and deletes it with the Delete key. */
export async function deleteWire(page: Page, from: string, to: string): Promise<void> {
  const wire = await wireBetween(page, from, to);
  await wire.click();
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
