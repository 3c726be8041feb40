import { expect, test } from '@playwright/test';
import { layerNode, openEditor, selectLayer, setParam, totalParams, trackErrors } from './support/editor';

test('several named projects are kept in the browser and can be switched, reopened after a reload and deleted', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await page.getByTestId('project-name').fill('Digits');
  await page.getByTestId('project-name').press('Enter');
  await selectLayer(page, 'dense');
  await setParam(page, 'units', '64');
  const digits = await totalParams(page).textContent();

  await page.getByTestId('menu-presets').click();
  await page.getByTestId('preset-basic-cnn').click();
  await page.getByTestId('project-name').fill('Small CNN');
  await page.getByTestId('project-name').press('Enter');
  const small = await totalParams(page).textContent();
  expect(small).not.toBe(digits);

  const openProjects = async () => {
    await page.getByTestId('menu-file').click();
    await page.getByTestId('action-projects').click();
    return page.getByTestId('projects-dialog');
  };
  let dialog = await openProjects();
  await expect(dialog.getByTestId('project-row')).toHaveCount(2);
  await expect(dialog.getByTestId('project-row').first()).toContainText('Small CNN');
  await dialog.getByTestId('project-row').filter({ hasText: 'Digits' }).getByRole('button', { name: 'Open' }).click();
  await expect(totalParams(page)).toHaveText(digits!);
  await expect(page.getByTestId('project-name')).toHaveValue('Digits');
  await expect(layerNode(page, 'dense')).toBeVisible();

  await page.reload();
  await expect(page.getByTestId('project-name')).toHaveValue('Digits');
  await expect(totalParams(page)).toHaveText(digits!);

  dialog = await openProjects();
  page.once('dialog', (d) => void d.accept());
  await dialog.getByTestId('project-row').filter({ hasText: 'Small CNN' }).getByRole('button', { name: 'Delete' }).click();
  await expect(dialog.getByTestId('project-row')).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('project-name')).toHaveValue('Digits');
  expect(errors).toEqual([]);
});
