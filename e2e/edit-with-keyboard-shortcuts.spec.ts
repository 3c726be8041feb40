import { expect, test } from '@playwright/test';
import { layerNode, openEditor, totalParams, trackErrors } from './support/editor';

test('copy, paste, duplicate, select all, delete, layout and help work from the keyboard', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');
  const nodes = page.locator('.react-flow__node');
  await expect(nodes).toHaveCount(9);

  // Copy + paste two connected layers: the wire between them comes along, names stay unique.
  await layerNode(page, 'dense').locator('.layer-node-head').click();
  await layerNode(page, 'dense_1').locator('.layer-node-head').click({ modifiers: ['Control'] });
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await expect(nodes).toHaveCount(11);
  await expect(layerNode(page, 'dense_3')).toBeVisible();
  await expect(layerNode(page, 'dense_4')).toBeVisible();
  await expect(page.locator('.react-flow__edge')).toHaveCount(9);

  await page.keyboard.press('Control+d');
  await expect(nodes).toHaveCount(13);

  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await expect(nodes).toHaveCount(0);
  await expect(totalParams(page)).toHaveText('0');
  await page.keyboard.press('Control+z');
  await expect(nodes).toHaveCount(13);

  // Auto-layout left to right moves the handles to the sides.
  const before = await layerNode(page, 'flatten').boundingBox();
  await page.keyboard.press('Shift+L');
  await expect(layerNode(page, 'input').locator('.react-flow__handle.source')).toHaveClass(/react-flow__handle-right/);
  await expect.poll(async () => JSON.stringify(await layerNode(page, 'flatten').boundingBox())).not.toBe(JSON.stringify(before));
  await page.keyboard.press('l');
  await expect(layerNode(page, 'input').locator('.react-flow__handle.source')).toHaveClass(/react-flow__handle-bottom/);

  await page.keyboard.press('?');
  await expect(page.getByTestId('help-overlay')).toContainText('Duplicate');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help-overlay')).toHaveCount(0);

  // Arrow keys nudge the selection, one undo step per press.
  await layerNode(page, 'flatten').locator('.layer-node-head').click();
  const at = (await layerNode(page, 'flatten').boundingBox())!;
  await page.keyboard.press('Shift+ArrowRight');
  await expect.poll(async () => (await layerNode(page, 'flatten').boundingBox())!.x).toBeGreaterThan(at.x + 10);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => Math.round((await layerNode(page, 'flatten').boundingBox())!.x)).toBe(Math.round(at.x));

  // N starts a new project (the current one stays saved); P opens the presets menu.
  await page.keyboard.press('n');
  await expect(nodes).toHaveCount(0);
  await page.keyboard.press('p');
  await page.getByTestId('preset-lenet5').click();
  await expect(totalParams(page)).toHaveText('61,706');
  expect(errors).toEqual([]);
});

test('searching the palette and pressing Enter appends the layer after the selected one, wired', async ({ page }) => {
  await openEditor(page, '/?preset=lenet5');
  await layerNode(page, 'dense_2').locator('.layer-node-head').click();
  await page.keyboard.press('/');
  await page.keyboard.type('drop');
  await expect(page.getByTestId('palette').locator('.palette-item')).not.toHaveCount(0);
  await expect(page.getByTestId('palette-Dense')).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect(layerNode(page, 'dropout')).toBeVisible();
  await expect(layerNode(page, 'dropout')).toHaveAttribute('data-status', 'ok');
  await expect(layerNode(page, 'dropout').getByTestId('node-shape')).toHaveText('10');
  await expect(page.getByTestId('layer-name')).toHaveValue('dropout');

  // Arrow keys walk the filtered list; Enter adds the focused kind after the (new) selection.
  await page.getByTestId('palette-search').fill('dense');
  await page.getByTestId('palette-search').press('ArrowDown');
  await expect(page.getByTestId('palette-Dense')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(layerNode(page, 'dense_3')).toHaveAttribute('data-status', 'ok');
  await expect(layerNode(page, 'dense_3').getByTestId('node-shape')).toHaveText('10');

  // With no name matching, the search looks into what each layer does.
  await page.getByTestId('palette-search').fill('residual');
  await expect(page.getByTestId('palette-Add')).toBeVisible();
});
