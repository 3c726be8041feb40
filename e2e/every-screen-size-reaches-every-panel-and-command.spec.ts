import { expect, test } from '@playwright/test';
import { layerNode, openEditor, totalParams, trackErrors, waitForCanvasAtRest } from './support/editor';
import { checkToolbarMenu, expectToolbarFits, expectWhollyOnScreen, SCREEN_SIZES, toolbarCommand } from './support/layout';

const TABS = ['layer', 'summary', 'data', 'train', 'inspect'] as const;

for (const size of SCREEN_SIZES) {
  test(`at ${size.width}×${size.height} a user reaches every side-panel tab and every toolbar command`, async ({ page }) => {
    test.setTimeout(90_000);
    const errors = trackErrors(page);
    await page.setViewportSize(size);
    await openEditor(page, '/?preset=lenet5');
    await expect(totalParams(page)).toHaveText('61,706');
    await expectToolbarFits(page);

    const side = page.getByTestId('side-panel');
    for (const tab of TABS) {
      await page.getByTestId(`tab-${tab}`).click();
      await expectWhollyOnScreen(page.getByTestId(`tab-${tab}`));
      await expect(page.getByTestId(`panel-${tab}`)).toBeInViewport();
      const box = (await side.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(size.width);
    }
    await expect(page.getByTestId('train-start')).toHaveCount(0); // the Train tab's content left with its tab
    await page.getByTestId('tab-train').click();
    await expectWhollyOnScreen(page.getByTestId('train-start'));

    await checkToolbarMenu(page, 'menu-file', 'action-new');
    await checkToolbarMenu(page, 'menu-presets', 'preset-lenet5');
    await checkToolbarMenu(page, 'menu-export', 'export-svg');

    // The edit commands, on the last layer (picked in the summary, which any screen shows); the layer count says each ran.
    const count = page.getByTestId('layer-count');
    await page.getByTestId('tab-summary').click();
    await page.getByTestId('summary-row-dense_2').click();
    await expect(layerNode(page, 'dense_2')).toHaveClass(/selected/);
    await toolbarCommand(page, 'copy');
    await toolbarCommand(page, 'paste');
    await expect(count).toHaveText('10');
    await toolbarCommand(page, 'duplicate');
    await expect(count).toHaveText('11');
    await toolbarCommand(page, 'delete');
    await expect(count).toHaveText('10');
    await toolbarCommand(page, 'undo');
    await expect(count).toHaveText('11');
    await toolbarCommand(page, 'redo');
    await expect(count).toHaveText('10');
    await toolbarCommand(page, 'select-all');
    await toolbarCommand(page, 'delete');
    await expect(count).toHaveText('0');
    await toolbarCommand(page, 'undo');
    await expect(count).toHaveText('10');

    const flowDirection = () => page.locator('.react-flow__handle.source').first().getAttribute('class');
    await toolbarCommand(page, 'layout-lr');
    await expect.poll(flowDirection).toContain('right');
    await toolbarCommand(page, 'layout-tb');
    await expect.poll(flowDirection).toContain('bottom');
    await toolbarCommand(page, 'fit-view');
    await waitForCanvasAtRest(page);
    const minimaps = await page.locator('.react-flow__minimap').count();
    await toolbarCommand(page, 'toggle-minimap');
    await expect(page.locator('.react-flow__minimap')).toHaveCount(1 - minimaps);

    await expectWhollyOnScreen(page.getByTestId('share'));
    await page.getByTestId('share').click();
    await expectWhollyOnScreen(page.getByTestId('share-dialog'));
    await page.keyboard.press('Escape');
    await expectWhollyOnScreen(page.getByTestId('help'));
    await page.getByTestId('help').click();
    await expect(page.getByTestId('help-overlay')).toBeInViewport();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('help-overlay')).toHaveCount(0);
    expect(errors).toEqual([]);
  });
}
