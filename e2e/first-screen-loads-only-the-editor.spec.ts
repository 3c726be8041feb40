import { expect, test, type Page } from '@playwright/test';
import { firstScreenFiles, holdScripts, isLazyLibrary, recordScripts } from './support/chunks';
import { trackErrors } from './support/editor';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/first-load/${name}.png` });

test('the editor becomes usable without fetching tfjs, charts, ELK or the side panels’ code', async ({ page }) => {
  const errors = trackErrors(page);
  const scripts = recordScripts(page);
  await page.goto('/');
  await expect(page.getByTestId('palette-Conv2D')).toBeVisible();
  await expect(page.locator('.react-flow__pane')).toBeVisible();
  const beforeInteractive = [...scripts];

  // A layer can be added at once.
  await page.getByTestId('palette-Conv2D').dblclick();
  await expect(page.locator('.react-flow__node')).toHaveCount(1);

  const allowed = firstScreenFiles();
  expect(beforeInteractive.length).toBeGreaterThan(0);
  expect(beforeInteractive.filter(isLazyLibrary)).toEqual([]);
  // Only the entry and its static imports: no panel, worker or library chunk was needed for the first screen.
  expect(beforeInteractive.filter((s) => !allowed.has(s))).toEqual([]);
  expect(scripts.filter(isLazyLibrary)).toEqual([]);
  expect(errors).toEqual([]);
});

test('Train, Inspect and Export show a loading line while their code arrives, then the panel in the same place', async ({ page }) => {
  const errors = trackErrors(page);
  const scripts = recordScripts(page);
  await page.goto('/?preset=lenet5');
  await expect(page.getByTestId('total-params')).toHaveText('61,706');

  // Train: the panel's chunk is held back, as a slow line would.
  const train = await holdScripts(page, /TrainPanel-/);
  await page.getByTestId('tab-train').click();
  const trainLoading = page.getByTestId('loading-train');
  await expect(trainLoading).toBeVisible();
  await expect(trainLoading).toContainText('Loading');
  const panelBox = await page.getByTestId('side-panel').boundingBox();
  await shot(page, 'train-loading');
  train.release();
  // The chunk and the charts it imports arrive over a busy machine's loopback: allow for a slow fetch.
  await expect(page.getByTestId('train-start')).toBeVisible({ timeout: 30_000 });
  await expect(trainLoading).toHaveCount(0);
  // The panel replaced the loading line without moving or resizing the side panel.
  expect(await page.getByTestId('side-panel').boundingBox()).toEqual(panelBox);
  expect(scripts.some((s) => /\/charts-/.test(s))).toBe(true);
  await shot(page, 'train-loaded');

  const inspect = await holdScripts(page, /InspectPanel-/);
  await page.getByTestId('tab-inspect').click();
  await expect(page.getByTestId('loading-inspect')).toBeVisible();
  await shot(page, 'inspect-loading');
  inspect.release();
  await expect(page.getByTestId('inspect-panel')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('loading-inspect')).toHaveCount(0);

  const exporting = await holdScripts(page, /ExportItems-/);
  await page.getByTestId('menu-export').click();
  await expect(page.getByTestId('loading-export')).toBeVisible();
  await shot(page, 'export-loading');
  exporting.release();
  await expect(page.getByTestId('export-keras')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('loading-export')).toHaveCount(0);
  await shot(page, 'export-loaded');
  expect(errors).toEqual([]);
});

test('a panel whose code cannot be fetched says so, keeps the work, and loads on retry', async ({ page }) => {
  const errors = trackErrors(page);
  await page.goto('/?preset=lenet5');
  await expect(page.getByTestId('total-params')).toHaveText('61,706');
  const offline = (url: URL) => /InspectPanel-/.test(url.pathname);
  await page.route(offline, (route) => route.abort('internetdisconnected'));
  await page.getByTestId('tab-inspect').click();
  await expect(page.getByTestId('loading-failed')).toContainText('Could not load the Inspect panel');
  await shot(page, 'inspect-failed');
  // The editor is still there and the graph untouched.
  await expect(page.getByTestId('total-params')).toHaveText('61,706');
  await expect(page.locator('.react-flow__node')).toHaveCount(9);
  await page.unroute(offline);
  await page.getByTestId('loading-failed').getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByTestId('inspect-panel')).toBeVisible({ timeout: 30_000 });
  expect(errors).toEqual([]);
});
