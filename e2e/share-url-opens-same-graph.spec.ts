import { expect, test } from '@playwright/test';
import { exportProject, graphByName, layerNode, openEditor, selectLayer, setParam, totalParams, trackErrors } from './support/editor';

test('a share URL opens the same graph as a separate project, keeping the recipient’s own work', async ({ page, context }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await selectLayer(page, 'conv2d_1');
  await setParam(page, 'filters', '20');
  const params = await totalParams(page).textContent();
  const shared = await exportProject(page);
  await page.getByTestId('share').click();
  const url = await page.getByTestId('share-url').inputValue();
  expect(url).toMatch(/#share=/);
  await page.keyboard.press('Escape');

  // The recipient has work of their own in this browser.
  await page.getByTestId('menu-file').click();
  await page.getByTestId('action-new').click();
  await page.getByTestId('palette-Input').dblclick();
  await page.getByTestId('project-name').fill('Mine');
  await page.getByTestId('project-name').press('Enter');
  const mine = await exportProject(page);

  const other = await context.newPage();
  const otherErrors = trackErrors(other);
  await other.goto(url);
  await expect(totalParams(other)).toHaveText(params!);
  await expect(layerNode(other, 'conv2d_1')).toBeVisible();
  await expect(other.getByTestId('toast').first()).toContainText('shared design');
  const opened = await exportProject(other);
  expect(graphByName(opened.json)).toEqual(graphByName(shared.json));
  expect(other.url()).not.toContain('#share=');

  // The recipient's own project is still there, untouched.
  await other.getByTestId('menu-file').click();
  await other.getByTestId('action-projects').click();
  await expect(other.getByTestId('project-row').filter({ hasText: 'Mine' })).toHaveCount(1);
  await other.getByTestId('project-row').filter({ hasText: 'Mine' }).getByRole('button', { name: 'Open' }).click();
  const back = await exportProject(other);
  expect(back.json.graph).toEqual(mine.json.graph);
  expect(errors).toEqual([]);
  expect(otherErrors).toEqual([]);
});

test('a share link pasted into the address bar of an open editor opens too', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await page.getByTestId('share').click();
  const url = await page.getByTestId('share-url').inputValue();
  await page.keyboard.press('Escape');
  await page.getByTestId('menu-file').click();
  await page.getByTestId('action-new').click();
  await expect(totalParams(page)).toHaveText('0');
  await page.evaluate((hash) => (location.hash = hash), new URL(url).hash);
  await expect(totalParams(page)).toHaveText('61,706');
  await expect(page.getByTestId('project-name')).toHaveValue('LeNet-5 (shared)');
  expect(page.url()).not.toContain('#share=');
  expect(errors).toEqual([]);
});

