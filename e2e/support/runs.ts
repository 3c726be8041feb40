import { expect, type Locator, type Page } from '@playwright/test';

/** Opens the Runs tab and waits for its table (or its empty note). */
export async function openRuns(page: Page): Promise<void> {
  await page.getByTestId('tab-runs').click();
  await expect(page.getByTestId('runs-panel')).toBeVisible();
  await expect(page.getByTestId('runs-table').or(page.getByTestId('runs-empty'))).toBeVisible();
}

export const runRows = (page: Page): Locator => page.getByTestId('runs-row');

/** The text of one column of a run's row. */
export const runCell = (row: Locator, col: string): Locator => row.locator(`td[data-col="${col}"]`);

/** Starts a LeNet-5 run on a small MNIST subset on wasm (no backend probe) from the Train tab. */
export async function startSmallRun(page: Page, o: { limit: string; epochs: string }): Promise<void> {
  await page.getByTestId('tab-train').click();
  await page.getByTestId('train-limit').fill(o.limit);
  await page.getByTestId('train-epochs-input').fill(o.epochs);
  await page.getByTestId('train-backend').selectOption('wasm');
  await page.getByTestId('train-start').click();
}
