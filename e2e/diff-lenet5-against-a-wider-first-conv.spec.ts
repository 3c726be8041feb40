import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { layerNode, openEditor, totalParams, trackErrors, waitForCanvasAtRest } from './support/editor';

/** LeNet-5 whose first conv has 16 filters instead of 6, as a project file someone sent. */
function wideVariant(): { name: string; mimeType: string; buffer: Buffer } {
  const p = JSON.parse(readFileSync(new URL('../presets/lenet5.json', import.meta.url), 'utf8'));
  p.name = 'LeNet-5 wide';
  p.graph.nodes.find((n: { name: string }) => n.name === 'conv2d').params.filters = 16;
  return { name: 'lenet5-wide.convas.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(p)) };
}

async function openCompare(page: Page) {
  await page.getByTestId('menu-file').click();
  await page.getByTestId('action-compare').click();
  const dialog = page.getByTestId('compare-dialog');
  await expect(dialog).toBeVisible();
  return dialog;
}

const marks = (page: Page) => page.locator('.diff-ring');

test('LeNet-5 compared with a file of a wider first conv shows exactly that change, both ways, and changes nothing', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toContainText('61,706');

  // A broken file is refused in the chooser, which stays open.
  let dialog = await openCompare(page);
  await dialog.getByTestId('compare-file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "convas-project", "graph": ') });
  await expect(dialog.getByTestId('compare-error')).toContainText('broken.json: not valid JSON');
  await page.screenshot({ path: 'test-results/diff-chooser-1440x900.png' });
  await dialog.getByTestId('compare-file').setInputFiles(wideVariant());
  await expect(dialog).toBeHidden();

  const panel = page.getByTestId('diff-panel');
  await expect(panel.getByTestId('diff-direction')).toHaveText('lenet5-wide.convas.json → this design');
  await expect(panel.getByTestId('diff-counts')).toHaveText(/1 changed\s*0 added\s*0 removed\s*2 knock-on/);
  await expect(panel.getByTestId('diff-changed').getByRole('button')).toHaveCount(1);
  const conv = panel.getByTestId('diff-row-conv2d');
  await expect(conv).toContainText('filters: 16 → 6');
  await expect(conv).toContainText('params: 416 → 156 (−260)');
  await expect(panel.getByTestId('diff-total-params')).toHaveText(/params\s*65,966\s*→\s*61,706\s*−4,260/);

  // Swapped: the story as "LeNet-5 → the wider variant".
  await panel.getByTestId('diff-swap').click();
  await expect(panel.getByTestId('diff-direction')).toHaveText('this design → lenet5-wide.convas.json');
  await expect(conv).toContainText('filters: 6 → 16');
  await expect(conv).toContainText('output: 28×28×6 → 28×28×16');
  await expect(conv).toContainText('params: 156 → 416 (+260)');
  await expect(panel.getByTestId('diff-row-conv2d_1')).toContainText('params: 2,416 → 6,416 (+4,000)');
  await expect(panel.getByTestId('diff-total-params')).toHaveText(/params\s*61,706\s*→\s*65,966\s*\+4,260/);
  await expect(panel.getByTestId('diff-added')).toHaveCount(0);
  await expect(panel.getByTestId('diff-removed')).toHaveCount(0);

  // On the canvas: the first conv amber, the pool and the second conv dashed as knock-on, nothing else marked.
  await expect(page.getByTestId('diff-mark-conv2d')).toHaveAttribute('data-mark', 'changed');
  await expect(page.getByTestId('diff-mark-conv2d_1')).toHaveAttribute('data-mark', 'affected');
  await expect(page.getByTestId('diff-mark-max_pooling2d')).toHaveAttribute('data-mark', 'affected');
  await expect(marks(page)).toHaveCount(3);
  const ring = await page.getByTestId('diff-mark-conv2d').boundingBox();
  const node = await layerNode(page, 'conv2d').boundingBox();
  expect(ring && node && ring.x < node.x && ring.y < node.y && ring.x + ring.width > node.x + node.width).toBe(true);

  // Comparing changed nothing in the project.
  await expect(page.getByTestId('project-name')).toHaveValue('LeNet-5');
  await expect(totalParams(page)).toContainText('61,706');

  await waitForCanvasAtRest(page);
  await page.screenshot({ path: 'test-results/diff-1440x900.png' });
  await page.setViewportSize({ width: 800, height: 600 });
  await expect(panel).toBeVisible();
  await waitForCanvasAtRest(page);
  await page.screenshot({ path: 'test-results/diff-800x600.png' });
  // Folded, the marks stay and the canvas shows again.
  await panel.getByTestId('diff-fold').click();
  await expect(panel.getByTestId('diff-totals')).toBeHidden();
  await expect(panel.getByTestId('diff-counts')).toBeVisible();
  await expect(marks(page)).toHaveCount(3);
  await page.screenshot({ path: 'test-results/diff-800x600-folded.png' });
  await panel.getByTestId('diff-fold').click();
  await expect(panel.getByTestId('diff-totals')).toBeVisible();

  await panel.getByTestId('diff-close').click();
  await expect(panel).toBeHidden();
  await expect(marks(page)).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('the variant saved as a project, compared with the saved LeNet-5: filters 6 → 16 and +4,260 params', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toContainText('61,706');
  // Importing the variant opens it as a new project; LeNet-5 stays saved.
  await page.getByTestId('import-file').setInputFiles(wideVariant());
  await expect(page.getByTestId('project-name')).toHaveValue('LeNet-5 wide');
  await expect(totalParams(page)).toContainText('65,966');

  const dialog = await openCompare(page);
  await dialog.getByTestId('compare-project').filter({ hasText: 'LeNet-5' }).getByTestId('compare-project-pick').click();
  const panel = page.getByTestId('diff-panel');
  await expect(panel.getByTestId('diff-direction')).toHaveText('LeNet-5 → this design');
  await expect(panel.getByTestId('diff-changed').getByRole('button')).toHaveCount(1);
  await expect(panel.getByTestId('diff-row-conv2d')).toContainText('filters: 6 → 16');
  await expect(panel.getByTestId('diff-total-params')).toHaveText(/params\s*61,706\s*→\s*65,966\s*\+4,260/);

  // The list follows edits: set the filters back to 6 and the designs are the same.
  await page.getByTestId('diff-row-conv2d').click();
  await page.getByTestId('tab-layer').click();
  await page.getByTestId('param-filters').fill('6');
  await page.getByTestId('param-filters').press('Enter');
  await expect(panel.getByTestId('diff-same')).toContainText('all 9 layers match');
  await expect(marks(page)).toHaveCount(0);

  // Opening another project ends the comparison.
  await page.getByTestId('menu-presets').click();
  await page.getByTestId('preset-basic-cnn').click();
  await expect(panel).toBeHidden();
  expect(errors).toEqual([]);
});

