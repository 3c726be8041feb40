import type { PickedFile } from '../../store/datasets';

/** Extensions of the files a dataset is imported from (images, archives, CIFAR batches, NumPy, CSV). */
const DATASET_EXT = /\.(zip|tar|tar\.gz|tgz|bin|npy|npz|csv|tsv|png|jpe?g|jfif|gif|bmp|webp)$/i;

/** What the "Import files…" picker offers. */
export const DATASET_ACCEPT = '.zip,.tar,.gz,.tgz,.bin,.npy,.npz,.csv,.tsv';

/** Whether a dropped file goes to the dataset import (by extension); project files and model.json go to the project import. */
export const isDatasetFile = (name: string): boolean => DATASET_EXT.test(name);

/** Files from an `<input type=file>` (with `webkitdirectory` their paths start at the picked folder). */
export function pickedFromList(list: FileList | File[]): PickedFile[] {
  return [...list].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries answers in batches (100 in Chromium) until it returns an empty one.
  return new Promise((resolve, reject) => {
    const out: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(out);
        else {
          out.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path: entry.fullPath.replace(/^\/+/, '') || file.name, file });
  } else if (entry.isDirectory) {
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader())) await walk(child, out);
  }
}

/** A drop, taken while the event lasts: the entries (folders included) or, where entries are not offered, the files. */
export interface Dropped {
  entries: FileSystemEntry[];
  files: File[];
  /** Whether a folder was dropped. */
  hasFolder: boolean;
}

/** Reads what a drop carries. Must be called during the drop event: the items are gone afterwards. */
export function takeDrop(dt: DataTransfer): Dropped {
  const entries: FileSystemEntry[] = [];
  for (const item of [...dt.items]) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  return { entries, files: [...dt.files], hasFolder: entries.some((e) => e.isDirectory) };
}

/** Whether a drop is a dataset (a folder, or files with dataset extensions) rather than a project file. */
export const isDatasetDrop = (d: Dropped): boolean => d.hasFolder || (d.files.length > 0 && d.files.every((f) => isDatasetFile(f.name)));

/** Every file of a drop with its path, walking dropped folders. */
export async function droppedFiles(d: Dropped): Promise<PickedFile[]> {
  if (d.entries.length === 0) return pickedFromList(d.files);
  const out: PickedFile[] = [];
  for (const e of d.entries) await walk(e, out);
  return out;
}
