import { expect, test, type Page } from '@playwright/test';
import { openEditor, totalParams } from './support/editor';

const REGIONS = ['toolbar', 'palette', 'canvas', 'side panel'] as const;

/** Where the focused element is on screen, and whether it shows a focus ring. */
function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const region = el.closest('[data-testid="toolbar"]')
      ? 'toolbar'
      : el.closest('[data-testid="palette"]')
        ? 'palette'
        : el.closest('.canvas-wrap')
          ? 'canvas'
          : el.closest('[data-testid="side-panel"]')
            ? 'side panel'
            : 'other';
    const style = getComputedStyle(el);
    // SVG edges show focus by their stroke (React Flow's own style), everything else by an outline.
    const ring = el.tagName.toLowerCase() === 'g' || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1);
    return { region, ring, name: el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.tagName };
  });
}

for (const size of [{ width: 1440, height: 900 }, { width: 800, height: 600 }]) {
  test(`at ${size.width}×${size.height} Tab from the top of the page goes toolbar, palette, canvas, side panel, with a visible focus ring`, async ({ page }) => {
    await page.setViewportSize(size);
    await openEditor(page, '/?preset=lenet5');
    await expect(totalParams(page)).toHaveText('61,706');
    const visited: string[] = [];
    for (let i = 0; i < 80 && !visited.includes('side panel'); i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (!f) continue;
      expect(f.ring, `${f.name} shows where the focus is`).toBe(true);
      if (visited.at(-1) !== f.region) visited.push(f.region);
    }
    expect(visited).toEqual([...REGIONS]);
  });
}

test('a keyboard user adds layers from the palette with Enter', async ({ page }) => {
  await openEditor(page, '/?preset=lenet5');
  await expect(page.getByTestId('layer-count')).toHaveText('9');
  await page.getByTestId('palette-search').focus();
  await page.keyboard.press('Tab'); // the palette's fold button
  await page.keyboard.press('Tab'); // the list: one Tab stop, the arrows walk it
  await expect(page.getByTestId('palette-Input')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('palette-Conv2D')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('layer-count')).toHaveText('10');
  await expect(page.getByTestId('layer-name')).toHaveValue(/conv2d/);
  // Tab leaves the list for the canvas instead of walking thirty layer kinds.
  await page.getByTestId('palette-Conv2D').focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => !!document.activeElement?.closest('.canvas-wrap'))).toBe(true);
});
