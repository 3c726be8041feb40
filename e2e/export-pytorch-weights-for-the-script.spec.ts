import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { openEditor, trackErrors } from './support/editor';

test('Export → PyTorch weights downloads the state dict the PyTorch script loads (--weights)', async ({ page }) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await page.getByTestId('menu-export').click();
  await expect(page.getByTestId('export-pytorch-weights')).toContainText('--weights LeNet-5.weights.npz');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-pytorch-weights').click()]);
  expect(download.suggestedFilename()).toBe('LeNet-5.weights.npz');
  const files = unzipSync(new Uint8Array(await readFile((await download.path())!)));
  const names = Object.keys(files).sort();
  expect(names).toHaveLength(10); // 5 layers with a weight and a bias each
  expect(names.every((n) => /^[a-z_0-9]+\.(weight|bias)\.npy$/.test(n))).toBe(true);
  // Every .npy holds float32 values; together exactly LeNet-5's 61,706 params.
  let values = 0;
  for (const bytes of Object.values(files)) {
    const headerLength = bytes[8] | (bytes[9] << 8);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLength))).toContain("'descr': '<f4'");
    values += (bytes.length - 10 - headerLength) / 4;
  }
  expect(values).toBe(61706);
  expect(errors).toEqual([]);
});
