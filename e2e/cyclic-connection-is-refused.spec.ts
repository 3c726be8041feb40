import { expect, test } from '@playwright/test';
import { connect, dropLayer, layerNode, openEditor, totalParams, trackErrors } from './support/editor';

test('wiring a layer back into one upstream of it is refused with the reason, and the graph stays as it was', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');
  const edges = page.locator('.react-flow__edge');
  await expect(edges).toHaveCount(8);

  // A side branch conv2d → add → activation; add takes several inputs, so only the loop can be the reason.
  await dropLayer(page, 'Add', { x: 640, y: 120 });
  await dropLayer(page, 'Activation', { x: 640, y: 300 });
  await connect(page, 'conv2d', 'add', 0);
  await connect(page, 'add', 'activation');
  await expect(edges).toHaveCount(10);

  await connect(page, 'activation', 'add', 1);
  await expect(page.getByTestId('toast').last()).toContainText('Connection refused: connecting activation → add would create a cycle');
  await expect(edges).toHaveCount(10);
  // add still has one input (it wants two): its own message, not a cycle.
  await expect(layerNode(page, 'add').getByTestId('node-error')).toContainText('has 1');
  expect(errors).toEqual([]);
});

test('feeding a single-input layer a second time is refused with the reason', async ({ page }) => {
  await openEditor(page, '/?preset=lenet5');
  const edges = page.locator('.react-flow__edge');
  await expect(edges).toHaveCount(8);
  await connect(page, 'input', 'conv2d_1');
  await expect(page.getByTestId('toast').last()).toContainText('conv2d_1 takes a single input and is already fed by max_pooling2d');
  await expect(edges).toHaveCount(8);
  await expect(totalParams(page)).toHaveText('61,706');
});
