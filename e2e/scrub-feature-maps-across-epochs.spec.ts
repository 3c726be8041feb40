import { expect, test, type Page } from '@playwright/test';
import { openEditor, trackErrors } from './support/editor';
import { openRuns, startSmallRun } from './support/runs';

test.setTimeout(300_000);

/** A fingerprint of the pixels of conv2d's first feature-map tile. */
const firstMap = (page: Page) =>
  page.getByTestId('fmap-layer-conv2d').locator('canvas').first().evaluate((c: HTMLCanvasElement) => c.toDataURL());

test('keep every epoch, train three, then scrub Inspect’s feature maps from epoch to epoch', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await openRuns(page);
  await page.getByTestId('runs-keep-every-epoch').check();
  await startSmallRun(page, { limit: '600', epochs: '3' });
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'done', { timeout: 240_000 });

  await page.getByTestId('tab-inspect').click();
  await expect(page.getByTestId('inspect-weights')).toHaveText('Using the trained weights.');
  const replay = page.getByTestId('epoch-replay');
  await expect(replay.getByTestId('replay-epoch')).toHaveText('Epoch 3 of 3 (latest)');
  await page.getByTestId('input-dataset').click();
  await expect(page.getByTestId('fmap-layer-conv2d').getByTestId('fmap-tile')).toHaveCount(6);
  const latest = await firstMap(page);

  await replay.getByTestId('replay-slider').fill('0');
  await expect(replay.getByTestId('replay-epoch')).toHaveText('Epoch 1 of 3');
  // The maps are redrawn from epoch 1's weights: they differ from the latest ones.
  await expect.poll(() => firstMap(page), { timeout: 30_000 }).not.toBe(latest);
  const first = await firstMap(page);
  await page.getByTestId('inspect-panel').screenshot({ path: 'test-results/inspect-replay.png' });

  await replay.getByTestId('replay-slider').fill('2');
  await expect(replay.getByTestId('replay-epoch')).toHaveText('Epoch 3 of 3 (latest)');
  await expect.poll(() => firstMap(page), { timeout: 30_000 }).toBe(latest);
  expect(first).not.toBe(latest);

  // Play runs through the epochs and stops at the latest.
  await page.getByTestId('replay-epoch').evaluate((el) => {
    const seen: string[] = [];
    (window as unknown as { seenEpochs: string[] }).seenEpochs = seen;
    new MutationObserver(() => seen.push(el.getAttribute('data-epoch') ?? '')).observe(el, { attributes: true });
  });
  await replay.getByTestId('replay-play').click();
  await expect(replay.getByTestId('replay-play')).toHaveAttribute('aria-label', 'Pause the playback');
  await expect(replay.getByTestId('replay-play')).toHaveAttribute('aria-label', 'Play the epochs', { timeout: 30_000 });
  await expect(replay.getByTestId('replay-epoch')).toHaveText('Epoch 3 of 3 (latest)');
  expect(await page.evaluate(() => (window as unknown as { seenEpochs: string[] }).seenEpochs)).toEqual(['1', '2', '3']);
  expect(errors).toEqual([]);
});
