import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { exportProject, graphByName, importFile, layerNode, openEditor, selectLayer, setParam, totalParams, trackErrors } from './support/editor';

test('exporting a project and importing the file gives the same graph', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await selectLayer(page, 'dense_1');
  await setParam(page, 'units', '64');
  const params = await totalParams(page).textContent();
  expect(params).not.toBe('61,706');
  const exported = await exportProject(page);
  expect(exported.json.format).toBe('convas-project');

  // Start over, then bring the file back.
  await page.getByTestId('menu-file').click();
  await page.getByTestId('action-new').click();
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
  await importFile(page, { name: 'lenet.convas.json', buffer: await readFile(exported.path) });
  await expect(page.getByTestId('toast').last()).toContainText('Imported lenet.convas.json');
  await expect(layerNode(page, 'dense_1')).toBeVisible();
  await expect(totalParams(page)).toHaveText(params!);

  const again = await exportProject(page);
  expect(again.json.graph).toEqual(exported.json.graph);
  expect(graphByName(again.json)).toEqual(graphByName(exported.json));
  expect(errors).toEqual([]);
});

test('a project file dropped on the canvas is imported too', async ({ page }) => {
  await openEditor(page, '/?preset=lenet5');
  const exported = await exportProject(page);
  await page.getByTestId('menu-file').click();
  await page.getByTestId('action-new').click();
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
  const dataTransfer = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.convas.json', { type: 'application/json' }));
    return dt;
  }, exported.text);
  await page.getByTestId('canvas').dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId('canvas').dispatchEvent('drop', { dataTransfer });
  await expect(totalParams(page)).toHaveText('61,706');
  await expect(page.locator('.react-flow__node')).toHaveCount(exported.json.graph.nodes.length);
});

test('a Keras/tfjs model.json is imported as a new, laid-out project with the same counts', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  const model = {
    format: 'layers-model',
    modelTopology: {
      class_name: 'Sequential',
      config: {
        name: 'mlp',
        layers: [
          { class_name: 'InputLayer', config: { name: 'pixels', batch_input_shape: [null, 784], dtype: 'float32' } },
          { class_name: 'Dense', config: { name: 'hidden', units: 32, activation: 'relu', use_bias: true } },
          { class_name: 'Dense', config: { name: 'out', units: 10, activation: 'softmax', use_bias: true } },
        ],
      },
    },
  };
  await importFile(page, { name: 'model.json', buffer: Buffer.from(JSON.stringify(model)) });
  // 784·32 + 32 + 32·10 + 10
  await expect(totalParams(page)).toHaveText('25,450');
  await expect(page.getByTestId('project-name')).toHaveValue('mlp');
  await expect(layerNode(page, 'hidden').getByTestId('node-shape')).toHaveText('32');
  // ELK placed the layers one under the other.
  const a = (await layerNode(page, 'pixels').boundingBox())!;
  const b = (await layerNode(page, 'out').boundingBox())!;
  expect(b.y).toBeGreaterThan(a.y + a.height);

  // The LeNet project it replaced on screen is still saved.
  await page.getByTestId('menu-file').click();
  await page.getByTestId('action-projects').click();
  await expect(page.getByTestId('project-row').filter({ hasText: 'LeNet-5' })).toHaveCount(1);
  expect(errors).toEqual([]);
});