test('compared with the classic LeNet-5 preset: max-pools added (green on the canvas), average pools removed (listed as ghosts)', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  const dialog = await openCompare(page);
  await dialog.getByTestId('compare-preset-lenet5-classic').click();
  const panel = page.getByTestId('diff-panel');
  await expect(panel.getByTestId('diff-direction')).toHaveText('preset LeNet-5 (classic, 32×32) → this design');
  await expect(panel.getByTestId('diff-added').getByRole('button')).toHaveText([/max_pooling2d\s*MaxPooling2D/, /max_pooling2d_1\s*MaxPooling2D/]);
  await expect(page.getByTestId('diff-mark-max_pooling2d')).toHaveAttribute('data-mark', 'added');
  const ghosts = panel.getByTestId('diff-removed').locator('.diff-row.ghost');
  await expect(ghosts).toHaveCount(2);
  await expect(ghosts.first()).toContainText('s2');
  await expect(ghosts.first()).toContainText('not in this design');
  // Renamed layers are matched by their place: c1 is this design's conv2d, with its changed settings.
  await expect(panel.getByTestId('diff-row-conv2d')).toContainText('renamed: c1 → conv2d');
  await expect(panel.getByTestId('diff-row-conv2d')).toContainText('padding: valid → same');
  await expect(panel.getByTestId('diff-total-params')).toHaveText(/params\s*61,706\s*→\s*61,706\s*±0/);
  await waitForCanvasAtRest(page);
  await page.screenshot({ path: 'test-results/diff-classic-1440x900.png' });
  expect(errors).toEqual([]);
});
