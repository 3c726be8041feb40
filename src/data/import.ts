import { gunzipChecked, readTar, readZip } from './archives';
import { importArrays } from './arrays';
import { cifarVariant, importCifar } from './cifar';
import { importCsv } from './csv';
import { IMAGE_EXTENSIONS } from './image-header';
import { importImageFolder } from './images';
import { DatasetImportError, type ImportDeps, type ImportedDataset, type ImportOptions, type InputFile } from './types';
import { extension, formatBytes, isHidden, normalizePath, resolveLimits, type ImportContext } from './util';

const ARCHIVE = /\.(zip|tar|tar\.gz|tgz)$/i;

/**
 * Imports a dataset from the files the user picked or dropped, whatever their format: image folders (class/img.png,
 * optionally under train/ and test/), zips of them, CIFAR-10/100 binary batches (or their .tar.gz), NumPy .npy/.npz,
 * or CSV. Hidden files are ignored; archives are opened (one level) and checked against the limits before inflating.
 * Refuses with a DatasetImportError that names the file at fault.
 *
 * @example
 * const ds = await importDataset(files, defaultImportOptions, { decodeImage: decodeBrowserImage, onProgress });
 */
export async function importDataset(files: InputFile[], opts: ImportOptions, deps: ImportDeps): Promise<ImportedDataset> {
  const limits = resolveLimits(deps.limits);
  const shape = opts.imageShape;
  if (shape && !(shape.length === 3 && shape.every(d => Number.isInteger(d) && d >= 1) && (shape[2] === 1 || shape[2] === 3)))
    throw new DatasetImportError(`image shape [${shape.join(', ')}] is not [height, width, 1] or [height, width, 3]`);
  const picked = files.map(f => ({ ...f, path: normalizePath(f.path) })).filter(f => !isHidden(f.path));
  if (picked.length === 0) throw new DatasetImportError('no files were given');
  const total = picked.reduce((a, f) => a + f.size, 0);
  if (total > limits.maxInputBytes)
    throw new DatasetImportError(`the files add up to ${formatBytes(total)}, over the limit of ${formatBytes(limits.maxInputBytes)}`);
  const sources = [...new Set(picked.map(f => f.path.split('/')[0]))];
  const name = deps.name ?? (sources.length === 1 ? sources[0].replace(ARCHIVE, '').replace(/\.[^.]+$/, '') || sources[0] : 'dataset');
  let fromZip = false;
  const expanded: InputFile[] = [];
  for (const f of picked) {
    const ext = extension(f.path);
    if (ext === 'zip') {
      fromZip = true;
      expanded.push(...readZip(await f.bytes(), f.path, limits));
    } else if (ext === 'tgz' || /\.tar\.gz$/i.test(f.path)) {
      expanded.push(...readTar(gunzipChecked(await f.bytes(), f.path, limits), f.path));
    } else if (ext === 'tar') {
      expanded.push(...readTar(await f.bytes(), f.path));
    } else expanded.push(f);
  }
  const ctx: ImportContext = { files: expanded, opts, deps, limits, sources, name, fromZip };
  const variant = cifarVariant(expanded);
  if (variant) return importCifar(ctx, variant);
  if (expanded.some(f => ['npy', 'npz'].includes(extension(f.path)))) return importArrays(ctx);
  const csv = expanded.filter(f => ['csv', 'tsv'].includes(extension(f.path)));
  if (csv.length > 1 && !expanded.some(f => IMAGE_EXTENSIONS.has(extension(f.path)))) throw new DatasetImportError(`${csv.length} CSV files were given (${csv.slice(0, 3).map(f => f.path).join(', ')}…): import one at a time`);
  if (csv.length === 1 && !expanded.some(f => IMAGE_EXTENSIONS.has(extension(f.path)))) return importCsv(ctx);
  return importImageFolder(ctx);
}
