import { expect, test } from '@playwright/test';
import { openEditor, trackErrors } from './support/editor';
import { openRuns, runCell, runRows, startSmallRun } from './support/runs';

test.setTimeout(300_000);

test('reload in the middle of a run: it shows as interrupted with its finished epochs, and resumes from the last one', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  // Far more epochs than the story lasts, so the reload always lands mid-run.
  await startSmallRun(page, { limit: '600', epochs: '500' });
  await openRuns(page);
  const row = runRows(page).first();
  await expect(row).toHaveAttribute('data-state', 'running', { timeout: 120_000 });
  await row.click();
  // Wait until two epochs' weights are stored: what a reload may keep.
  await expect(page.getByTestId('run-detail-weights')).toContainText(/epochs? (\d+, )?([2-9]|\d\d+)/, { timeout: 180_000 });

  await page.reload();
  await expect(page.getByTestId('toolbar')).toBeVisible();
  // The Train tab says so, with the curves up to the last kept epoch.
  await page.getByTestId('tab-train').click();
  await expect(page.getByTestId('train-message')).toContainText(/was interrupted after epoch \d+; .*Resume it from the Runs tab/);
  await page.screenshot({ path: 'test-results/train-after-interrupt.png' });
  await openRuns(page);
  await expect(runRows(page)).toHaveCount(1);
  const again = runRows(page).first();
  await expect(again).toHaveAttribute('data-state', 'interrupted');
  const epochsText = await runCell(again, 'epochs').innerText();
  const kept = parseInt(epochsText, 10);
  expect(kept).toBeGreaterThanOrEqual(2);
  await again.click();
  await expect(page.getByTestId('run-interrupted')).toContainText(`Everything up to epoch`);
  await page.screenshot({ path: 'test-results/runs-interrupted.png' });
  const resume = page.getByTestId('run-resume');
  const from = parseInt((await resume.innerText()).replace(/\D+/g, ''), 10);
  expect(from).toBeGreaterThan(1);
  await resume.click();

  // Training continues in the same run, numbering epochs from where it left off.
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'training', { timeout: 120_000 });
  const epochRows = page.getByTestId('train-epochs').locator('tbody tr');
  // At least the resumed epoch: an epoch of 600 samples is short, and on a busy machine two can end between two looks.
  await expect.poll(() => epochRows.count(), { timeout: 120_000 }).toBeGreaterThanOrEqual(from);
  await expect(epochRows.nth(from - 2).locator('td').first()).toHaveText(String(from - 1));
  await expect(epochRows.nth(from - 1).locator('td').first()).toHaveText(String(from));
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'stopped', { timeout: 120_000 });

  await openRuns(page);
  await expect(runRows(page)).toHaveCount(1);
  await expect(runRows(page).first()).toHaveAttribute('data-state', 'stopped');
  await runRows(page).first().click();
  await expect(page.getByTestId('run-detail')).toContainText('resumed 1×');
  expect(parseInt(await runCell(runRows(page).first(), 'epochs').innerText(), 10)).toBeGreaterThanOrEqual(from);
  expect(errors).toEqual([]);
});
