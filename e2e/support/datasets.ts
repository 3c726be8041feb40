import { expect, type Page } from '@playwright/test';
import { zipSync } from 'fflate';
import { npy, png } from '../../src/data/testing/fixtures';
import { mulberry32 as rng } from '../../src/train/random';

/** Dataset files the stories generate at run time, and the Data panel steps that import them. */

type Shape = (x: number, y: number, cx: number, cy: number, r: number) => boolean;
export const SHAPES: Record<string, Shape> = {
  circle: (x, y, cx, cy, r) => Math.abs(Math.hypot(x - cx, y - cy) - r) < 1.2,
  square: (x, y, cx, cy, r) => Math.max(Math.abs(x - cx), Math.abs(y - cy)) <= r && Math.max(Math.abs(x - cx), Math.abs(y - cy)) > r - 1.5,
  cross: (x, y, cx, cy, r) => (Math.abs(x - cx) < 1.2 || Math.abs(y - cy) < 1.2) && Math.abs(x - cx) <= r && Math.abs(y - cy) <= r,
};

/** A zip of `size`×`size` RGB PNGs in one folder per class (`shapes/circle/0.png`…): outlines at random places, with noise. */
export function shapesZip(perClass: number, size = 16, seed = 1, root = 'shapes'): Uint8Array {
  const r = rng(seed);
  const entries: Record<string, Uint8Array> = {};
  for (const [name, inside] of Object.entries(SHAPES)) {
    for (let i = 0; i < perClass; i++) {
      const rad = 3 + r() * (size / 4 - 2);
      const cx = rad + 1 + r() * (size - 2 * rad - 2);
      const cy = rad + 1 + r() * (size - 2 * rad - 2);
      const hue = [r(), r(), r()].map((v) => 120 + v * 135);
      entries[`${root}/${name}/${i}.png`] = png(size, size, 3, (x, y, c) => (inside(x, y, cx, cy, rad) ? hue[c] : 0) + Math.floor(r() * 30));
    }
  }
  return zipSync(entries, { level: 0 });
}

export const SERIES_CLASSES = ['sine', 'square', 'sawtooth'];

/** An .npz (a zip of .npy files) of `perClass` series of each class, x (N, length, 1) float32 and y (N,) uint8. */
export function seriesNpz(perClass: number, length = 128, seed = 2): Uint8Array {
  const r = rng(seed);
  const n = perClass * SERIES_CLASSES.length;
  const x = new Float32Array(n * length);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % SERIES_CLASSES.length;
    y[i] = k;
    const f = 2 + r() * 4;
    const ph = r();
    for (let t = 0; t < length; t++) {
      const p = (((t / length) * f + ph) % 1 + 1) % 1;
      const v = k === 0 ? Math.sin(2 * Math.PI * p) : k === 1 ? (p < 0.5 ? 1 : -1) : 2 * p - 1;
      x[i * length + t] = v + (r() - 0.5) * 0.3;
    }
  }
  return zipSync({ 'x.npy': npy('f4', [n, length, 1], x), 'y.npy': npy('u1', [n], y) }, { level: 0 });
}

export async function openDataTab(page: Page): Promise<void> {
  await page.getByTestId('tab-data').click();
  await expect(page.getByTestId('data-panel')).toBeVisible();
}

/** Chooses a file with "Import files…" (the story then waits for what the import shows). */
export async function importFile(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await openDataTab(page);
  await page.getByTestId('data-files-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
}

/** The stored dataset's row in the Data panel's list. */
export const datasetRow = (page: Page, name: string) => page.getByTestId('data-row').filter({ hasText: name });

/** From the Train tab, with the dataset chosen: trains with these settings and returns the test accuracy in percent. */
export async function trainAndReadTestAccuracy(page: Page, s: { epochs: string; batch: string; lr: string }): Promise<number> {
  await expect(page.getByTestId('train-issues')).toHaveCount(0);
  await page.getByTestId('train-epochs-input').fill(s.epochs);
  await page.getByTestId('train-batch').fill(s.batch);
  await page.getByTestId('train-lr').fill(s.lr);
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-test-acc')).toBeVisible({ timeout: 180_000 });
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'done');
  return parseFloat((await page.getByTestId('train-test-acc').locator('b').innerText()).replace('%', ''));
}
