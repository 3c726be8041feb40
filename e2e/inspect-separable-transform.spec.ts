import { expect, test } from '@playwright/test';
import { layerNode, openEditor, totalParams, trackErrors } from './support/editor';

const fmt = (n: number) => n.toLocaleString('en-US');
const num = (s: string | null) => Number((s ?? '').replace(/[^\d]/g, ''));

test('the separable transform cuts params by the promised amount and Ctrl+Z undoes it', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');
  await page.getByTestId('tab-inspect').click();
  const saving = page.getByTestId('separable-saving-conv2d_1');
  // 5×5×6×16 + 16 = 2,416 params become 5×5×6 (depthwise) + 6×16 + 16 (pointwise) = 262.
  await expect(saving).toHaveAttribute('data-params', '2154');
  await expect(saving).toContainText('2,154 params');
  const before = num(await totalParams(page).textContent());
  await page.getByTestId('make-separable-conv2d_1').click();
  await expect(totalParams(page)).toHaveText(fmt(before - 2154));
  await expect(layerNode(page, 'conv2d_1_dw')).toBeVisible();
  await expect(layerNode(page, 'conv2d_1_pw')).toBeVisible();
  await expect(page.getByTestId('compress-row-conv2d_1_pw')).toBeVisible();
  await page.screenshot({ path: 'test-results/inspect-separable.png' });

  await page.keyboard.press('Control+z');
  await expect(totalParams(page)).toHaveText(fmt(before));
  await expect(layerNode(page, 'conv2d_1_dw')).toHaveCount(0);
  await expect(layerNode(page, 'conv2d_1')).toBeVisible();

  // With BN the promise includes its 4×6 params, and is kept too.
  await page.getByTestId('separable-bn').check();
  await expect(saving).toHaveAttribute('data-params', String(2154 - 24));
  await page.getByTestId('make-separable-conv2d_1').click();
  await expect(totalParams(page)).toHaveText(fmt(before - 2130));
  await expect(layerNode(page, 'conv2d_1_bn')).toBeVisible();
  expect(errors).toEqual([]);
});

test('made separable inside a block, the block changes for every instance and the project keeps its blocks', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=resnet-cifar');
  await expect(totalParams(page)).toHaveText('274,442');
  const instances = page.locator('[data-testid^="block-stage"]');
  await expect(instances).toHaveCount(9);
  await page.getByTestId('tab-inspect').click();
  // The strided residual block is used twice (stage 2: 16 → 32 channels, stage 3: 32 → 64): each saves its own amount.
  const here = page.getByTestId('separable-saving-stage2_block1/1_conv');
  const there = page.getByTestId('separable-saving-stage3_block1/1_conv');
  const saved = num(await here.getAttribute('data-params')) + num(await there.getAttribute('data-params'));
  expect(saved).toBeGreaterThan(0);
  await page.getByTestId('make-separable-stage2_block1/1_conv').click();
  await expect(totalParams(page)).toHaveText(fmt(274_442 - saved));
  // Both instances have the rewritten layers, and nothing was unpacked.
  await expect(page.getByTestId('compress-row-stage3_block1/1_conv_pw')).toBeVisible();
  await expect(page.getByTestId('compress-row-stage2_block1/1_conv_pw')).toBeVisible();
  await expect(instances).toHaveCount(9);
  await expect(page.locator('.react-flow__node')).toHaveCount(16);
  await page.screenshot({ path: 'test-results/inspect-separable-in-block.png' });
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  await expect(totalParams(page)).toHaveText('274,442');
  expect(errors).toEqual([]);
});
