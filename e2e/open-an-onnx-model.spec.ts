import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { exportProject, importFile, layerNode, openEditor, totalParams, trackErrors, waitForCanvasAtRest } from './support/editor';

const fixture = (name: string) => readFile(new URL(`../src/graph/formats/fixtures/onnx/${name}.onnx`, import.meta.url));

test('opening a PyTorch-exported ONNX model shows its graph and totals, and Inspect uses its weights', async ({ page }, info) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');

  await importFile(page, { name: 'resnet_small.onnx', mimeType: 'application/octet-stream', buffer: await fixture('resnet_small') });
  await expect(page.getByTestId('toast').last()).toContainText('Imported resnet_small.onnx as a new project with its weights');
  // PyTorch's count: 9,938 trainable (conv, BN γ/β, fc) + 208 BN moving statistics.
  await expect(totalParams(page)).toHaveText('10,146');
  for (const name of ['input', 'conv1', 'bn1', 'pool_pad', 'layer2_down_down.0', 'layer2_Add', 'gap', 'fc']) {
    await expect(layerNode(page, name)).toBeVisible();
  }
  await waitForCanvasAtRest(page);
  await page.screenshot({ path: info.outputPath('onnx-resnet-1440.png') });

  await page.setViewportSize({ width: 800, height: 600 });
  await waitForCanvasAtRest(page);
  await page.screenshot({ path: info.outputPath('onnx-resnet-800.png') });
  await page.setViewportSize({ width: 1440, height: 900 });

  await page.getByTestId('tab-inspect').click();
  // The Inspect tab is a chunk of its own and builds the model first: on a busy machine that takes a while.
  await expect(page.getByTestId('inspect-weights')).toHaveText('Using the trained weights.', { timeout: 45_000 });
  await page.screenshot({ path: info.outputPath('onnx-resnet-inspect-1440.png') });

  const saved = await exportProject(page);
  expect(saved.json.graph.nodes.filter((n) => n.kind === 'BatchNormalization')).toHaveLength(8);
  expect(errors).toEqual([]);
});

test('a malformed or unsupported ONNX file is refused with a clear error and leaves the project untouched', async ({ page }, info) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');
  const before = await exportProject(page);

  const good = await fixture('mobilenet_block');
  await importFile(page, { name: 'truncated.onnx', buffer: good.subarray(0, 4000) });
  const toast = page.getByTestId('toast').last();
  await expect(toast).toContainText('Import of truncated.onnx refused; your graph is unchanged');
  await page.screenshot({ path: info.outputPath('onnx-refused-1440.png') });

  await importFile(page, { name: 'junk.onnx', buffer: Buffer.from('this is not a protobuf at all, just text') });
  await expect(page.getByTestId('toast').last()).toContainText('Import of junk.onnx refused; your graph is unchanged');

  await expect(totalParams(page)).toHaveText('61,706');
  const after = await exportProject(page);
  expect(after.json).toEqual(before.json);
  expect(errors).toEqual([]);
});

test('an ONNX model dropped on the canvas opens the same way', async ({ page }, info) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');
  const bytes = [...(await fixture('mobilenet_block'))];
  const dataTransfer = await page.evaluateHandle((b) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], 'mobilenet_block.onnx', { type: 'application/octet-stream' }));
    return dt;
  }, bytes);
  await page.getByTestId('canvas').dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId('canvas').dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId('toast').last()).toContainText('Imported mobilenet_block.onnx as a new project with its weights');
  // BatchNorm folded into the convs by PyTorch's default export: 2,194 params, all trainable.
  await expect(totalParams(page)).toHaveText('2,194');
  await expect(layerNode(page, 'block1_block1.0')).toHaveAttribute('data-status', 'ok');
  await expect(layerNode(page, 'mix')).toBeVisible();
  await waitForCanvasAtRest(page);
  await page.setViewportSize({ width: 800, height: 600 });
  await waitForCanvasAtRest(page);
  await page.screenshot({ path: info.outputPath('onnx-mobilenet-800.png') });
  expect(errors).toEqual([]);
});
