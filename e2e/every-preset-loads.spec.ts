import { expect, test } from '@playwright/test';
import { presetList } from '../presets/index';
import { openEditor, totalParams, trackErrors } from './support/editor';

const fmt = (n: number) => n.toLocaleString('en-US');

for (const preset of presetList) {
  test(`the ${preset.name} preset loads without errors and shows its ${fmt(preset.expected.params)} params`, async ({ page }) => {
    const errors = trackErrors(page);
    await openEditor(page, `/?preset=${preset.id}`);
    await expect(totalParams(page)).toHaveText(fmt(preset.expected.params));
    await expect(page.getByTestId('graph-status')).toHaveText('valid');
    await expect(page.locator('.layer-node.status-error')).toHaveCount(0);
    await expect(page.locator('.react-flow__node').first()).toBeVisible();
    expect(errors).toEqual([]);
  });
}

test('every preset opens from the Presets menu', async ({ page }) => {
  await openEditor(page);
  for (const preset of presetList) {
    await page.getByTestId('menu-presets').click();
    await page.getByTestId(`preset-${preset.id}`).click();
    await expect(totalParams(page)).toHaveText(fmt(preset.expected.params));
    await expect(page.getByTestId('project-name')).toHaveValue(preset.name);
  }
});
