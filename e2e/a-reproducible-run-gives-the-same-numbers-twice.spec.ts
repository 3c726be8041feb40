import { expect, test, type Page } from '@playwright/test';
import { trackErrors } from './support/editor';
import { openTrain, settings } from './support/train';

test.setTimeout(180_000);

/** The epoch table's rows as text (loss, accuracy, validation loss and accuracy; the time column left out). */
async function epochNumbers(page: Page): Promise<string[]> {
  const rows = page.getByTestId('train-epochs').locator('tbody tr');
  const out: string[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const cells = await rows.nth(i).locator('td').allInnerTexts();
    out.push(cells.slice(0, 5).join(' | '));
  }
  return out;
}

async function trainOnce(page: Page): Promise<string[]> {
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  return epochNumbers(page);
}

test('with Reproducible ticked, training twice with the same seed gives the same epoch figures', async ({ page }) => {
  const errors = trackErrors(page);
  await openTrain(page, 'lenet5');
  await settings(page, { limit: '640', epochs: '2', batch: '32' });
  await page.getByTestId('train-backend').selectOption('wasm');
  const hint = page.getByTestId('train-seed-hint');
  await expect(hint).toContainText('follows their measured speed');
  await page.getByTestId('train-reproducible').check();
  await expect(hint).toContainText('split evenly across the workers');

  const first = await trainOnce(page);
  expect(first).toHaveLength(2);
  const second = await trainOnce(page);
  expect(second).toEqual(first);

  // Another seed starts from other weights: the figures change, so the equality above is not an accident.
  await settings(page, {}); // a run folds the settings away
  await page.getByTestId('train-seed').fill('2');
  const other = await trainOnce(page);
  expect(other).not.toEqual(first);
  expect(errors).toEqual([]);
});
