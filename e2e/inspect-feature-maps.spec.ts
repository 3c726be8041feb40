import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { openEditor, trackErrors } from './support/editor';

/** Draws a "7" on the Inspect tab's pad: a top bar and a slanted stroke. */
async function drawSeven(page: Page): Promise<void> {
  const pad = page.getByTestId('draw-pad');
  const b = (await pad.boundingBox())!;
  const at = (x: number, y: number) => [b.x + b.width * x, b.y + b.height * y] as const;
  await page.mouse.move(...at(0.25, 0.22));
  await page.mouse.down();
  await page.mouse.move(...at(0.72, 0.22), { steps: 8 });
  await page.mouse.move(...at(0.45, 0.8), { steps: 10 });
  await page.mouse.up();
}

/** How many different colours a canvas holds: a blank or failed drawing has one. */
const colours = (page: Page, testid: string, n = 0) =>
  page.getByTestId(testid).locator('canvas').nth(n).evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });

type PresetNode = { kind: string; name: string; block?: string };

/** Conv and pooling layers of a preset as the app flattens it: a layer inside a block instance is `instance/layer`. */
const spatialLayers = (preset: string) => {
  const p = JSON.parse(readFileSync(`presets/${preset}.json`, 'utf8')) as { graph: { nodes: PresetNode[] }; blocks?: { id: string; graph: { nodes: PresetNode[] } }[] };
  const flat = p.graph.nodes.flatMap((n) => (n.block ? (p.blocks?.find((b) => b.id === n.block)?.graph.nodes ?? []).map((m) => ({ ...m, name: `${n.name}/${m.name}` })) : [n]));
  return flat.filter((n) => /Conv|Pooling2D/.test(n.kind) && !n.kind.startsWith('Global')).map((n) => n.name);
};

test('feature maps of a drawn digit appear for every conv and pooling layer of LeNet-5', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await page.getByTestId('tab-inspect').click();
  await drawSeven(page);
  for (const [name, channels] of [['conv2d', 6], ['max_pooling2d', 6], ['conv2d_1', 16], ['max_pooling2d_1', 16]] as const) {
    await expect(page.getByTestId(`fmap-layer-${name}`).getByTestId('fmap-tile'), name).toHaveCount(channels);
  }
  // The maps show the drawing, not a blank plane.
  expect(await page.getByTestId('fmap-layer-conv2d').evaluate((el) => el.querySelectorAll('canvas').length)).toBe(6);
  expect(await colours(page, 'fmap-layer-conv2d')).toBeGreaterThan(3);
  await expect(page.getByTestId('prediction-bar')).toHaveCount(5);
  await page.getByTestId('inspect-feature-maps').screenshot({ path: 'test-results/inspect-feature-maps.png' });

  // A tile enlarges.
  await page.getByTestId('fmap-layer-conv2d_1').getByTestId('fmap-tile').nth(3).locator('button').click();
  await expect(page.getByTestId('inspect-zoom')).toBeVisible();
  await expect(page.getByTestId('inspect-zoom')).toContainText('conv2d_1 channel 3');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('inspect-zoom')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a residual network with RGB input shows every conv layer of its branches', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=resnet-cifar');
  await page.getByTestId('tab-inspect').click();
  await drawSeven(page);
  const names = spatialLayers('resnet-cifar');
  expect(names.length).toBeGreaterThan(20);
  for (const name of names) await expect(page.getByTestId(`fmap-layer-${name}`).getByTestId('fmap-tile').first(), name).toBeVisible();
  expect(errors).toEqual([]);
});
