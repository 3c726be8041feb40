import { readFile } from 'node:fs/promises';
import { expect, type Locator, type Page } from '@playwright/test';

/** What a user does in the editor, as Playwright steps shared by the stories. */

/** Collects uncaught page errors; assert the list is empty at the end of a story. */
export function trackErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

export async function openEditor(page: Page, path = '/'): Promise<void> {
  await page.goto(path);
  await expect(page.getByTestId('toolbar')).toBeVisible();
}

/**
 * Waits until the canvas has stopped moving: the viewport transform unchanged over several animation frames (a fit or
 * zoom animation has ended). Waits for what the user sees, not for a fixed time.
 */
export async function waitForCanvasAtRest(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      new Promise<boolean>((resolve) => {
        const read = () => document.querySelector('.react-flow__viewport')?.getAttribute('style') ?? '';
        let last = read();
        let still = 0;
        const tick = () => {
          const now = read();
          still = now === last ? still + 1 : 0;
          last = now;
          if (still >= 8) resolve(true);
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
  );
}

export const layerNode = (page: Page, name: string): Locator => page.getByTestId(`node-${name}`);

export const totalParams = (page: Page): Locator => page.getByTestId('total-params');

/** Drags a layer kind from the palette and drops it at a point of the canvas (pixels from its top-left corner). */
export async function dropLayer(page: Page, kind: string, at: { x: number; y: number }): Promise<void> {
  const before = await page.locator('.react-flow__node').count();
  await page.getByTestId(`palette-${kind}`).dragTo(page.getByTestId('canvas'), { targetPosition: at });
  await expect(page.locator('.react-flow__node')).toHaveCount(before + 1);
}

async function centre(l: Locator): Promise<{ x: number; y: number }> {
  const b = await l.boundingBox();
  if (!b) throw new Error('element has no box (not visible?)');
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** Drags a wire from one layer's output handle to input slot `slot` of another. */
export async function connect(page: Page, from: string, to: string, slot = 0): Promise<void> {
  const s = await centre(layerNode(page, from).locator('.react-flow__handle.source'));
  const t = await centre(layerNode(page, to).locator(`.react-flow__handle[data-handleid="in-${slot}"]`));
  await page.mouse.move(s.x, s.y);
  await page.mouse.down();
  await page.mouse.move((s.x + t.x) / 2, (s.y + t.y) / 2, { steps: 5 });
  await page.mouse.move(t.x, t.y, { steps: 5 });
  await page.mouse.up();
}

/** Selects a layer by clicking its header and shows its form. */
export async function selectLayer(page: Page, name: string): Promise<void> {
  await layerNode(page, name).locator('.layer-node-head').click();
  await page.getByTestId('tab-layer').click();
  await expect(page.getByTestId('layer-name')).toHaveValue(name);
}

/** Types a value into a field of the selected layer's form (a select gets the option chosen). */
export async function setParam(page: Page, key: string, value: string): Promise<void> {
  const field = page.getByTestId(`param-${key}`);
  const tag = await field.evaluate((el) => el.tagName);
  if (tag === 'SELECT') await field.selectOption(value);
  else await field.fill(value);
}

/** Sets both halves of a size pair (kernel, strides, pool size). */
export async function setPair(page: Page, key: string, value: number): Promise<void> {
  await page.getByTestId(`param-${key}`).fill(String(value));
  await page.getByTestId(`param-${key}-2`).fill(String(value));
}

/** Exports the project through the File menu and returns the downloaded file's parsed JSON and text. */
export async function exportProject(page: Page): Promise<{ json: ExportedProject; text: string; path: string }> {
  await page.getByTestId('menu-file').click();
  const download = page.waitForEvent('download');
  await page.getByTestId('action-export').click();
  const d = await download;
  const path = await d.path();
  const text = await readFile(path, 'utf8');
  return { json: JSON.parse(text) as ExportedProject, text, path };
}

/** The parts of a project file the stories compare. */
export interface ExportedProject {
  format: string;
  name: string;
  graph: {
    nodes: Array<{ id: string; kind: string; name: string; params: Record<string, unknown>; position: { x: number; y: number } }>;
    edges: Array<{ id: string; source: string; target: string; targetIndex: number }>;
  };
  viewport?: { x: number; y: number; zoom: number };
}

/** A graph in a form that ignores ids: names, kinds, params, positions and wiring by name. */
export function graphByName(p: ExportedProject) {
  const name = new Map(p.graph.nodes.map((n) => [n.id, n.name]));
  return {
    nodes: p.graph.nodes.map((n) => ({ kind: n.kind, name: n.name, params: n.params, position: n.position })).sort((a, b) => a.name.localeCompare(b.name)),
    edges: p.graph.edges.map((e) => `${name.get(e.source)} -> ${name.get(e.target)} #${e.targetIndex}`).sort(),
  };
}

/** Imports a file through the hidden file input the File menu's "Import…" uses. */
export async function importFile(page: Page, file: { name: string; mimeType?: string; buffer: Buffer }): Promise<void> {
  await page.getByTestId('import-file').setInputFiles({ mimeType: 'application/json', ...file });
}
