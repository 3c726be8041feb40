import { expect, test, type Page } from '@playwright/test';
import { layerNode, trackErrors } from './support/editor';
import { openTrain, settings } from './support/train';

test.setTimeout(480_000);

/** Trains LeNet-5 for one short epoch on the wasm backend (the fast path) and waits for the test accuracy. */
async function trainBriefly(page: Page, start: () => Promise<void>): Promise<void> {
  await start();
  // Training and the test-set pass share 2 slow cores with everything else: allow minutes.
  await expect(page.getByTestId('train-test-acc')).toBeVisible({ timeout: 360_000 });
}

test('an edit after training marks the old results stale, keeps the unchanged layers’ weights, and retrain and recompute clear the marks', async ({ page }) => {
  const errors = trackErrors(page);
  await openTrain(page, 'lenet5');
  await settings(page, { limit: '1500', epochs: '1' });
  await page.getByTestId('train-backend').selectOption('wasm');
  await trainBriefly(page, () => page.getByTestId('train-start').click());
  await expect(page.getByTestId('train-stale')).toHaveCount(0);

  // Trained and evaluated: nothing is stale.
  await page.getByTestId('tab-inspect').click();
  await expect(page.getByTestId('inspect-weights')).toHaveText('Using the trained weights.');
  await expect(page.getByTestId('inspect-design-changed')).toHaveCount(0);
  await page.getByTestId('input-dataset').click();
  await expect(page.getByTestId('prediction-bar')).toHaveCount(5);
  await page.getByTestId('evaluate').click();
  await expect(page.getByTestId('confusion-matrix')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('eval-stale')).toHaveCount(0);

  // Moving a layer is no change of the model.
  const box = (await layerNode(page, 'dense').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + 40, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId('eval-stale')).toHaveCount(0);
  await expect(page.getByTestId('inspect-weights')).toHaveText('Using the trained weights.');

  // The one-click separable rewrite of conv2d_1: the evaluation is of the old design now.
  await page.getByTestId('make-separable-conv2d_1').click();
  await expect(layerNode(page, 'conv2d_1_pw')).toBeVisible();
  const changed = page.getByTestId('inspect-design-changed');
  await expect(changed).toContainText('stale');
  await expect(changed).toContainText('Design changed since training');
  const carry = page.getByTestId('inspect-carry');
  await expect(carry).toHaveText('trained weights kept for 4 layers; conv2d_1_dw, conv2d_1_pw start fresh');
  await expect(carry).toHaveAttribute('data-kept', 'conv2d,dense,dense_1,dense_2');
  await expect(carry).toHaveAttribute('data-fresh', 'conv2d_1_dw,conv2d_1_pw');
  await expect(page.getByTestId('inspect-weights')).toHaveText('Using the trained weights of 4 of 6 layers: what this tab shows is of a partly trained model.');
  await expect(page.getByTestId('eval-stale')).toContainText('The design changed since this evaluation');
  // Feature maps follow the new model at once; the new layers say their weights are untrained.
  await expect(page.getByTestId('fmap-layer-conv2d_1_pw')).toContainText('fresh weights (untrained)');
  await expect(page.getByTestId('fmap-layer-conv2d')).not.toContainText('fresh weights');
  await page.screenshot({ path: 'test-results/stale-inspect-1440.png' });
  await page.getByTestId('inspect-eval').screenshot({ path: 'test-results/stale-eval-1440.png' });
  await page.getByTestId('inspect-feature-maps').screenshot({ path: 'test-results/stale-fmaps-1440.png' });
  await page.getByTestId('inspect-panel').evaluate((el) => el.parentElement!.scrollTo(0, 0));
  await page.getByTestId('side-panel').screenshot({ path: 'test-results/stale-inspect-top-1440.png' });
  await page.setViewportSize({ width: 800, height: 600 });
  await page.getByTestId('eval-stale').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/stale-inspect-800.png' });
  await page.setViewportSize({ width: 1440, height: 900 });

  await page.getByTestId('eval-stale-action').click();
  await expect(page.getByTestId('eval-stale')).toHaveCount(0);
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();
  await expect(changed).toBeVisible(); // still a partly trained model: only retraining clears that

  // The Train tab's last run is of the old design; Retrain trains the new one and clears every mark.
  await page.getByTestId('tab-train').click();
  const trainStale = page.getByTestId('train-stale');
  await expect(trainStale).toContainText('The design changed since this run');
  await page.screenshot({ path: 'test-results/stale-train-1440.png' });
  await page.setViewportSize({ width: 800, height: 600 });
  await page.getByTestId('train-epochs').scrollIntoViewIfNeeded();
  await expect(trainStale).toBeInViewport(); // it stays at the top of the panel while the curves scroll
  await page.screenshot({ path: 'test-results/stale-train-800.png' });
  await page.setViewportSize({ width: 1440, height: 900 });

  await trainBriefly(page, async () => {
    await page.getByTestId('train-stale-action').click();
    await expect(trainStale).toHaveCount(0);
  });
  await page.getByTestId('tab-inspect').click();
  await expect(page.getByTestId('inspect-weights')).toHaveText('Using the trained weights.');
  await expect(changed).toHaveCount(0);
  // The evaluation outlived the visit to the Train tab, and is of the model before retraining.
  await expect(page.getByTestId('eval-stale')).toContainText('The model was trained again since this evaluation');
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();
  await page.getByTestId('eval-stale-action').click();
  await expect(page.getByTestId('eval-stale')).toHaveCount(0);
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();
  expect(errors).toEqual([]);
});
