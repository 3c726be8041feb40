import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { openEditor, totalParams } from './support/editor';

/** Serious and critical WCAG 2.1 A/AA violations axe finds on the page as it is now, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} element(s), e.g. ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('the editor, every side-panel tab and the dialogs have no serious accessibility violations', async ({ page }) => {
  test.setTimeout(120_000);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');
  expect(await seriousViolations(page), 'editor').toEqual([]);

  for (const tab of ['layer', 'summary', 'data', 'train', 'inspect']) {
    await page.getByTestId(`tab-${tab}`).click();
    await expect(page.getByTestId(`panel-${tab}`)).toBeVisible();
    expect(await seriousViolations(page), `${tab} tab`).toEqual([]);
  }

  await page.getByTestId('node-conv2d').locator('.layer-node-head').click();
  await page.getByTestId('tab-layer').click();
  await expect(page.getByTestId('layer-name')).toHaveValue('conv2d');
  expect(await seriousViolations(page), 'layer form').toEqual([]);

  await page.getByTestId('share').click();
  await expect(page.getByTestId('share-dialog')).toBeVisible();
  expect(await seriousViolations(page), 'share dialog').toEqual([]);
  await page.keyboard.press('Escape');

  await page.getByTestId('help').click();
  await expect(page.getByTestId('help-overlay')).toBeVisible();
  expect(await seriousViolations(page), 'keyboard shortcuts dialog').toEqual([]);
  await page.keyboard.press('Escape');

  await page.getByTestId('menu-file').click();
  await page.getByTestId('action-new').click();
  await expect(page.getByTestId('empty-state')).toBeVisible();
  expect(await seriousViolations(page), 'empty canvas').toEqual([]);
});

test('a small window with the More menu open and the panels folded has no serious accessibility violations', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 600 });
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');
  await page.getByTestId('toolbar-more').click();
  await expect(page.getByTestId('more-fit-view')).toBeVisible();
  expect(await seriousViolations(page), 'More menu').toEqual([]);
  await page.keyboard.press('Escape');
  await page.getByTestId('palette-close').click();
  await page.getByTestId('side-close').click();
  await expect(page.getByTestId('side-open')).toBeVisible();
  expect(await seriousViolations(page), 'folded panels').toEqual([]);
  await page.getByTestId('node-conv2d').click({ button: 'right' });
  await expect(page.getByTestId('context-menu')).toBeVisible();
  expect(await seriousViolations(page), 'context menu').toEqual([]);
});
