import { expect, type Page } from '@playwright/test';
import { openEditor } from './editor';

/** Opens a preset through its URL and switches to the Train tab. */
export async function openTrain(page: Page, preset: string): Promise<void> {
  await openEditor(page, `/?preset=${preset}`);
  await page.getByTestId('tab-train').click();
  // The panel's code (with the charts) is fetched on first opening; on a busy machine that can take a while.
  await expect(page.getByTestId('train-panel')).toBeVisible({ timeout: 30_000 });
}

/** Fills the Train tab's settings fields that are given. */
export async function settings(page: Page, s: { limit?: string; epochs?: string; batch?: string; lr?: string }): Promise<void> {
  if (s.limit) await page.getByTestId('train-limit').fill(s.limit);
  if (s.epochs) await page.getByTestId('train-epochs-input').fill(s.epochs);
  if (s.batch) await page.getByTestId('train-batch').fill(s.batch);
  if (s.lr) await page.getByTestId('train-lr').fill(s.lr);
}

/** The test accuracy the panel shows after a run, in percent. */
export async function testAccuracy(page: Page): Promise<number> {
  return parseFloat((await page.getByTestId('train-test-acc').locator('b').innerText()).replace('%', ''));
}
