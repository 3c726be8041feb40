import { writeFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { exportProject, importFile, openEditor, totalParams, trackErrors } from './support/editor';

const cases: Array<{ what: string; name: string; body: () => Buffer; says: RegExp }> = [
  { what: 'broken JSON', name: 'broken.json', body: () => Buffer.from('{"format": "convas-project", "graph": {'), says: /JSON/i },
  {
    what: 'an unknown layer class',
    name: 'model.json',
    body: () =>
      Buffer.from(
        JSON.stringify({
          format: 'layers-model',
          modelTopology: {
            class_name: 'Sequential',
            config: { name: 'm', layers: [{ class_name: 'WarpDrive9000', config: { name: 'w', batch_input_shape: [null, 4] } }] },
          },
        }),
      ),
    says: /WarpDrive9000/,
  },
  {
    what: 'a __proto__ key',
    name: 'hostile.convas.json',
    body: () => Buffer.from('{"format":"convas-project","version":1,"name":"x","graph":{"nodes":[],"edges":[]},"__proto__":{"polluted":true}}'),
    says: /__proto__/,
  },
  {
    what: 'a file made by a newer Convas',
    name: 'future.convas.json',
    body: () => Buffer.from('{"format":"convas-project","version":3,"name":"from the future","graph":{"nodes":[],"edges":[]},"hyperblocks":[]}'),
    says: /made by a newer Convas: version 3, this build reads up to 2/,
  },
];

for (const c of cases) {
  test(`importing ${c.what} shows a clear error and leaves the graph unchanged`, async ({ page }) => {
    const errors = trackErrors(page);
    await openEditor(page, '/?preset=lenet5');
    await expect(totalParams(page)).toHaveText('61,706');
    const before = await exportProject(page);

    await importFile(page, { name: c.name, buffer: c.body() });
    const toast = page.getByTestId('toast').last();
    await expect(toast).toContainText('refused');
    await expect(toast).toContainText(c.says);
    await expect(toast).toContainText('your graph is unchanged');

    await expect(totalParams(page)).toHaveText('61,706');
    const after = await exportProject(page);
    expect(after.json).toEqual(before.json);
    expect(errors).toEqual([]);
  });
}

test('importing 50 MB of junk is refused before it is read, and the graph is unchanged', async ({ page }, info) => {
  const errors = trackErrors(page);
  await openEditor(page, '/?preset=lenet5');
  await expect(totalParams(page)).toHaveText('61,706');
  const before = await exportProject(page);
  // A file on disk: Playwright hands a local browser the path, not 50 MB over the wire.
  const junk = info.outputPath('junk.json');
  await writeFile(junk, Buffer.alloc(50 * 1024 * 1024, 'x'));
  await page.getByTestId('import-file').setInputFiles(junk);
  const toast = page.getByTestId('toast').last();
  await expect(toast).toContainText('Import of junk.json refused; your graph is unchanged');
  await expect(toast).toContainText('50.0 MB; the limit is 20 MB');
  const after = await exportProject(page);
  expect(after.json).toEqual(before.json);
  expect(errors).toEqual([]);
});
