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
