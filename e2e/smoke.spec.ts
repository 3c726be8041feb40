import { expect, test } from '@playwright/test';

test('the app loads and shows the LeNet-5 preset with its 61,706 parameters', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?preset=lenet5');
  await expect(page.getByTestId('total-params')).toHaveText('61,706');
  // Input + the 8 layers Keras' model.summary() lists (conv, pool, conv, pool, flatten, dense ×3).
  await expect(page.locator('.react-flow__node')).toHaveCount(9);
  expect(errors).toEqual([]);
});
