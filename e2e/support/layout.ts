import { expect, type Locator, type Page } from '@playwright/test';

/** The screen sizes the editor must serve, from a desktop monitor down to a small laptop window. */
export const SCREEN_SIZES = [
  { width: 1920, height: 1080 },
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
  { width: 800, height: 600 },
] as const;

/** Waits until the toolbar has folded what does not fit: its last item ends inside the window. */
export async function expectToolbarFits(page: Page): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(() => {
        const bar = document.querySelector('[data-testid="toolbar"]');
        const last = bar?.lastElementChild?.getBoundingClientRect();
        return !!last && last.right <= window.innerWidth && bar!.scrollWidth <= bar!.clientWidth;
      }),
    )
    .toBe(true);
}

/** Asserts that an element lies wholly inside the window (not clipped by it). */
export async function expectWhollyOnScreen(l: Locator): Promise<void> {
  await expect(l).toBeInViewport({ ratio: 1 });
}

/**
 * Runs a toolbar command as a user of this window size would: its button on the bar when the bar has room for it,
 * otherwise the same command from the More menu. Each is checked to be wholly on screen before the click.
 */
export async function toolbarCommand(page: Page, id: string): Promise<'bar' | 'more'> {
  const onBar = page.getByTestId('toolbar').getByTestId(id);
  if (await onBar.count()) {
    await expectWhollyOnScreen(onBar);
    await onBar.click();
    return 'bar';
  }
  const more = page.getByTestId('toolbar-more');
  await expectWhollyOnScreen(more);
  await more.click();
  const item = page.getByTestId(`more-${id}`);
  await expectWhollyOnScreen(item);
  await item.click();
  await expect(item).toHaveCount(0); // the menu closes after a choice
  return 'more';
}

/** Opens a toolbar dropdown (File, Presets, Export), checks that `itemId` in it is on screen, and closes it again. */
export async function checkToolbarMenu(page: Page, menuId: string, itemId: string): Promise<void> {
  const button = page.getByTestId(menuId);
  await expectWhollyOnScreen(button);
  await button.click();
  await expectWhollyOnScreen(page.getByTestId(itemId));
  await page.keyboard.press('Escape');
  await expect(page.getByTestId(itemId)).toHaveCount(0);
}
