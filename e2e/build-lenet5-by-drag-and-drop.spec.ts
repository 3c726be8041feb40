import { expect, test } from '@playwright/test';
import { connect, dropLayer, layerNode, openEditor, selectLayer, setPair, setParam, totalParams, trackErrors } from './support/editor';

test('a user builds LeNet-5 from an empty canvas by drag-and-drop and reads 61,706 params', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = trackErrors(page);
  await openEditor(page);
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await expect(totalParams(page)).toHaveText('0');

  // Two columns of drops, top to bottom.
  const layers: Array<[string, { x: number; y: number }]> = [
    ['Input', { x: 170, y: 70 }],
    ['Conv2D', { x: 170, y: 210 }],
    ['MaxPooling2D', { x: 170, y: 350 }],
    ['Conv2D', { x: 170, y: 490 }],
    ['MaxPooling2D', { x: 170, y: 630 }],
    ['Flatten', { x: 560, y: 70 }],
    ['Dense', { x: 560, y: 210 }],
    ['Dense', { x: 560, y: 350 }],
    ['Dense', { x: 560, y: 490 }],
  ];
  for (const [kind, at] of layers) await dropLayer(page, kind, at);
  await expect(page.getByTestId('empty-state')).toHaveCount(0);

  const chain = ['input', 'conv2d', 'max_pooling2d', 'conv2d_1', 'max_pooling2d_1', 'flatten', 'dense', 'dense_1', 'dense_2'];
  for (const name of chain) await expect(layerNode(page, name)).toBeVisible();
  for (let i = 1; i < chain.length; i++) await connect(page, chain[i - 1], chain[i]);
  await expect(page.locator('.react-flow__edge')).toHaveCount(8);

  // Every edge carries a shape label once the defaults flow through.
  await expect(layerNode(page, 'input').getByTestId('node-shape')).toHaveText('28×28×1');

  await selectLayer(page, 'conv2d');
  await setParam(page, 'filters', '6');
  await setPair(page, 'kernelSize', 5);
  await setParam(page, 'padding', 'same');
  await expect(layerNode(page, 'conv2d').getByTestId('node-shape')).toHaveText('28×28×6');

  await selectLayer(page, 'conv2d_1');
  await setParam(page, 'filters', '16');
  await setPair(page, 'kernelSize', 5);
  await setParam(page, 'padding', 'valid');
  await expect(layerNode(page, 'flatten').getByTestId('node-shape')).toHaveText('400');

  for (const [name, units, act] of [
    ['dense', '120', 'relu'],
    ['dense_1', '84', 'relu'],
    ['dense_2', '10', 'softmax'],
  ] as const) {
    await selectLayer(page, name);
    await setParam(page, 'units', units);
    await setParam(page, 'activation', act);
  }

  await expect(totalParams(page)).toHaveText('61,706');
  await page.getByTestId('tab-summary').click();
  await expect(page.getByTestId('summary-total-params')).toHaveText('61,706');
  await expect(page.getByTestId('summary-macs')).toHaveAttribute('title', '416,520');
  await expect(page.getByTestId('graph-status')).toHaveText('valid');
  expect(errors).toEqual([]);
});
