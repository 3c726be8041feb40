import { expect, test } from '@playwright/test';
import { exportProject, graphByName, layerNode, openEditor, selectLayer, setParam, totalParams, trackErrors, waitForCanvasAtRest } from './support/editor';

test('a reload restores the exact graph, names, params, positions and viewport', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');

  await selectLayer(page, 'conv2d');
  await setParam(page, 'filters', '8');
  await page.getByTestId('layer-name').fill('stem');
  await page.getByTestId('layer-name').press('Enter');
  const box = (await layerNode(page, 'flatten').boundingBox())!;
  await page.mouse.move(box.x + 50, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + 250, box.y + 40, { steps: 8 });
  await page.mouse.up();
  // Pan and zoom so that the viewport differs from the fitted one.
  const fitted = await page.locator('.react-flow__viewport').getAttribute('style');
  await page.locator('.react-flow__pane').hover({ position: { x: 300, y: 300 } });
  await page.mouse.wheel(0, -300);
  await expect(page.locator('.react-flow__viewport')).not.toHaveAttribute('style', fitted!);
  await waitForCanvasAtRest(page);
  await page.getByTestId('project-name').fill('My LeNet');
  await page.getByTestId('project-name').press('Enter');

  const params = await totalParams(page).textContent();
  const before = await exportProject(page);
  const viewport = await page.locator('.react-flow__viewport').getAttribute('style');

  await page.reload();
  await expect(page.getByTestId('toolbar')).toBeVisible();
  await expect(layerNode(page, 'stem')).toBeVisible();
  await expect(totalParams(page)).toHaveText(params!);
  await expect(page.getByTestId('project-name')).toHaveValue('My LeNet');
  await expect(page.locator('.react-flow__viewport')).toHaveAttribute('style', viewport!);
  const after = await exportProject(page);
  expect(after.json.graph).toEqual(before.json.graph);
  expect(graphByName(after.json)).toEqual(graphByName(before.json));
  expect(after.json.viewport).toEqual(before.json.viewport);
  expect(errors).toEqual([]);
});
