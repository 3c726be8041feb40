import { expect, test } from '@playwright/test';
import { zipSync } from 'fflate';
import { datasetRow, importFile } from './support/datasets';
import { openEditor, trackErrors } from './support/editor';

/** A 24-bit bottom-up BMP (Chromium's canvas cannot encode BMP), `size`×`size`, from a pixel function. */
function bmp(size: number, pixel: (x: number, y: number) => [number, number, number]): Uint8Array {
  const row = Math.ceil((size * 3) / 4) * 4;
  const out = new Uint8Array(54 + row * size);
  const v = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  v.setUint32(2, out.length, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, size, true);
  v.setInt32(22, size, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  v.setUint32(34, row * size, true);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const [r, g, b] = pixel(x, y);
      out.set([b, g, r], 54 + (size - 1 - y) * row + x * 3);
    }
  }
  return out;
}

test('image folders of JPEG, WebP and BMP files import like PNGs: every file decoded, none skipped', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  // The browser encodes the JPEG and WebP files, as a camera or an image tool would have.
  const encoded = await page.evaluate(async () => {
    const out: Record<string, number[]> = {};
    for (const [type, ext] of [['image/jpeg', 'jpg'], ['image/webp', 'webp']] as const) {
      for (let i = 0; i < 6; i++) {
        for (const cls of ['bright', 'dark']) {
          const canvas = new OffscreenCanvas(12, 12);
          const g = canvas.getContext('2d')!;
          g.fillStyle = cls === 'bright' ? `rgb(${200 + i * 5}, 220, 230)` : `rgb(${20 + i * 5}, 30, 40)`;
          g.fillRect(0, 0, 12, 12);
          const blob = await canvas.convertToBlob({ type, quality: 0.9 });
          out[`pics/${cls}/${ext}-${i}.${ext}`] = Array.from(new Uint8Array(await blob.arrayBuffer()));
        }
      }
    }
    return out;
  });
  const files: Record<string, Uint8Array> = Object.fromEntries(Object.entries(encoded).map(([k, v]) => [k, Uint8Array.from(v)]));
  expect(Object.keys(files).some((k) => k.endsWith('.webp'))).toBe(true);
  for (let i = 0; i < 6; i++) {
    files[`pics/bright/bmp-${i}.bmp`] = bmp(12, () => [210, 220, 230]);
    files[`pics/dark/bmp-${i}.bmp`] = bmp(12, () => [25, 30, 40]);
  }

  await page.getByTestId('tab-data').click();
  await page.getByTestId('data-options').locator('summary').click();
  await page.getByTestId('data-size').selectOption('files');
  await importFile(page, 'pics.zip', zipSync(files, { level: 0 }));

  await expect(datasetRow(page, 'pics')).toBeVisible({ timeout: 60_000 });
  await expect(datasetRow(page, 'pics')).toContainText('36');
  const preview = page.getByTestId('data-preview');
  await expect(preview.getByTestId('data-preview-shape')).toContainText('12×12×3');
  await expect(preview.getByTestId('data-example-row')).toHaveCount(2);
  const notes = preview.getByTestId('data-notes');
  if (await notes.count()) await expect(notes).not.toContainText(/skipped|could not/i);
  await expect(page.getByTestId('data-skipped')).toHaveCount(0);
  await expect(page.getByTestId('data-error')).toHaveCount(0);
  expect(errors).toEqual([]);
});
