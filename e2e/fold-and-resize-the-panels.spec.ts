import { expect, test } from '@playwright/test';
import { openEditor, totalParams, trackErrors } from './support/editor';
import { expectWhollyOnScreen } from './support/layout';

const width = async (page: import('@playwright/test').Page, testid: string) => (await page.getByTestId(testid).boundingBox())!.width;

test('at 800×600 a user folds both panels for room and re-opens them; resized panels keep their widths after a reload', async ({ page }) => {
  const errors = trackErrors(page);
  await page.setViewportSize({ width: 800, height: 600 });
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');
  const canvasBefore = await width(page, 'canvas');

  await page.getByTestId('palette-close').click();
  await page.getByTestId('side-close').click();
  await expect(page.getByTestId('palette-search')).toHaveCount(0);
  await expect(page.getByTestId('panel-summary')).toHaveCount(0);
  await expect.poll(() => width(page, 'canvas')).toBeGreaterThan(canvasBefore + 300);

  // The folded side panel keeps its tabs: one opens it on that tab.
  await expectWhollyOnScreen(page.getByTestId('tab-train'));
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('panel-train')).toBeInViewport();
  await page.getByTestId('palette-open').click();
  await expectWhollyOnScreen(page.getByTestId('palette-search'));

  // Resizing, in a window with room for it: the side panel's edge dragged 60 px to the right, the palette's by keys.
  await page.setViewportSize({ width: 1024, height: 768 });
  const sideBefore = await width(page, 'side-panel');
  const edge = (await page.getByTestId('side-resizer').boundingBox())!;
  await page.mouse.move(edge.x + edge.width / 2, edge.y + 200);
  await page.mouse.down();
  await page.mouse.move(edge.x + edge.width / 2 + 30, edge.y + 200, { steps: 4 });
  await page.mouse.move(edge.x + edge.width / 2 + 60, edge.y + 200, { steps: 4 });
  await page.mouse.up();
  await expect.poll(() => width(page, 'side-panel')).toBe(sideBefore - 60);
  const sideAfter = await width(page, 'side-panel');

  const paletteBefore = await width(page, 'palette');
  await page.getByTestId('palette-resizer').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => width(page, 'palette')).toBe(paletteBefore + 32);

  await page.reload();
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('panel-train')).toBeVisible();
  expect(await width(page, 'side-panel')).toBe(sideAfter);
  expect(await width(page, 'palette')).toBe(paletteBefore + 32);

  // A damaged remembered layout is ignored: the panels open as in a browser that remembers none.
  await page.evaluate(() => localStorage.removeItem('convas.panels.v1'));
  await page.reload();
  const fresh = await width(page, 'palette');
  await page.evaluate(() => localStorage.setItem('convas.panels.v1', JSON.stringify({ paletteOpen: true, sideOpen: 'wide', paletteWidth: -5 })));
  await page.reload();
  await expect(page.getByTestId('palette-search')).toBeVisible();
  expect(await width(page, 'palette')).toBe(fresh);
  expect(fresh).not.toBe(paletteBefore + 32);
  expect(errors).toEqual([]);
});
