import { expect, test } from '@playwright/test';
import { layerNode, openEditor, selectLayer, setPair, totalParams, trackErrors } from './support/editor';

test('a kernel larger than its input turns that layer red with the reason, and fixing it clears the error', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');

  // conv2d_1 sees the 14×14×6 output of the first pooling layer.
  await selectLayer(page, 'conv2d_1');
  await setPair(page, 'kernelSize', 15);

  const bad = layerNode(page, 'conv2d_1');
  await expect(bad).toHaveAttribute('data-status', 'error');
  await expect(bad.getByTestId('node-error')).toHaveText('kernel 15×15 is larger than the 14×14 input (padding valid)');
  // The message also sits under the field at fault, and everything downstream is dimmed rather than red.
  await expect(page.getByTestId('param-error-kernelSize')).toContainText('larger than the 14×14 input');
  for (const name of ['max_pooling2d_1', 'flatten', 'dense', 'dense_1', 'dense_2']) {
    await expect(layerNode(page, name)).toHaveAttribute('data-status', 'blocked');
  }
  await expect(layerNode(page, 'conv2d')).toHaveAttribute('data-status', 'ok');
  await expect(page.getByTestId('graph-status')).toHaveText('1 problem');

  await setPair(page, 'kernelSize', 5);
  await expect(bad).toHaveAttribute('data-status', 'ok');
  await expect(bad.getByTestId('node-error')).toHaveCount(0);
  await expect(bad.getByTestId('node-shape')).toHaveText('10×10×16');
  await expect(totalParams(page)).toHaveText('61,706');
  await expect(page.getByTestId('graph-status')).toHaveText('valid');
  expect(errors).toEqual([]);
});

test('a value the schema refuses is named on its field and on the node', async ({ page }) => {
  await openEditor(page, '/?preset=lenet5');
  await selectLayer(page, 'dense');
  await page.getByTestId('param-units').fill('0');
  await expect(page.getByTestId('param-error-units')).toHaveText('Units must be a whole number ≥ 1; 0 is below 1');
  await expect(layerNode(page, 'dense')).toHaveAttribute('data-status', 'error');
  await expect(layerNode(page, 'dense').getByTestId('node-error')).toHaveText('Units must be a whole number ≥ 1; 0 is below 1');
  await page.getByTestId('param-units').fill('120');
  await expect(layerNode(page, 'dense')).toHaveAttribute('data-status', 'ok');
  await expect(totalParams(page)).toHaveText('61,706');
});
