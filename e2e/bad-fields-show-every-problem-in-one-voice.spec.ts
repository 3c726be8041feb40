import { expect, test, type Page } from '@playwright/test';
import { layerNode, openEditor, selectLayer, setPair, setParam, totalParams, trackErrors, waitForCanvasAtRest } from './support/editor';

const FILTERS = 'Filters must be a whole number ≥ 1; "abc" is not a number';
const KERNEL = 'kernel 40×40 is larger than the 14×14 input (padding valid)';

/** zod's own wording, which no user should ever read. */
const ZOD = /Invalid input|expected \w+, received|Too small|Too big|Invalid option/;

async function shoot(page: Page, name: string) {
  await waitForCanvasAtRest(page);
  await page.screenshot({ path: `test-results/bad-fields/${name}.png` });
}

test('two bad fields on one conv: both show on the layer and in the inspector in the same words, the list jumps to the layer, totals read partial', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');

  // conv2d_1 sees the 14×14×6 output of the first pooling layer.
  await selectLayer(page, 'conv2d_1');
  await setPair(page, 'kernelSize', 40);
  await setParam(page, 'filters', 'abc');

  const conv = layerNode(page, 'conv2d_1');
  await expect(conv).toHaveAttribute('data-status', 'error');
  await expect(conv.getByTestId('node-error')).toHaveText([FILTERS, KERNEL]);
  // The inspector words them exactly as the layer box does, each under its own field.
  await expect(page.getByTestId('param-error-filters')).toHaveText(FILTERS);
  await expect(page.getByTestId('param-error-kernelSize')).toHaveText(KERNEL);
  await expect(page.locator('body')).not.toContainText(ZOD);

  // Totals of the valid part, marked as partial: conv2d (156 params) counts, conv2d_1 and the six after it do not.
  await expect(totalParams(page)).toHaveText('≥ 156');
  await expect(page.getByTestId('totals-partial')).toHaveText('partial: 6 layers left out');
  await expect(page.getByTestId('totals-partial')).toHaveAttribute('title', /Only layers whose shapes could be inferred are counted/);
  await page.getByTestId('tab-summary').click();
  await expect(page.getByTestId('summary-partial')).toContainText('≥ 156 params — partial: 6 layers left out');
  await expect(page.getByTestId('summary-total-params')).toHaveText('≥ 156');
  // Layers left out show no counts rather than a 0 that reads as "no weights".
  await expect(page.getByTestId('summary-row-flatten').locator('td.num').first()).toHaveText('—');
  await expect(page.getByTestId('summary-problem-conv2d_1')).toContainText(FILTERS);
  await shoot(page, 'two-bad-fields-1440');

  // The badge counts both problems and opens a list naming the layer with both of them.
  await page.getByTestId('layer-count').click();
  await selectLayer(page, 'dense_2');
  await expect(page.getByTestId('graph-status')).toHaveText('2 problems');
  await page.getByTestId('graph-status').click();
  const list = page.getByTestId('problems-list');
  await expect(list).toBeVisible();
  const entry = list.getByTestId('problem-conv2d_1');
  await expect(entry).toContainText('conv2d_1');
  await expect(entry.locator('.problem-msg')).toHaveText([FILTERS, KERNEL]);
  await shoot(page, 'problems-list-1440');

  // Clicking the entry selects the layer and centres the canvas on it.
  await entry.click();
  await expect(conv).toHaveClass(/is-selected/);
  await expect(layerNode(page, 'dense_2')).not.toHaveClass(/is-selected/);
  await waitForCanvasAtRest(page);
  const box = (await conv.boundingBox())!;
  const pane = (await page.getByTestId('canvas').boundingBox())!;
  expect(Math.abs(box.x + box.width / 2 - (pane.x + pane.width / 2))).toBeLessThan(30);
  expect(Math.abs(box.y + box.height / 2 - (pane.y + pane.height / 2))).toBeLessThan(30);
  // Escape closes the list and keeps the selection it made; so does a click elsewhere.
  await page.keyboard.press('Escape');
  await expect(list).toHaveCount(0);
  await expect(conv).toHaveClass(/is-selected/);
  await page.getByTestId('graph-status').click();
  await expect(list).toBeVisible();
  await page.getByTestId('tab-layer').click();
  await expect(list).toHaveCount(0);
  await expect(page.getByTestId('layer-name')).toHaveValue('conv2d_1');

  // Fixing both brings back the full, unmarked totals.
  await setParam(page, 'filters', '16');
  await expect(conv.getByTestId('node-error')).toHaveText([KERNEL]);
  await setPair(page, 'kernelSize', 5);
  await expect(conv).toHaveAttribute('data-status', 'ok');
  await expect(totalParams(page)).toHaveText('61,706');
  await expect(page.getByTestId('totals-partial')).toHaveCount(0);
  await expect(page.getByTestId('graph-status')).toHaveText('valid');
  expect(errors).toEqual([]);
});

test('an absurd Input is warned about with the figure and the limit, and the graph stays valid', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await selectLayer(page, 'input');
  await setParam(page, 'shape', '100000×100000×3');

  const input = layerNode(page, 'input');
  await expect(input.getByTestId('node-warning')).toHaveText('output 100000×100000×3 takes 111.8 GB per sample, more than the 4 GB wasm heap holds');
  await expect(input).toHaveClass(/has-warning/);
  await expect(page.getByTestId('inspector-warning')).toHaveText('output 100000×100000×3 takes 111.8 GB per sample, more than the 4 GB wasm heap holds');
  await expect(layerNode(page, 'dense').getByTestId('node-warning')).toContainText(/^weights [\d.]+ TB exceed the 4 GB wasm heap: no browser can hold this layer$/);
  // A warning, not an error: the graph is valid and the totals are whole.
  await expect(page.getByTestId('graph-status')).toHaveText('valid');
  await expect(totalParams(page)).not.toContainText('≥');
  await expect(page.getByTestId('total-weights')).toHaveText(/^[\d.]+ TB$/);

  await page.getByTestId('graph-warnings').click();
  const list = page.getByTestId('problems-list');
  await expect(list.locator('[data-severity="error"]')).toHaveCount(0);
  await expect(list.getByTestId('problem-input')).toHaveAttribute('data-severity', 'warning');
  await expect(list.getByTestId('problem-graph').first()).toContainText('exceed the 4 GB wasm heap: no browser can hold this model');
  // Warnings do not borrow the error colour.
  const colour = (sel: string) => page.locator(sel).first().evaluate((el) => getComputedStyle(el).color);
  await selectLayer(page, 'conv2d');
  await setParam(page, 'filters', '0');
  expect(await colour('[data-testid="node-warning"]')).not.toBe(await colour('[data-testid="node-error"]'));
  await shoot(page, 'absurd-input-1440');
  expect(errors).toEqual([]);
});

test('at 800×600 the layer box, the list and the partial totals stay readable', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 600 });
  await openEditor(page, '/?preset=lenet5');
  await selectLayer(page, 'conv2d_1');
  await setPair(page, 'kernelSize', 40);
  await setParam(page, 'filters', 'abc');
  await expect(layerNode(page, 'conv2d_1').getByTestId('node-error')).toHaveCount(2);
  await shoot(page, 'two-bad-fields-800');
  await expect(page.getByTestId('totals-partial')).toHaveText('partial', { useInnerText: true });
  await expect(page.getByTestId('totals-partial')).toHaveAttribute('title', /6 layers left out/);
  await page.getByTestId('graph-status').click();
  await expect(page.getByTestId('problems-list')).toBeInViewport();
  await shoot(page, 'problems-list-800');
});
