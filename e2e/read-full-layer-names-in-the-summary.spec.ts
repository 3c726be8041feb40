import { expect, test } from '@playwright/test';
import { openEditor, totalParams, trackErrors } from './support/editor';

// A long name wraps after its block prefix instead of ending in an ellipsis: the ellipsis needed a clip per row, and
// ResNet-50's 177 clips made every canvas frame of a drag slower.
test('the summary shows each layer name of ResNet-50 in full, wrapped after the block prefix', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=resnet50');
  await expect(totalParams(page)).toHaveText('25,636,712');
  await page.getByTestId('tab-summary').click();
  for (const size of [{ width: 1440, height: 900 }, { width: 800, height: 600 }]) {
    await page.setViewportSize(size);
    const name = page.getByTestId('summary-row-conv3_block1/0_conv').locator('.lname');
    await name.scrollIntoViewIfNeeded();
    await expect(name).toHaveText('conv3_block1/0_conv');
    const fit = await name.evaluate((el) => {
      // Where the first and the last text nodes ("conv3_block1", then "/", a <wbr> and "0_conv") are drawn.
      const box = (node: Node) => {
        const r = document.createRange();
        r.selectNodeContents(node);
        return { top: r.getBoundingClientRect().top, text: r.toString() };
      };
      return { overflow: el.scrollWidth - el.clientWidth, first: box(el.firstChild!), last: box(el.lastChild!) };
    });
    expect(fit.overflow).toBeLessThanOrEqual(0);
    // Too long for one line of the column: broken after the "/".
    expect(fit.first.text).toBe('conv3_block1');
    expect(fit.last.text).toBe('0_conv');
    expect(fit.last.top).toBeGreaterThan(fit.first.top + 5);
  }
  expect(errors).toEqual([]);
});
