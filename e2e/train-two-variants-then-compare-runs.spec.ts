import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { openEditor, selectLayer, setParam, totalParams, trackErrors } from './support/editor';
import { openRuns, runCell, runRows, startSmallRun } from './support/runs';

test.setTimeout(360_000);

test('train two variants of LeNet-5 and compare them in the Runs tab', async ({ page }) => {
  const errors = trackErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await openEditor(page, '/?preset=lenet5');
  await startSmallRun(page, { limit: '800', epochs: '2' });
  await expect(page.getByTestId('train-test-acc')).toBeVisible({ timeout: 240_000 });

  // A wider first dense layer: another design, more params.
  const before = await totalParams(page).innerText();
  await selectLayer(page, 'dense');
  await setParam(page, 'units', '240');
  await expect(totalParams(page)).not.toHaveText(before);
  await startSmallRun(page, { limit: '800', epochs: '2' });
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });

  await openRuns(page);
  await expect(runRows(page)).toHaveCount(2);
  const fingerprints = await runRows(page).locator('td[data-col="fingerprint"]').allInnerTexts();
  expect(new Set(fingerprints).size).toBe(2);

  // Sorting by params puts the wider variant first, then last.
  await page.getByTestId('runs-sort-params').click();
  const params = async () => (await runRows(page).locator('td[data-col="params"]').allInnerTexts()).map((t) => parseInt(t.replace(/,/g, ''), 10));
  const desc = await params();
  expect(desc[0]).toBeGreaterThan(desc[1]);
  await page.getByTestId('runs-sort-params').click();
  const asc = await params();
  expect(asc[0]).toBeLessThan(asc[1]);

  // Both runs' curves overlaid: train and validation accuracy for each.
  await runRows(page).nth(0).getByTestId('runs-pick').check();
  await runRows(page).nth(1).getByTestId('runs-pick').check();
  await expect(page.getByTestId('runs-acc-chart').locator('path.recharts-curve')).toHaveCount(4);
  await expect(page.getByTestId('runs-loss-chart').locator('.recharts-legend-item')).toHaveCount(4);
  // The trade-off: one point per run; clicking one opens that run.
  const points = page.getByTestId('runs-scatter').locator('.recharts-scatter-symbol');
  await expect(points).toHaveCount(2);
  await page.getByTestId('runs-panel').screenshot({ path: 'test-results/runs-compare.png' });
  await page.screenshot({ path: 'test-results/runs-1440.png' });
  await points.nth(0).click();
  await expect(page.getByTestId('run-detail')).toBeVisible();
  await page.screenshot({ path: 'test-results/runs-1440-detail.png' });

  // The table exports as CSV, one line per picked run.
  const download = page.waitForEvent('download');
  await page.getByTestId('runs-export-csv').click();
  const csv = (await readFile(await (await download).path())).toString().trim().split('\n');
  expect(csv).toHaveLength(3);
  expect(csv[0]).toMatch(/^id,name,project,state,fingerprint/);

  // Restore the first design: the canvas gets the narrower dense layer back.
  const narrow = runRows(page).nth(0);
  await narrow.click();
  await expect(runCell(narrow, 'params')).toHaveText(/\d/);
  const narrowParams = await runCell(narrow, 'params').innerText();
  await page.getByTestId('run-restore-design').click();
  await expect(totalParams(page)).toHaveText(narrowParams);

  await page.setViewportSize({ width: 800, height: 600 });
  await openRuns(page);
  // The restored design is a new project, and its run is still listed as this design's.
  await expect(runRows(page)).toHaveCount(1);
  await expect(runCell(runRows(page).first(), 'params')).toHaveText(narrowParams);
  await page.screenshot({ path: 'test-results/runs-800.png' });
  expect(errors).toEqual([]);
});
