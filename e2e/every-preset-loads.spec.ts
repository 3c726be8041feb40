import { expect, test, type Page } from '@playwright/test';
import { openEditor, totalParams, trackErrors } from './support/editor';

const fmt = (n: number) => n.toLocaleString('en-US');

/** The presets as the menu lists them, with the totals each must show. */
async function menuPresets(page: Page): Promise<Array<{ id: string; params: number; name: string }>> {
  await page.getByTestId('menu-presets').click();
  const items = page.locator('[data-preset-id]');
  await expect(items.first()).toBeVisible();
  const list = await items.evaluateAll((els) =>
    els.map((el) => ({
      id: el.getAttribute('data-preset-id')!,
      params: Number(el.getAttribute('data-expected-params')),
      name: el.querySelector('.menu-item-title')?.textContent ?? '',
    })),
  );
  await page.keyboard.press('Escape');
  return list;
}

test('every preset loads from its URL without errors and shows its expected params', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = trackErrors(page);
  await openEditor(page);
  const presets = await menuPresets(page);
  expect(presets.map((p) => p.id)).toContain('lenet5');
  for (const preset of presets) {
    await test.step(preset.id, async () => {
      await openEditor(page, `/?preset=${preset.id}`);
      await expect(totalParams(page)).toHaveText(fmt(preset.params));
      await expect(page.getByTestId('graph-status')).toHaveText('valid');
      await expect(page.locator('.layer-node.status-error')).toHaveCount(0);
      await expect(page.locator('.react-flow__node').first()).toBeVisible();
      expect(errors, `page errors with ${preset.id}`).toEqual([]);
    });
  }
});

test('every preset opens from the Presets menu', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = trackErrors(page);
  await openEditor(page);
  for (const preset of await menuPresets(page)) {
    await page.getByTestId('menu-presets').click();
    await page.getByTestId(`preset-${preset.id}`).click();
    await expect(totalParams(page)).toHaveText(fmt(preset.params));
    await expect(page.getByTestId('project-name')).toHaveValue(preset.name);
  }
  expect(errors).toEqual([]);
});
