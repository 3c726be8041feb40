import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileReader } from './types';

/** A reader over the prepared files on disk (Node only: tests, benches). `root` is the repository root. */
export function fsReader(root: string): FileReader {
  return async (id, name) => {
    const path = join(root, 'public/datasets', id, name);
    try {
      return new Uint8Array(await readFile(path));
    } catch (e) {
      throw new Error(`dataset ${id}: cannot read ${path} (${(e as Error).message}); run \`node scripts/prepare.mjs\``);
    }
  };
}
